// Shared scaffolding of the upstream test doubles: a real HTTP server on 127.0.0.1 that records
// every request it receives and answers from a script of behaviours (first in, first out), or
// with its default behaviour when the script is empty.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour =
  | { kind: 'ok'; text?: string }
  | { kind: 'tool-call'; name: string; arguments: string }
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'headers-then-hang' }
  | { kind: 'malformed' }
  | { kind: 'stream-cut'; afterChunks: number; text?: string }
  | { kind: 'slow'; delayMs: number };

export interface Received {
  /** When it arrived (ms since epoch). */
  at: number;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
  raw: string;
}

export interface Double {
  url: string;
  received: Received[];
  script(...behaviours: Behaviour[]): void;
  /** Behaviour used when the script is empty. */
  setDefault(behaviour: Behaviour): void;
  close(): Promise<void>;
}

export type Respond = (
  request: Received,
  behaviour: Behaviour,
  response: ServerResponse,
  socket: Socket,
) => void | Promise<void>;

/** Listens on an ephemeral loopback port; `close` ends every connection still open, then the server. */
export async function listenOnLoopback(server: Server): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A request's whole body as text, and as JSON (undefined when it is empty or not JSON): what a double was sent. */
export async function readJsonBody(request: IncomingMessage): Promise<{ raw: string; body: unknown }> {
  const pieces: Buffer[] = [];
  for await (const piece of request) pieces.push(piece as Buffer);
  const raw = Buffer.concat(pieces).toString('utf8');
  try {
    return { raw, body: raw ? JSON.parse(raw) : undefined };
  } catch {
    return { raw, body: undefined };
  }
}

export async function startDouble(respond: Respond, basePath = '/v1'): Promise<Double> {
  const received: Received[] = [];
  const queue: Behaviour[] = [];
  let fallback: Behaviour = { kind: 'ok' };
  const server: Server = createServer(async (request, response) => {
    const { raw, body } = await readJsonBody(request);
    const entry: Received = {
      at: Date.now(),
      method: request.method ?? 'GET',
      path: request.url ?? '',
      headers: request.headers,
      body,
      raw,
    };
    received.push(entry);
    const behaviour = queue.shift() ?? fallback;
    const socket = request.socket;
    switch (behaviour.kind) {
      case 'reset':
        socket.destroy();
        return;
      case 'hang':
        return;
      case 'headers-then-hang':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.flushHeaders();
        return;
      case 'malformed':
        response.writeHead(200, {
          'content-type': request.headers.accept === 'text/event-stream' ? 'text/event-stream' : 'application/json',
        });
        response.end(
          request.headers.accept === 'text/event-stream'
            ? 'data: {"id": "x", "choices": [\n\n'
            : '{"id": "x", "choices": [',
        );
        return;
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (behaviour.retryAfter) headers['retry-after'] = behaviour.retryAfter;
        response.writeHead(behaviour.status, headers);
        response.end(
          JSON.stringify({
            error: { message: behaviour.message ?? `double says ${behaviour.status}`, type: 'double' },
          }),
        );
        return;
      }
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
        await respond(entry, { kind: 'ok' }, response, socket);
        return;
      default:
        await respond(entry, behaviour, response, socket);
    }
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    received,
    script: (...behaviours) => void queue.push(...behaviours),
    setDefault: (behaviour) => void (fallback = behaviour),
    close,
  };
}

/** The text of the last user message, whatever its content shape. */
export function lastUserText(messages: Array<{ role: string; content: unknown }> | undefined): string {
  const last = [...(messages ?? [])].reverse().find((message) => message.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  if (Array.isArray(last.content))
    return last.content.map((part: any) => (part.type === 'text' ? part.text : '')).join('');
  return '';
}

/** When the conversation ends with an assistant prefix of the answer, the double continues it: it sends the rest. */
export function continuation(messages: Array<{ role: string; content: unknown }> | undefined, answer: string): string {
  const last = messages?.at(-1);
  if (last?.role !== 'assistant') return answer;
  const prefix =
    typeof last.content === 'string'
      ? last.content
      : Array.isArray(last.content)
        ? last.content.map((part: any) => (part.type === 'text' ? part.text : '')).join('')
        : '';
  return answer.startsWith(prefix) ? answer.slice(prefix.length) : answer;
}

/**
 * Streams a text in pieces through `write`; under a `stream-cut` behaviour the connection is
 * destroyed after `afterChunks` pieces. Resolves false when it cut.
 */
export async function writePieces(
  text: string,
  behaviour: Behaviour,
  socket: Socket,
  write: (piece: string) => void,
): Promise<boolean> {
  let sent = 0;
  for (const piece of pieces(text)) {
    if (behaviour.kind === 'stream-cut' && sent >= behaviour.afterChunks) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      socket.destroy();
      return false;
    }
    write(piece);
    sent += 1;
  }
  return true;
}

/** Splits a text into stream-sized pieces. */
export function pieces(text: string): string[] {
  return text.match(/.{1,4}/gs) ?? [''];
}
