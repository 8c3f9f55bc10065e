// Reading request bodies under a size limit, and writing JSON and SSE with backpressure.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../core/errors.js';

/** The exact bytes the client sent (kept for the ledger's request hash), refused past `limit`. */
export function readRequestBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    request.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let size = 0;
    request.on('data', (piece: Buffer) => {
      size += piece.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(tooLarge(limit));
        return;
      }
      pieces.push(piece);
    });
    request.on('end', () => resolve(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size)));
    request.on('error', reject);
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
