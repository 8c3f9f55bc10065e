// A test double of Anthropic's Messages API (/v1/messages), answering "echo: <last user text>", and
// of its count endpoint (/v1/messages/count_tokens), counting one token per 4 characters of the
// system prompt, messages and tools as JSON: a count the gateway cannot compute itself, so a test
// that gets it back knows the upstream was asked.
import { continuation, lastUserText, pieces, startDouble, writePieces, type Double } from './http-double.js';

export function startAnthropicDouble(): Promise<Double> {
  return startDouble(async (request, behaviour, response, socket) => {
    const body = request.body ?? {};
    if (request.path.endsWith('/messages/count_tokens')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ input_tokens: doubleTokenCount(body) }));
      return;
    }
    const text = continuation(
      body.messages,
      (behaviour.kind === 'ok' || behaviour.kind === 'stream-cut') && behaviour.text !== undefined
        ? behaviour.text
        : `echo: ${lastUserText(body.messages)}`,
    );
    const toolUse =
      behaviour.kind === 'tool-call'
        ? { type: 'tool_use', id: 'toolu_1', name: behaviour.name, input: JSON.parse(behaviour.arguments) }
        : undefined;
    const id = `msg_double${Date.now()}`;
    if (!body.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: toolUse ? [toolUse] : [{ type: 'text', text }],
          stop_reason: toolUse ? 'tool_use' : 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 9, output_tokens: pieces(text).length },
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = (type: string, data: Record<string, unknown>): string =>
      `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    response.write(
      event('message_start', {
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 9, output_tokens: 1 },
        },
      }),
    );
    response.write(event('ping', {}));
    if (toolUse) {
      response.write(
        event('content_block_start', {
          index: 0,
          content_block: { type: 'tool_use', id: toolUse.id, name: toolUse.name, input: {} },
        }),
      );
      response.write(
        event('content_block_delta', {
          index: 0,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(toolUse.input) },
        }),
      );
    } else {
      response.write(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
      if (
        !(await writePieces(text, behaviour, socket, (piece) =>
          response.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } })),
        ))
      )
        return;
    }
    response.write(event('content_block_stop', { index: 0 }));
    response.write(
      event('message_delta', {
        delta: { stop_reason: toolUse ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: pieces(text).length },
      }),
    );
    response.end(event('message_stop', {}));
  });
}

/** The double's count of a count_tokens body. */
export function doubleTokenCount(body: { system?: unknown; messages?: unknown; tools?: unknown }): number {
  return Math.ceil(JSON.stringify([body.system ?? null, body.messages ?? [], body.tools ?? null]).length / 4);
}
