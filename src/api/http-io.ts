// Reading request bodies under a size limit and a time limit, and writing JSON and SSE with backpressure.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cancellation, GatewayError } from '../core/errors.js';
import type { DeadlineWatch } from '../providers/deadline-watch.js';

/** How long a body may take to arrive: a deadline on the gateway's clock, kept by a watch shared by every request. */
export interface BodyTimeout {
  watch: DeadlineWatch;
  /** limits.body_timeout_ms */
  ms: number;
  now(): number;
}

/**
 * The exact bytes the client sent (kept for the ledger's request hash), refused past `limit` bytes or past the
 * timeout (a body that never completes must not hold its socket), and client_closed when the client goes away
 * mid-upload (its failure, not the gateway's).
 */
export function readRequestBody(request: IncomingMessage, limit: number, timeout: BodyTimeout): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    request.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: GatewayError | undefined): void => {
      if (settled) return;
      settled = true;
      deadline.release();
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onGone);
      request.off('close', onGone);
      if (!error) {
        resolve(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size));
        return;
      }
      // What is left is read and dropped, so that the answer can be written (and the connection closed after it).
      request.resume();
      reject(error);
    };
    const onData = (piece: Buffer): void => {
      size += piece.length;
      if (size > limit) settle(tooLarge(limit));
      else pieces.push(piece);
    };
    const onEnd = (): void => settle(undefined);
    // 'error' (ECONNRESET "aborted") or 'close' before 'end': the client went away mid-upload.
    const onGone = (): void => settle(cancellation('client_closed'));
    const deadline = timeout.watch.watch(timeout.now() + timeout.ms, () =>
      settle(
        new GatewayError(
          'body_timeout',
          `The request body did not arrive in full within ${timeout.ms} ms (limits.body_timeout_ms).`,
        ),
      ),
    );
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onGone);
    request.on('close', onGone);
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    'body_too_large',
    `The request body exceeds the limit of ${limit} bytes (limits.max_body_bytes).`,
  );
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new GatewayError('invalid_json', 'The request body is empty; send a JSON object.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    // The parser's message quotes the body around the fault: keep only where it is.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new GatewayError(
      'invalid_json',
      `The request body is not valid JSON${position ? ` (at byte ${position})` : ''}.`,
    );
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  // A flat [name, value, …] list: Node writes it without building a header object.
  const list = [
    'content-type',
    headers['content-type'] ?? 'application/json',
    'content-length',
    String(Buffer.byteLength(body)),
  ];
  for (const name in headers) if (name !== 'content-type') list.push(name, headers[name]!);
  response.writeHead(status, list);
  response.end(body);
}

export const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};
