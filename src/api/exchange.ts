// What a dialect handler is given for one HTTP exchange, what it reports back, and the relay of
// a started stream to the client, with the stream's opening and closing ledger entries.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, ProviderError } from '../core/errors.js';
import type { ChatStream, StreamEvent } from '../core/provider.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { Tenant } from '../pipeline/auth.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { CallRecorder } from './call-record.js';
import type { ExchangeOutcome } from './outcome.js';

export type { ExchangeOutcome } from './outcome.js';
import { asGatewayError } from './errors.js';
import { sseHeaders } from './http-io.js';

export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  requestId: string;
  /** The exact request bytes. */
  body: Buffer;
  tenant: Tenant;
  gateway: Gateway;
  metrics: Metrics;
  recorder: CallRecorder;
  /** Seconds since the exchange started (monotonic). */
  elapsed: () => number;
}

/** A complete answer for the server to record and send. */
export interface Reply {
  status: number;
  body: string | Buffer;
  /** Default application/json. */
  contentType?: string;
}

/** Turns neutral stream events into a dialect's SSE bytes. */
export interface StreamWriter {
  event(event: StreamEvent): string | Buffer | undefined;
  end(): string;
  error(message: string, code: string): string;
}

/**
 * Relays a started upstream stream to the client, event by event (never buffered whole), honouring
 * backpressure. Its opening ledger entry is durable before the headers leave (its index is the
 * `x-sovereign-receipt` header); its closing entry records the SHA-256 of every SSE byte delivered
 * before the final `: x-sovereign-receipt-close <index>` comment, which announces it. A failure
 * after the first byte ends the stream with the dialect's error event.
 */
/** Asked for a continuation when a stream breaks mid-way: the text delivered so far, the providers that failed. */
export type ContinueStream = (delivered: string, failed: ReadonlySet<string>) => Promise<{ stream: ChatStream; provider: string; attempts: ReadonlyArray<{ provider: string; outcome: string }> } | undefined>;

export async function relayStream(exchange: Exchange, stream: ChatStream, writer: StreamWriter, outcome: ExchangeOutcome, headers: Record<string, string>, continueStream?: ContinueStream): Promise<void> {
  const { response } = exchange;
  let openIndex: number;
  try {
    openIndex = await exchange.recorder.open(outcome);
  } catch (error) {
    stream.cancel();
    throw new GatewayError('ledger_unavailable', 'The ledger could not record the opening of this stream; nothing was sent.', { cause: error });
  }
  let clientGone = false;
  const onClose = (): void => {
    if (!response.writableFinished) {
      clientGone = true;
      stream.cancel();
    }
  };
  response.on('close', onClose);
  const digest = createHash('sha256');
  let bytesDelivered = 0;
  const deliver = (piece: string | Buffer): boolean => {
    digest.update(piece);
    bytesDelivered += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
    return response.write(piece);
  };
  response.writeHead(200, { ...headers, ...sseHeaders, 'x-sovereign-receipt': String(openIndex) });
  exchange.metrics.timeToFirstByte.observe([outcome.alias ?? '', outcome.candidate?.provider.description.id ?? ''], exchange.elapsed());
  // Events that arrive together (one upstream read) leave together: the socket is corked while
  // they are written and uncorked once the current burst of microtasks is done, so a 20-event
  // answer costs a few writes instead of twenty, and no event waits for a timer.
  let corked = false;
  const uncork = (): void => {
    corked = false;
    response.uncork();
  };
  let result: { outcome: 'ok' | 'error' | 'client_closed'; errorCode: string | null } = { outcome: 'ok', errorCode: null };
  // What the client has received of the answer, for a continuation elsewhere if this upstream breaks.
  let delivered = '';
  let continuable = continueStream !== undefined;
  const failed = new Set<string>();
  let current = stream;
  let provider = outcome.candidate?.provider.description.id ?? '';
  try {
    for (;;) {
      try {
        for await (const event of current) {
          if (event.chunk.usage) outcome.usage = event.chunk.usage;
          const delta = event.chunk.choices[0]?.delta;
          if (delta?.tool_calls || event.chunk.choices.length > 1) continuable = false;
          if (typeof delta?.content === 'string') delivered += delta.content;
          const piece = writer.event(event);
          if (piece === undefined) continue;
          if (!corked) {
            corked = true;
            response.cork();
            process.nextTick(uncork);
          }
          if (!deliver(piece) && !response.destroyed) {
            if (corked) uncork();
            await new Promise<void>((resolve) => {
              const done = (): void => {
                response.off('drain', done);
                response.off('close', done);
                resolve();
              };
              response.on('drain', done);
              response.on('close', done);
            });
          }
          if (clientGone) break;
        }
        break;
      } catch (error) {
        if (clientGone) throw error;
        failed.add(provider);
        const kind = error instanceof ProviderError ? error.kind : asGatewayError(error).code;
        outcome.attempts = [...(outcome.attempts ?? []), { provider, outcome: `broken_${kind}` }];
        // A plain-text answer broken mid-way goes on with the next allowed candidate, in the same stream.
        const next = continuable ? await continueStream!(delivered, failed) : undefined;
        if (!next) throw error;
        outcome.attempts = [...outcome.attempts, ...next.attempts];
        current = next.stream;
        provider = next.provider;
      }
    }
    if (clientGone) result = { outcome: 'client_closed', errorCode: 'client_closed' };
    else deliver(writer.end());
  } catch (error) {
    if (clientGone) {
      result = { outcome: 'client_closed', errorCode: 'client_closed' };
    } else {
      const failure = asGatewayError(error);
      const code = failure.code === 'internal_error' ? 'upstream_error' : failure.code;
      outcome.streamError = code;
      result = { outcome: 'error', errorCode: code };
      deliver(writer.error(`The upstream failed mid-stream: ${(error as Error).message}`, code));
    }
  } finally {
    response.off('close', onClose);
  }
  let closeIndex: number | undefined;
  try {
    closeIndex = await exchange.recorder.close(openIndex, outcome, { ...result, responseSha256: digest.digest('hex'), bytesDelivered });
  } catch {
    // The opening entry stays open and is closed as `interrupted` at the next start.
  }
  if (!response.destroyed) response.end(closeIndex === undefined ? undefined : `: x-sovereign-receipt-close ${closeIndex}\n\n`);
}
