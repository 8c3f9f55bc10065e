// A started upstream stream turned into the bytes a client receives: each neutral event written in
// the client's dialect, an upstream broken mid-way continued on the next allowed candidate in the
// same stream, and the closing ledger entry (the SHA-256 of every byte delivered) announced by the
// last line, `: x-sovereign-receipt-close <index>`. Pulled by the API one piece at a time, so
// backpressure reaches the upstream; never buffered whole.
import { createHash } from 'node:crypto';
import type { ChatMessage, ToolCall } from '../core/chat.js';
import { asGatewayError, type ErrorCode, type GatewayError, ProviderError } from '../core/errors.js';
import type { ChatStream, StreamEvent } from '../core/provider.js';
import { describeFailure, safeMessage } from './health.js';
import type { CallOutcome, CallRecorder, CallState } from './record.js';

/** Turns neutral stream events into a dialect's SSE bytes (one writer per stream: it may keep state). */
export interface StreamWriter {
  event(event: StreamEvent): string | Buffer | undefined;
  /** The last bytes of a complete stream; a dialect that keeps state stores it first. */
  end(): string | Promise<string>;
  error(message: string, code: string): string;
}

/** Asked for a continuation when a stream breaks mid-way: the text delivered so far, the providers that failed. */
export type ContinueStream = (
  delivered: string,
  failed: ReadonlySet<string>,
) => Promise<
  { stream: ChatStream; provider: string; attempts: ReadonlyArray<{ provider: string; outcome: string }> } | undefined
>;

export interface RelayedStream {
  /** The bytes to send, in order; the last is the closing entry's announcement. */
  pieces: AsyncGenerator<string | Buffer, void, undefined>;
  /** The client went away: stop the upstream now (a pending read ends) and record `client_closed`. */
  cancel(): void;
  /**
   * The gateway ends the stream (routing.max_stream_s, a revoked key, a shutdown past its grace): the upstream is
   * stopped now, the client is sent `failure` as the last event, and the closing entry records `outcome`.
   */
  stop(outcome: Extract<CallOutcome, 'deadline' | 'shutdown' | 'refused'>, failure: GatewayError): void;
}

/** The code a stream that broke mid-way ends with: how its upstream failed, as the dispatch names it. */
function brokenCode(error: unknown): ErrorCode {
  if (error instanceof ProviderError) {
    if (error.kind === 'timeout') return 'upstream_timeout';
    if (error.kind === 'invalid_response') return 'upstream_invalid_response';
    return 'upstream_error';
  }
  const failure = asGatewayError(error);
  return failure.code === 'internal_error' ? 'upstream_error' : failure.code;
}

