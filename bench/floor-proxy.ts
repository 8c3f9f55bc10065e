// The floor for a Node gateway: a minimal node:http server piping bodies to an undici pool and back,
// with no parsing, auth, routing or logging. Nothing in Node can forward a request for less.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const port = Number(process.argv[2] ?? 9102);
// Connections: 128 for the proxy section; the slow-stream section gives as many as it holds streams.
const upstream = new Pool(process.argv[3] ?? 'http://127.0.0.1:9101', {
  connections: Number(process.argv[4] ?? 128),
  pipelining: 1,
});

const server = createServer((request, response) => {
  const pieces: Buffer[] = [];
  request.on('data', (piece: Buffer) => pieces.push(piece));
  request.on('end', () => forward(request.url ?? '/', Buffer.concat(pieces), response));
});

function forward(path: string, body: Buffer, response: import('node:http').ServerResponse): void {
  upstream
    .request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body })
    .then((answer) => {
      const headers: Record<string, string> = {};
      const type = answer.headers['content-type'];
      if (typeof type === 'string') headers['content-type'] = type;
      response.writeHead(answer.statusCode, headers);
      answer.body.pipe(response);
    })
    .catch(() => {
      response.writeHead(502);
      response.end();
    });
}
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`floor listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
