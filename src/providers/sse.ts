// Splits an upstream text/event-stream body into events, keeping each event's exact bytes so a
// same-dialect client can be sent them unchanged (no re-serialisation on the relay path).
// Written here rather than taken from a library: the relay needs the raw bytes of every event,
// which the SSE parsers on npm (eventsource-parser…) do not hand back, and it runs once per
// streamed token, so it is push-based and synchronous (no async iterator per event).

export interface SseEvent {
  /** The `event:` field, or undefined. */
  event: string | undefined;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The event's bytes as received, including its terminating blank line. */
  raw: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;
const dataPrefix = Buffer.from('data: ');

export class SseParser {
  private pending: Buffer | undefined;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  /** Feeds bytes as they arrive; complete events are handed to `onEvent` at once. */
  feed(piece: Buffer): void {
    const buffer = this.pending ? Buffer.concat([this.pending, piece]) : piece;
    let start = 0;
    for (;;) {
      const end = findEventEnd(buffer, start);
      if (end < 0) break;
      const event = parseEvent(buffer.subarray(start, end));
      if (event) this.onEvent(event);
      start = end;
    }
    this.pending = start < buffer.length ? buffer.subarray(start) : undefined;
  }

  /** The body ended: a last event without its blank line still counts. */
  end(): void {
    if (this.pending && this.pending.length > 0) {
      const event = parseEvent(this.pending);
      this.pending = undefined;
      if (event) this.onEvent(event);
    }
  }
}

/** Index just past the blank line ending the event that starts at `start`, or -1. */
function findEventEnd(buffer: Buffer, start: number): number {
  let index = buffer.indexOf(LF, start);
  while (index >= 0) {
    const next = index + 1;
    if (next < buffer.length && buffer[next] === LF) return next + 1; // \n\n
    if (next + 1 < buffer.length && buffer[next] === CR && buffer[next + 1] === LF) return next + 2; // \n\r\n
    index = buffer.indexOf(LF, next);
  }
  return -1;
}

export function parseEvent(raw: Buffer): SseEvent | undefined {
  // Fast path, the shape every OpenAI-compatible server sends: one `data: …` line.
  if (raw.length > dataPrefix.length + 1 && raw.compare(dataPrefix, 0, dataPrefix.length, 0, dataPrefix.length) === 0) {
    const firstNewline = raw.indexOf(LF, dataPrefix.length);
    let contentEnd = firstNewline;
    if (contentEnd > 0 && raw[contentEnd - 1] === CR) contentEnd -= 1;
    const rest = firstNewline + 1;
    if (
      firstNewline > 0 &&
      (rest === raw.length - 1 || (rest === raw.length - 2 && raw[rest] === CR) || rest === raw.length)
    ) {
      return { event: undefined, data: raw.toString('utf8', dataPrefix.length, contentEnd), raw };
    }
  }
  const text = raw.toString('utf8');
  let event: string | undefined;
  let data: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
    else if (field === 'event') event = value;
  }
  if (data === undefined && event === undefined) return undefined;
  return { event, data: data ?? '', raw };
}