export function relay(
  stream: ChatStream,
  writer: StreamWriter,
  state: CallState,
  recorder: CallRecorder,
  openIndex: number,
  continueStream: ContinueStream | undefined,
  /** Handed the whole answer once a stream has ended well and its closing entry is recorded (the learning loop). */
  finished?: (answer: ChatMessage, closeIndex: number) => void,
): RelayedStream {
  let clientGone = false;
  let stopped: { outcome: CallOutcome; failure: GatewayError } | undefined;
  let ended = false;
  let current = stream;
  async function* pieces(): AsyncGenerator<string | Buffer, void, undefined> {
    const digest = createHash('sha256');
    let bytesDelivered = 0;
    const deliver = (piece: string | Buffer): string | Buffer => {
      digest.update(piece);
      bytesDelivered += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
      return piece;
    };
    let result: { outcome: CallOutcome; errorCode: string | null } = {
      outcome: 'ok',
      errorCode: null,
    };
    // What the client has received of the answer, for a continuation elsewhere if this upstream breaks.
    let delivered = '';
    let continuable = continueStream !== undefined;
    const failed = new Set<string>();
    let provider = state.candidate?.provider.description.id ?? '';
    // The answer's tool calls, assembled from their deltas, only when someone asked for the whole answer.
    const toolCalls: ToolCall[] | undefined = finished ? [] : undefined;
    try {
      for (;;) {
        try {
          for await (const event of current) {
            if (event.chunk.usage) state.usage = event.chunk.usage;
            const choice = event.chunk.choices[0];
            // Several choices (n > 1) interleave their deltas: neither continued elsewhere nor assembled past the first.
            if (choice?.delta.tool_calls || event.chunk.choices.length > 1 || (choice && choice.index !== 0))
              continuable = false;
            const delta = choice?.index === 0 ? choice.delta : undefined;
            if (typeof delta?.content === 'string') delivered += delta.content;
            if (toolCalls && delta?.tool_calls) assembleToolCalls(toolCalls, delta.tool_calls);
            const piece = writer.event(event);
            if (piece !== undefined) yield deliver(piece);
            if (clientGone || stopped) break;
          }
          break;
        } catch (error) {
          if (clientGone) throw error;
          if (stopped) break;
          failed.add(provider);
          const kind = error instanceof ProviderError ? error.kind : asGatewayError(error).code;
          state.attempts = [...(state.attempts ?? []), { provider, outcome: `broken_${kind}` }];
          // A plain-text answer broken mid-way goes on with the next allowed candidate, in the same stream.
          const next = continuable ? await continueStream!(delivered, failed) : undefined;
          // Ended by the client or the gateway while the continuation was being found: it is not started.
          if (next && (clientGone || stopped)) next.stream.cancel();
          if (clientGone) throw error;
          if (stopped) break;
          if (!next) throw error;
          state.attempts = [...state.attempts, ...next.attempts];
          current = next.stream;
          provider = next.provider;
        }
      }
      if (clientGone) result = { outcome: 'client_closed', errorCode: 'client_closed' };
      else if (stopped) {
        state.error = stopped.failure.code;
        result = { outcome: stopped.outcome, errorCode: stopped.failure.code };
        yield deliver(writer.error(stopped.failure.message, stopped.failure.code));
      } else {
        let last: string;
        try {
          last = await writer.end();
        } catch (error) {
          // The dialect could not finish its own part (e.g. storing the answer): the gateway's failure, not the upstream's.
          const failure = asGatewayError(error);
          state.error = failure.code;
          result = { outcome: 'error', errorCode: failure.code };
          last = writer.error(failure.message, failure.code);
        }
        yield deliver(last);
      }
    } catch (error) {
      if (clientGone) {
        result = { outcome: 'client_closed', errorCode: 'client_closed' };
      } else {
        const code = brokenCode(error);
        state.error = code;
        // Cut by its idle time (routing.stream_idle_timeout_ms): a bound of the gateway's ended it.
        result = { outcome: code === 'upstream_timeout' ? 'deadline' : 'error', errorCode: code };
        // How it failed in the gateway's words: an upstream's own text can quote another tenant's request.
        const how = error instanceof ProviderError ? describeFailure(error) : safeMessage(asGatewayError(error));
        yield deliver(writer.error(`The upstream failed mid-stream: ${how}`, code));
      }
    } finally {
      ended = true;
      // Also when the client went away and the API stopped pulling: the stream is closed in the ledger.
      if (clientGone && result.outcome === 'ok') result = { outcome: 'client_closed', errorCode: 'client_closed' };
      let closeIndex: number | undefined;
      try {
        closeIndex = await recorder.close(openIndex, state, {
          ...result,
          responseSha256: digest.digest('hex'),
          bytesDelivered,
        });
      } catch {
        // The opening entry stays open and is closed as `interrupted` at the next start.
      }
      if (closeIndex !== undefined && !clientGone) {
        if (finished && result.outcome === 'ok') {
          const calls = toolCalls!.filter((call) => call !== undefined);
          finished(
            {
              role: 'assistant',
              content: delivered === '' && calls.length > 0 ? null : delivered,
              ...(calls.length > 0 ? { tool_calls: calls } : {}),
            },
            closeIndex,
          );
        }
        yield `: x-sovereign-receipt-close ${closeIndex}\n\n`;
      }
    }
  }
  return {
    pieces: pieces(),
    cancel() {
      clientGone = true;
      current.cancel();
    },
    stop(outcome, failure) {
      if (clientGone || stopped || ended) return;
      stopped = { outcome, failure };
      current.cancel();
    },
  };
}

/** Tool-call deltas folded into whole calls: the first delta of an index names it, later ones add to its arguments. */
function assembleToolCalls(
  calls: ToolCall[],
  deltas: NonNullable<StreamEvent['chunk']['choices'][number]['delta']['tool_calls']>,
): void {
  for (const delta of deltas) {
    const call = (calls[delta.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.function.name += delta.function.name;
    if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
  }
}
