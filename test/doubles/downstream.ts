// The action gate's downstream, as a test double: a real HTTP server on 127.0.0.1 that records every
// action it is asked to execute and answers with a configurable status.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExecutedAction {
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface Downstream {
  url: string;
  received: ExecutedAction[];
  status: number;
  close(): Promise<void>;
}

export async function startDownstream(): Promise<Downstream> {
  const double: Downstream = { url: '', received: [], status: 200, close: async () => {} };
  const server = createServer((request, response) => {
    const pieces: Buffer[] = [];
    request.on('data', (piece: Buffer) => pieces.push(piece));
    request.on('end', () => {
      double.received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(pieces).toString('utf8')) });
      response.writeHead(double.status, { 'content-type': 'application/json' });
      response.end('{"executed":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/execute`;
  double.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return double;
}
