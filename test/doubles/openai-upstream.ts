// A test double of an OpenAI-compatible upstream (/v1/chat/completions, /v1/embeddings).
// It answers "echo: <last user text>" so tests can see what crossed the wire.
import { continuation, lastUserText, pieces, startDouble, writePieces, type Double } from './http-double.js';

export function startOpenAIDouble(): Promise<Double> {
  return startDouble(async (request, behaviour, response, socket) => {
    const body = request.body ?? {};
    if (request.path.endsWith('/embeddings')) {
      const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          object: 'list',
          model: body.model,
          data: inputs.map((input, index) => ({
            object: 'embedding',
            index,
            embedding: [String(input).length, index, 0.5],
          })),
          usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
        }),
      );
      return;
    }
    const text = continuation(
      body.messages,
      (behaviour.kind === 'ok' || behaviour.kind === 'stream-cut') && behaviour.text !== undefined
        ? behaviour.text
        : `echo: ${lastUserText(body.messages)}`,
    );
    const id = `chatcmpl-double-${request.path.length}-${Date.now()}`;
    const usage = { prompt_tokens: 7, completion_tokens: pieces(text).length, total_tokens: 7 + pieces(text).length };
    const toolCall =
      behaviour.kind === 'tool-call'
        ? { id: 'call_1', type: 'function', function: { name: behaviour.name, arguments: behaviour.arguments } }
        : undefined;
    if (!body.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created: 1,
          model: body.model,
          choices: [
            {
              index: 0,
              message: toolCall
                ? { role: 'assistant', content: null, tool_calls: [toolCall] }
                : { role: 'assistant', content: text },
              finish_reason: toolCall ? 'tool_calls' : 'stop',
            },
          ],
          usage,
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: unknown, finish: string | null = null): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    response.write(chunk({ role: 'assistant', content: '' }));
    if (toolCall) {
      response.write(
        chunk({
          tool_calls: [
            { index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } },
          ],
        }),
      );
      response.write(chunk({ tool_calls: [{ index: 0, function: { arguments: toolCall.function.arguments } }] }));
      response.write(chunk({}, 'tool_calls'));
    } else {
      if (!(await writePieces(text, behaviour, socket, (piece) => response.write(chunk({ content: piece }))))) return;
      response.write(chunk({}, 'stop'));
    }
    if (body.stream_options?.include_usage)
      response.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: body.model, choices: [], usage })}\n\n`,
      );
    response.end('data: [DONE]\n\n');
  });
}
