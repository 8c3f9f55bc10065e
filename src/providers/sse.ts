// Splits an upstream text/event-stream body into events, keeping each event's exact bytes so a
// same-dialect client can be sent them unchanged (no re-serialisation on the relay path).
// Written here rather than taken from a library: the relay needs the raw bytes of every event,
// which the SSE parsers on npm (eventsource-parser…) do not hand back.

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

/** Yields events as they complete; a trailing event without its blank line is yielded at the end. */
export async function* readSseEvents(body: AsyncIterable<Buffer>): AsyncGenerator<SseEvent> {
  let pending: Buffer | undefined;
  for await (const piece of body) {
    let buffer = pending ? Buffer.concat([pending, piece]) : piece;
    let start = 0;
    for (;;) {
      const end = findEventEnd(buffer, start);
      if (end < 0) break;
      const event = parseEvent(buffer.subarray(start, end));
      if (event) yield event;
      start = end;
    }
    pending = start < buffer.length ? buffer.subarray(start) : undefined;
    buffer = Buffer.alloc(0);
  }
  if (pending && pending.length > 0) {
    const event = parseEvent(pending);
    if (event) yield event;
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

function parseEvent(raw: Buffer): SseEvent | undefined {
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
