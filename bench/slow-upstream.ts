// The upstream of the slow-stream bench: an OpenAI-compatible double whose every answer is a stream
// of CHUNKS events, one every GAP ms, as LLM answers arrive. One timer drives every open stream, so
// the double stays cheap however many are open; GET answers a model list (health probes).
//   node --import tsx bench/slow-upstream.ts PORT CHUNKS GAP_MS
import { createServer, type ServerResponse } from 'node:http';

const port = Number(process.argv[2] ?? 9111);
const chunks = Number(process.argv[3] ?? 50);
const gapMs = Number(process.argv[4] ?? 20);
const event = (index: number): Buffer =>
  Buffer.from(
    `data: ${JSON.stringify({ id: 'chatcmpl-slow', object: 'chat.completion.chunk', created: 1, model: 'slow-model', choices: [{ index: 0, delta: index === 0 ? { role: 'assistant', content: 'w0 ' } : { content: `w${index} ` }, finish_reason: null }] })}\n\n`,
  );
const events = Array.from({ length: chunks }, (_, index) => event(index));
const last = Buffer.from(
  `data: ${JSON.stringify({ id: 'chatcmpl-slow', object: 'chat.completion.chunk', created: 1, model: 'slow-model', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
);
const open = new Set<{ response: ServerResponse; sent: number }>();
setInterval(() => {
  for (const stream of open) {
    if (stream.response.destroyed) open.delete(stream);
    else if (stream.sent < chunks) stream.response.write(events[stream.sent++]!);
    else {
      stream.response.end(last);
      open.delete(stream);
    }
  }
}, gapMs);

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"object":"list","data":[{"id":"slow-model","object":"model"}]}');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const stream = { response, sent: 1 };
    response.write(events[0]!);
    open.add(stream);
  });
});
server.keepAliveTimeout = 65_000;
server.maxConnections = 100_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening on ${port}\n`));
