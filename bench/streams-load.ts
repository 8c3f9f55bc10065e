// The load generator of the slow-stream bench: holds STREAMS streams open at once against URL (a
// ramp of 100 every 20 ms), records each stream's time to first byte and every gap between two
// reads, and prints one JSON line of counts and percentiles. Loopback only; every stream is bounded
// (60 s) and the process exits when all have ended.
//   node --import tsx bench/streams-load.ts URL STREAMS [API_KEY]
import { Agent, request } from 'node:http';

const url = new URL(process.argv[2]!);
const streams = Number(process.argv[3]);
const key = process.argv[4] ?? 'none';
// No keep-alive: each stream has its own connection, as concurrent clients do.
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const body = Buffer.from(
  JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'Say hello slowly.' }] }),
);
const ttfb: number[] = [];
const gaps: number[] = [];
let ok = 0;
let failed = 0;
/** Why streams failed: an HTTP status, an unterminated stream, or a socket error's code. */
const reasons: Record<string, number> = {};
const count = (reason: string): void => {
  reasons[reason] = (reasons[reason] ?? 0) + 1;
};

function one(): Promise<void> {
  return new Promise((done) => {
    const started = process.hrtime.bigint();
    let previous = 0n;
    let tail = '';
    let sawDone = false;
    const fail = (error?: Error & { code?: string }): void => {
      failed += 1;
      count(error?.code ?? error?.message ?? 'error');
      done();
    };
    const call = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${key}` },
      },
      (response) => {
        response.setEncoding('utf8');
        response.on('data', (piece: string) => {
          const now = process.hrtime.bigint();
          if (previous === 0n) ttfb.push(Number(now - started) / 1e6);
          else gaps.push(Number(now - previous) / 1e6);
          previous = now;
          // The gateway follows [DONE] with its receipt comment: the terminator is looked for in every read.
          const seen = tail + piece;
          if (seen.includes('data: [DONE]')) sawDone = true;
          tail = seen.slice(-16);
        });
        response.on('end', () => {
          if (response.statusCode === 200 && sawDone) ok += 1;
          else {
            failed += 1;
            count(response.statusCode === 200 ? 'no [DONE]' : `status ${response.statusCode}`);
          }
          done();
        });
        response.on('error', fail);
      },
    );
    call.on('error', fail);
    call.setTimeout(60_000, () => call.destroy(new Error('timeout')));
    call.end(body);
  });
}

const quantile = (values: number[], fraction: number): number => {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(fraction * values.length))]!;
};
const started = Date.now();
const all: Array<Promise<void>> = [];
for (let index = 0; index < streams; index += 1) {
  all.push(one());
  if (index % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 20));
}
await Promise.all(all);
process.stdout.write(
  `${JSON.stringify({
    ok,
    failed,
    reasons,
    ttfb: { p50: quantile(ttfb, 0.5), p99: quantile(ttfb, 0.99), max: quantile(ttfb, 1) },
    gap: { p99: quantile(gaps, 0.99), max: quantile(gaps, 1) },
    chunks: gaps.length + ttfb.length,
    seconds: (Date.now() - started) / 1000,
  })}\n`,
);
process.exit(0);
