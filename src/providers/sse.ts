// Splits an upstream text/event-stream body into events, keeping each event's exact bytes so a
// same-dialect client can be sent them unchanged (no re-serialisation on the relay path).
// Written here rather than taken from a library: the relay needs the raw bytes of every event,
// which the SSE parsers on npm (eventsource-parser…) do not hand back, and it runs once per
// streamed token, so it is push-based and synchronous (no async iterator per event).
// Linear in the bytes fed: an event split over many chunks is kept as a list of pieces and joined
// once, when its blank line arrives; only the new bytes are searched. An event longer than
// `maxEventBytes` is refused, so an upstream that never ends an event cannot grow the buffer.

export interface SseEvent {
  /** The `event:` field, or undefined. */
  event: string | undefined;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The event's bytes as received, including its terminating blank line. */
  raw: Buffer;
}

/** An event grew past the parser's bound without its blank line. */
export class SseEventTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`an SSE event longer than ${limit} bytes`);
    this.name = 'SseEventTooLarge';
  }
}

/** Longest event kept while waiting for its blank line: far above any chat chunk, far below memory trouble. */
export const defaultMaxEventBytes = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const dataPrefix = Buffer.from('data: ');

export class SseParser {
  /** The start of an event whose blank line has not arrived, in the pieces it came in. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** The last two bytes of `pending` (-1 when absent), to find a blank line split across chunks. */
  private last = -1;
  private beforeLast = -1;

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly maxEventBytes = defaultMaxEventBytes,
  ) {}

  /** Feeds bytes as they arrive; complete events are handed to `onEvent` at once. Throws SseEventTooLarge. */
  feed(piece: Buffer): void {
    let start = 0;
    if (this.pendingLength > 0) {
      const end = this.endAcross(piece);
      if (end < 0) {
        this.keep(piece);
        return;
      }
      this.pending.push(piece.subarray(0, end));
      const raw = Buffer.concat(this.pending, this.pendingLength + end);
      this.clear();
      this.emit(raw);
      start = end;
    }
    for (;;) {
      const end = findEventEnd(piece, start);
      if (end < 0) break;
      this.emit(piece.subarray(start, end));
      start = end;
    }
    if (start < piece.length) this.keep(start === 0 ? piece : piece.subarray(start));
  }

  /** The body ended: a last event without its blank line still counts. */
  end(): void {
    if (this.pendingLength === 0) return;
    const raw = Buffer.concat(this.pending, this.pendingLength);
    this.clear();
    this.emit(raw);
  }

  private emit(raw: Buffer): void {
    const event = parseEvent(raw);
    if (event) this.onEvent(event);
  }

  /** Index in `piece` just past the blank line ending the pending event, or -1. */
  private endAcross(piece: Buffer): number {
    if (this.last === LF) {
      if (piece[0] === LF) return 1; // \n | \n
      if (piece[0] === CR && piece.length > 1 && piece[1] === LF) return 2; // \n | \r\n
    } else if (this.last === CR && this.beforeLast === LF && piece[0] === LF) return 1; // \n\r | \n
    return findEventEnd(piece, 0);
  }

  private keep(piece: Buffer): void {
    if (this.pendingLength + piece.length > this.maxEventBytes) {
      this.clear();
      throw new SseEventTooLarge(this.maxEventBytes);
    }
    this.pending.push(piece);
    this.pendingLength += piece.length;
    if (piece.length >= 2) {
      this.beforeLast = piece[piece.length - 2]!;
      this.last = piece[piece.length - 1]!;
    } else if (piece.length === 1) {
      this.beforeLast = this.last;
      this.last = piece[0]!;
    }
  }

  private clear(): void {
    this.pending = [];
    this.pendingLength = 0;
    this.last = -1;
    this.beforeLast = -1;
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
