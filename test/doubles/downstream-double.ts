// The action gate's downstream as a test double: a real HTTP server on 127.0.0.1 that records every
// action it is asked to execute, and answers with a chosen status, or not at all (to test deadlines).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExecutedAction {
  headers: Record<string, string | string[] | undefined>;
  /** The body as parsed JSON. */
  body: any;
  /** The body's exact text (to see a decimal string arrive as sent). */
  text: string;
}

export interface DownstreamDouble {
  url: string;
  received: ExecutedAction[];
  /** What the next requests are answered with: an HTTP status, or `silent` (headers never sent). */
  answer: number | 'silent';
  close(): Promise<void>;
}

export async function startDownstreamDouble(): Promise<DownstreamDouble> {
  const silent = new Set<ServerResponse>();
  const double: DownstreamDouble = { url: '', received: [], answer: 200, close: async () => {} };
  const server = createServer((request, response) => {
    const pieces: Buffer[] = [];
    request.on('data', (piece: Buffer) => pieces.push(piece));
    request.on('end', () => {
      const text = Buffer.concat(pieces).toString('utf8');
      double.received.push({ headers: request.headers, body: JSON.parse(text), text });
      if (double.answer === 'silent') return void silent.add(response);
      response.writeHead(double.answer, { 'content-type': 'application/json' });
      response.end('{"executed":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/execute`;
  double.close = () =>
    new Promise<void>((resolve) => {
      for (const response of silent) response.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return double;
}
