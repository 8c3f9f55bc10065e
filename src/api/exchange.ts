// What a dialect handler is given for one HTTP exchange, and what it reports back for logs and metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Usage } from '../core/chat.js';
import type { StreamEvent, ChatStream } from '../core/provider.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { Tenant } from '../pipeline/auth.js';
import type { Metrics } from '../telemetry/metrics.js';
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
  /** Seconds since the exchange started (monotonic). */
  elapsed: () => number;
}

/** Filled in by handlers as they learn it. */
export interface ExchangeOutcome {
  alias?: string;
  provider?: string;
  usage?: Usage;
  stream?: boolean;
  /** Set when a stream ended with an error event after its headers were sent. */
  streamError?: string;
}

/** Turns neutral stream events into a dialect's SSE bytes. */
export interface StreamWriter {
  event(event: StreamEvent): string | Buffer | undefined;
  end(): string;
  error(message: string, code: string): string;
}

/**
 * Relays a started upstream stream to the client, event by event (never buffered whole), honouring
 * backpressure; a failure after the first byte ends the stream with the dialect's error event.
 */
export async function relayStream(exchange: Exchange, stream: ChatStream, writer: StreamWriter, outcome: ExchangeOutcome, headers: Record<string, string>): Promise<void> {
  const { response } = exchange;
  let clientGone = false;
  const onClose = (): void => {
    if (!response.writableFinished) {
      clientGone = true;
      stream.cancel();
    }
  };
  response.on('close', onClose);
  response.writeHead(200, { ...headers, ...sseHeaders });
  exchange.metrics.timeToFirstByte.observe([outcome.alias ?? '', outcome.provider ?? ''], exchange.elapsed());
  // Events that arrive together (one upstream read) leave together: the socket is corked while
  // they are written and uncorked once the current burst of microtasks is done, so a 20-event
  // answer costs a few writes instead of twenty, and no event waits for a timer.
  let corked = false;
  const uncork = (): void => {
    corked = false;
    response.uncork();
  };
  try {
    for await (const event of stream) {
      if (event.chunk.usage) outcome.usage = event.chunk.usage;
      const piece = writer.event(event);
      if (piece === undefined) continue;
      if (!corked) {
        corked = true;
        response.cork();
        process.nextTick(uncork);
      }
      if (!response.write(piece) && !response.destroyed) {
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
      if (clientGone) return;
    }
    response.end(writer.end());
  } catch (error) {
    if (clientGone) return;
    const failure = asGatewayError(error);
    const code = failure.code === 'internal_error' ? 'upstream_error' : failure.code;
    outcome.streamError = code;
    response.end(writer.error(`The upstream failed mid-stream: ${(error as Error).message}`, code));
  } finally {
    response.off('close', onClose);
  }
}
