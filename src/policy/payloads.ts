// Files inside a request: `data:` URLs (parsed as the WHATWG fetch standard does, so every form a
// provider would decode is decoded here) and base64 blobs. What the gateway can read of them is
// returned as text: a text file whole; of a binary file its printable runs, the streams of a PDF
// and the entries of a zip container (DOCX, XLSX, ODT) inflated, within a budget. A binary file is
// also `opaque` (image, audio, file): the gateway cannot tell all it holds. Pure: no I/O.
import { inflateRawSync, inflateSync } from 'node:zlib';
import { percentDecoded } from './text-forms.js';

export type OpaqueKind = 'image' | 'audio' | 'file';

export interface Payload {
  /** What could be read, for the detectors. */
  text: string;
  /** Set when the bytes are not text: the kind of content the gateway could not read in full. */
  opaque?: OpaqueKind;
}

/** A string of base64 characters at least this long is a payload (a file, an image, audio), not prose. */
const blobLength = 256;
const base64Characters = /^[A-Za-z0-9+/_-]+={0,2}$/;
const asciiWhitespace = /[\t\n\f\r ]/g;

/**
 * The payload of a `data:` URL or a base64 blob, or undefined when the value is neither. `maxBytes` bounds what is
 * inflated.
 */
export function decodePayload(value: string, maxBytes: number): Payload | undefined {
  const url = dataUrl(value);
  if (url) {
    const header = url.mediaType;
    if (!url.base64) return readable(Buffer.from(percentDecoded(url.body), 'latin1'), header, maxBytes);
    return readable(Buffer.from(percentDecoded(url.body).replace(asciiWhitespace, ''), 'base64'), header, maxBytes);
  }
  if (value.length < blobLength) return undefined;
  // Line breaks (MIME wraps base64 at 76 characters) but no spaces: prose is not a blob.
  const compact = value.includes('\n') ? value.replace(/\r?\n/g, '') : value;
  if (compact.length < blobLength || !base64Characters.test(compact) || !looksRandom(compact)) return undefined;
  return readable(Buffer.from(compact, 'base64'), '', maxBytes);
}

/**
 * Encoded bytes use the whole alphabet: digits and both cases within the first kilobyte (a long word or a hex string
 * does not).
 */
function looksRandom(text: string): boolean {
  const sample = text.length > 1024 ? text.slice(0, 1024) : text;
  return /[0-9]/.test(sample) && /[a-z]/.test(sample) && /[A-Z]/.test(sample) && new Set(sample).size >= 24;
}

/**
 * WHATWG fetch, "data: URL processor": case-insensitive scheme, leading and trailing whitespace
 * ignored, the media type up to the first comma, `;base64` (spaces allowed before it, any case)
 * marking a base64 body.
 */
