// A test double of an upstream whose answers the test writes by hand: each request is held until the
// test says what to send (headers, bytes, a drip on real timers, the end), and the test sees when the
// gateway closes the connection. For slow drips, keep-alive comments and cuts at exact points, where
// the scripted behaviours of http-double.ts are too coarse. A real HTTP server on 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readJsonBody } from './http-double.js';

export interface HeldExchange {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** Sends the status line and headers now (before any body). */
  head(status?: number, headers?: Record<string, string>): void;
  /** Writes bytes and resolves once the socket has handed them to the kernel. */
  write(data: string | Buffer): Promise<void>;
  end(data?: string | Buffer): void;
  /** Resets the connection (TCP RST): an upstream that dies mid-answer. */
  reset(): void;
  /** Writes `piece` every `everyMs` of real time until the connection closes (the drip of a slow upstream). */
  drip(piece: string, everyMs: number): void;
  /** Body bytes written so far. */
  readonly bytesWritten: number;
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>;
  /** True once it is closed. */
  readonly isClosed: boolean;
  /** True once the gateway closed the connection before this side ended the answer. */
  readonly abandoned: boolean;
  /** Bytes written but still buffered on this side (the reader is not taking them). */
  readonly pending: number;
}

export interface ScriptedUpstream {
  url: string;
  /** Every request received, in order. */
  exchanges: HeldExchange[];
  /** The next request not yet taken (waits for it). */
  next(): Promise<HeldExchange>;
  close(): Promise<void>;
}

export async function startScriptedUpstream(basePath = '/v1'): Promise<ScriptedUpstream> {
  const exchanges: HeldExchange[] = [];
  let taken = 0;
  const waiters: Array<() => void> = [];
  const server = createServer(async (request, response) => {
    const { body } = await readJsonBody(request);
    exchanges.push(held(request, response, body));
    for (const wake of waiters.splice(0)) wake();
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    exchanges,
    async next() {
      while (taken >= exchanges.length) await new Promise<void>((resolve) => waiters.push(resolve));
      taken += 1;
      return exchanges[taken - 1]!;
    },
    close,
  };
}

function held(request: IncomingMessage, response: ServerResponse, body: unknown): HeldExchange {
  let bytesWritten = 0;
  let ended = false;
  let abandoned = false;
  let isClosed = false;
  const closed = new Promise<void>((resolve) =>
    response.on('close', () => {
      abandoned = !ended;
      isClosed = true;
      resolve();
    }),
  );
  const write = (data: string | Buffer): Promise<void> =>
    new Promise((resolve) => {
      if (response.destroyed) return resolve();
      bytesWritten += Buffer.byteLength(data);
      response.write(data, () => resolve());
    });
  return {
    method: request.method ?? 'GET',
    path: request.url ?? '',
    headers: request.headers,
    body,
    head(status = 200, headers = { 'content-type': 'application/json' }) {
      response.writeHead(status, headers);
      response.flushHeaders();
    },
    write,
    end(data) {
      ended = true;
      response.end(data);
    },
    reset() {
      response.socket?.resetAndDestroy();
    },
    drip(piece, everyMs) {
      const timer = setInterval(() => void write(piece), everyMs);
      response.on('close', () => clearInterval(timer));
    },
    get bytesWritten() {
      return bytesWritten;
    },
    closed,
    get isClosed() {
      return isClosed;
    },
    get abandoned() {
      return abandoned;
    },
    get pending() {
      return response.writableLength;
    },
  };
}

/** One OpenAI chat.completion.chunk event carrying `content`. */
export function chunkEvent(content: string): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 1, model: 'm1', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
}
