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
    destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
}
