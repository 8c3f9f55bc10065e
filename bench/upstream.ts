// Benchmark upstream: an OpenAI-compatible double that answers instantly with pre-rendered bytes
// (a fixed completion, or ~20 SSE chunks), so what is measured is the hop in front of it.
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 9101);
/** `fail`: answer every request with 503 (a provider that is down). */
const failing = process.argv[3] === 'fail';
let lastPost = 0;
const completion = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1700000000,
    model: 'bench-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello! This is a fixed benchmark reply.' },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
  }),
);
const chunk = (delta: unknown, finish: string | null): Buffer =>
  Buffer.from(
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench-model', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`,
  );
const words = 'Hello there , this is a short streamed benchmark reply made of about twenty small pieces ok'.split(' ');
const stream = [
  chunk({ role: 'assistant', content: '' }, null),
  ...words.map((word) => chunk({ content: `${word} ` }, null)),
  chunk({}, 'stop'),
  Buffer.from('data: [DONE]\n\n'),
];

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/last') {
    response.end(String(lastPost));
    return;
  }
  lastPost = Date.now();
  if (failing) {
    request.resume();
    response.writeHead(503, { 'content-type': 'application/json' });
    response.end('{"error":{"message":"down"}}');
    return;
  }
  const pieces: Buffer[] = [];
  request.on('data', (piece: Buffer) => pieces.push(piece));
  request.on('end', () => {
    const streaming = Buffer.concat(pieces).includes('"stream":true');
    if (streaming) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const piece of stream) response.write(piece);
      response.end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': completion.length });
      response.end(completion);
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`upstream listening on ${port}\n`));