function dataUrl(value: string): { mediaType: string; base64: boolean; body: string } | undefined {
  const trimmed = value.trim();
  if (trimmed.length < 5 || trimmed.slice(0, 5).toLowerCase() !== 'data:') return undefined;
  const comma = trimmed.indexOf(',');
  if (comma < 0) return undefined;
  let mediaType = trimmed.slice(5, comma).trim();
  const base64 = /;\s*base64\s*$/i.test(mediaType);
  if (base64) mediaType = mediaType.replace(/;\s*base64\s*$/i, '');
  return { mediaType, base64, body: trimmed.slice(comma + 1) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * Runs of printable characters in binary data: metadata, uncompressed text. Shorter runs in random bytes are noise (an
 * e-mail-shaped run turns up about once in 64 MB of random bytes at length 6).
 */
const printableRun = /[\x20-\x7e\t]{16,}/g;

function readable(bytes: Buffer, mediaType: string, maxBytes: number): Payload {
  const type = mediaType.toLowerCase();
  const textual = /^(text\/|application\/(json|xml|csv|x-ndjson|yaml|javascript)|[^;]*\+(json|xml))/.test(type);
  const media = type.startsWith('image/') || type.startsWith('audio/') || type.startsWith('video/');
  const container = isPdf(bytes) || isZip(bytes);
  if (textual || (!media && !container && looksLikeText(bytes))) {
    try {
      return { text: `${mediaType}\n${utf8.decode(bytes)}` };
    } catch {
      // Not UTF-8 after all: read as binary below.
    }
  }
  const pieces = [mediaType, printableRuns(bytes)];
  let budget = maxBytes;
  const take = (inflated: Buffer | undefined): void => {
    if (!inflated) return;
    budget -= inflated.length;
    pieces.push(
      looksLikeText(inflated) ? inflated.toString('utf8').replace(/<[^>]{0,200}>/g, ' ') : printableRuns(inflated),
    );
  };
  if (isPdf(bytes)) for (const stream of pdfStreams(bytes)) take(inflate(stream, Math.max(0, budget), false));
  else if (isZip(bytes))
    for (const entry of zipEntries(bytes))
      take(
        entry.method === 0
          ? entry.data
          : entry.method === 8
            ? inflate(entry.data, Math.max(0, budget), true)
            : undefined,
      );
  return { text: pieces.filter((piece) => piece !== '').join('\n'), opaque: kindOf(type, bytes) };
}

function printableRuns(bytes: Buffer): string {
  return bytes.toString('latin1').match(printableRun)?.join('\n') ?? '';
}

function looksLikeText(bytes: Buffer): boolean {
  const sample = Math.min(bytes.length, 4096);
  let control = 0;
  for (let index = 0; index < sample; index += 1) {
    const byte = bytes[index]!;
    if (byte === 0) return false;
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 13) control += 1;
  }
  return control * 100 <= sample;
}

/** The media type says, else the first bytes do. */
function kindOf(type: string, bytes: Buffer): OpaqueKind {
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/') || type.startsWith('video/')) return 'audio';
  if (type !== '') return 'file';
  const head = bytes.subarray(0, 12).toString('latin1');
  if (
    head.startsWith('\x89PNG') ||
    head.startsWith('\xff\xd8\xff') ||
    head.startsWith('GIF8') ||
    (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP')
  )
    return 'image';
  if (
    (head.startsWith('RIFF') && head.slice(8, 12) === 'WAVE') ||
    head.startsWith('ID3') ||
    head.startsWith('OggS') ||
    head.startsWith('fLaC') ||
    (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)
  )
    return 'audio';
  return 'file';
}

/**
 * Inflates at most `maxBytes` (a zip bomb stops there); undefined when the data is not deflate or the budget is spent.
 */
function inflate(data: Buffer, maxBytes: number, raw: boolean): Buffer | undefined {
  if (maxBytes <= 0) return undefined;
  try {
    return (raw ? inflateRawSync : inflateSync)(data, { maxOutputLength: maxBytes });
  } catch {
    // Not deflate data, or past the budget: that part stays unread (and the file opaque).
    return undefined;
  }
}

const isPdf = (bytes: Buffer): boolean => bytes.subarray(0, 5).toString('latin1') === '%PDF-';
const isZip = (bytes: Buffer): boolean => bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;

/** The bodies of a PDF's streams (`stream` … `endstream`, ISO 32000-1 §7.3.8); FlateDecode ones inflate. */
function* pdfStreams(bytes: Buffer): Generator<Buffer> {
  let cursor = 0;
  for (let found = 0; found < 10_000; found += 1) {
    const start = bytes.indexOf('stream', cursor, 'latin1');
    if (start < 0) return;
    let body = start + 6;
    if (bytes[body] === 0x0d) body += 1;
    if (bytes[body] === 0x0a) body += 1;
    const end = bytes.indexOf('endstream', body, 'latin1');
    if (end < 0) return;
    yield bytes.subarray(body, end);
    cursor = end + 9;
  }
}

/** A zip's entries from its central directory (APPNOTE.TXT §4.3.12, §4.3.16), without extracting to disk. */
function* zipEntries(bytes: Buffer): Generator<{ method: number; data: Buffer }> {
  // The end of central directory record is in the last 64 KiB + 22 bytes.
  const from = Math.max(0, bytes.length - 65_557);
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < from || end + 22 > bytes.length) return;
  const count = bytes.readUInt16LE(end + 10);
  let entry = bytes.readUInt32LE(end + 16);
  for (let index = 0; index < count && entry + 46 <= bytes.length; index += 1) {
    if (bytes.readUInt32LE(entry) !== 0x02014b50) return;
    const method = bytes.readUInt16LE(entry + 10);
    const size = bytes.readUInt32LE(entry + 20);
    const local = bytes.readUInt32LE(entry + 42);
    const next =
      entry + 46 + bytes.readUInt16LE(entry + 28) + bytes.readUInt16LE(entry + 30) + bytes.readUInt16LE(entry + 32);
    if (local + 30 <= bytes.length && bytes.readUInt32LE(local) === 0x04034b50) {
      const data = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
      if (data + size <= bytes.length) yield { method, data: bytes.subarray(data, data + size) };
    }
    entry = next;
  }
}
