// Applies redaction to a request in place of its findings, and undoes it on the answer.
import type { ChatMessage, ChatRequest, ChatResponse, ContentPart, StreamChunk } from '../core/chat.js';
import { GatewayError } from '../core/errors.js';
import type { ChatStream, StreamEvent } from '../core/provider.js';
import { Placeholders, redactText, restoreText, StreamRestorer } from '../policy/redaction.js';
import type { Classification } from './classify.js';

export interface Redacted {
  request: ChatRequest;
  placeholders: Placeholders;
  labels: string[];
}

/**
 * A redacted copy of the request. Refuses (fails closed) where redaction cannot remove what made
 * the request sensitive: labels the caller declared (there is no span to replace), or a value split
 * across message parts (no single part holds it).
 */
export function redactChat(request: ChatRequest, classification: Classification, declared: readonly string[]): Redacted {
  if (declared.length > 0) throw new GatewayError('no_allowed_provider', `Refused by policy: the request carries declared labels (${declared.join(', ')}) that redaction cannot remove.`);
  const perPart = classification.findings.filter((finding) => finding.location.kind !== 'joined');
  for (const joined of classification.findings.filter((finding) => finding.location.kind === 'joined')) {
    const found = new Set(perPart.filter((finding) => 'message' in finding.location && finding.location.message === (joined.location as { message: number }).message).flatMap((finding) => finding.spans.map((span) => span.label)));
    if (joined.spans.some((span) => !found.has(span.label))) throw new GatewayError('no_allowed_provider', 'Refused by policy: a sensitive value is split across message parts, so it cannot be redacted.');
  }
  const placeholders = new Placeholders();
  const messages: ChatMessage[] = request.messages.map((message) => ({ ...message, content: Array.isArray(message.content) ? message.content.map((part) => ({ ...part })) : message.content, tool_calls: message.tool_calls?.map((call) => ({ ...call, function: { ...call.function } })) }));
  for (const finding of perPart) {
    const location = finding.location;
    const redacted = redactText(finding.text, finding.spans, placeholders);
    if (location.kind === 'content') messages[location.message]!.content = redacted;
    else if (location.kind === 'part') ((messages[location.message]!.content as ContentPart[])[location.part] as { text: string }).text = redacted;
    else if (location.kind === 'arguments') messages[location.message]!.tool_calls![location.call]!.function.arguments = redacted;
    else if (location.kind === 'image') {
      // A URL cannot be partly kept: the image is dropped, and the model is told so.
      (messages[location.message]!.content as ContentPart[])[location.part] = { type: 'text', text: '[image withheld by policy]' };
    }
  }
  const labels = [...new Set(perPart.flatMap((finding) => finding.spans.map((span) => span.label)))].sort();
  return { request: { ...request, messages }, placeholders, labels };
}

export function restoreResponse(response: ChatResponse, placeholders: Placeholders): ChatResponse {
  return {
    ...response,
    choices: response.choices.map((choice) => ({
      ...choice,
      message: {
        ...choice.message,
        content: typeof choice.message.content === 'string' ? restoreText(choice.message.content, placeholders) : choice.message.content,
        ...(choice.message.tool_calls ? { tool_calls: choice.message.tool_calls.map((call) => ({ ...call, function: { ...call.function, arguments: restoreText(call.function.arguments, placeholders) } })) } : {}),
      },
    })),
  };
}

/** Restores placeholders across a stream's content and tool-call argument deltas. */
export function restoreStream(stream: ChatStream, placeholders: Placeholders): ChatStream {
  const content = new Map<number, StreamRestorer>();
  const argumentsByCall = new Map<string, StreamRestorer>();
  const restorer = (map: Map<number | string, StreamRestorer>, key: number | string): StreamRestorer => {
    let found = map.get(key);
    if (!found) map.set(key, (found = new StreamRestorer(placeholders)));
    return found;
  };
  const transform = (event: StreamEvent): StreamEvent => {
    const chunk: StreamChunk = {
      ...event.chunk,
      choices: event.chunk.choices.map((choice) => {
        const delta = { ...choice.delta };
        if (typeof delta.content === 'string') {
          delta.content = restorer(content as Map<number | string, StreamRestorer>, choice.index).push(delta.content);
          // The answer is over: whatever was held back goes out with it.
          if (choice.finish_reason) delta.content += restorer(content as Map<number | string, StreamRestorer>, choice.index).flush();
        } else if (choice.finish_reason) {
          const rest = restorer(content as Map<number | string, StreamRestorer>, choice.index).flush();
          if (rest) delta.content = rest;
        }
        if (delta.tool_calls) delta.tool_calls = delta.tool_calls.map((call) => (call.function?.arguments === undefined ? call : { ...call, function: { ...call.function, arguments: restorer(argumentsByCall as Map<number | string, StreamRestorer>, `${choice.index}:${call.index}`).push(call.function.arguments) } }));
        if (choice.finish_reason) {
          for (const [key, pending] of argumentsByCall) {
            const [choiceIndex, callIndex] = key.split(':').map(Number) as [number, number];
            const rest = choiceIndex === choice.index ? pending.flush() : '';
            if (rest) delta.tool_calls = [...(delta.tool_calls ?? []), { index: callIndex, function: { arguments: rest } }];
          }
        }
        return { ...choice, delta };
      }),
    };
    // The bytes changed: the client's dialect writer re-serialises this event.
    return { chunk };
  };
  return {
    cancel: () => stream.cancel(),
    [Symbol.asyncIterator]() {
      const inner = stream[Symbol.asyncIterator]();
      return {
        next: async () => {
          const result = await inner.next();
          return result.done ? result : { done: false, value: transform(result.value) };
        },
        return: async () => {
          stream.cancel();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
