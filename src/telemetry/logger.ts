// Structured JSON logs (pino). Never log prompt or answer text, nor a key: callers pass ids, names and numbers only.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sovereign-gateway' },
      // Belt and braces: should a header object ever reach a log line, its secrets are removed.
      redact: {
        paths: ['authorization', 'headers.authorization', '*.authorization', 'x-api-key', '*["x-api-key"]', 'key'],
        censor: '[redacted]',
      },
    },
    // Written as logged, not batched: a 4 KB batch sat in memory at low traffic and was lost with the
    // process (kill -9, a crash, process.exit). Measured here, 50k lines one per event-loop turn into a
    // pipe: 10.8 µs a line synchronous, 9.8 µs batched, 11.5 µs asynchronous unbatched.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
