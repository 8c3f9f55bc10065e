// Classification over a request as it will be sent: every string value, every key that is not a
// schema key, every number long enough to carry an identifier, in whatever field it sits, at any
// depth; the payloads of data URLs and base64 blobs decoded, and percent-escaped, \u-escaped and
// Unicode-disguised text read as a model would read it. Linear in the size of the request, with a
// budget it refuses past rather than scanning slowly or sending unscanned. Pure: no I/O.
import { detect, resolveOverlaps, type Span } from './detectors.js';
import { schemaKeys } from './schema-keys.js';

export type PathSegment = string | number;

/**
 * How a scanned text relates to the bytes sent. `none`: they are the same, so a span can be
 * replaced in place. `percent` and `normalized`: the text is the value decoded (percent escapes,
 * Unicode compatibility forms, invisible characters removed), so only the whole value can be
 * replaced. `escape` (\u escapes inside a JSON text) and `base64` (a data URL or blob): the value
 * cannot be made safe by replacing text.
 */
export type Encoding = 'none' | 'percent' | 'normalized' | 'escape' | 'base64';

export interface ScanTarget {
  path: readonly PathSegment[];
  /** `value`: the string or number at `path`; `key`: the last key of `path`; `joined`: the `text` of the parts of the array at `path`, joined. */
  where: 'value' | 'key' | 'joined';
  encoding: Encoding;
  /** The text scanned: never logged, never recorded. */
  text: string;
  /** For `joined`: where each part starts in `text`, and the part's index in the array. */
  parts?: ReadonlyArray<{ start: number; index: number }>;
}

export interface Finding extends ScanTarget {
  /** The target's place in the list that was scanned. */
  index: number;
  spans: Span[];
}

export interface ScanLimits {
  /** Most text (UTF-16 code units, decoded payloads included) one request may carry. */
  maxChars: number;
  /** Deepest nesting walked; a deeper request cannot be scanned (nor serialised upstream). */
  maxDepth: number;
}

export type Collected = { ok: true; targets: ScanTarget[]; chars: number } | { ok: false; reason: 'too_large' | 'too_deep'; chars: number };

/** A root of the walk: the value, the path it sits at, and the keys of it not to walk (the gateway's own fields). */
export interface ScanRoot {
  path: readonly PathSegment[];
  value: unknown;
  skip?: ReadonlySet<string>;
}

/** A number this large can be an identifier (a card or account number sent as a JSON number). */
const identifierNumber = 1e6;
/** A string of only base64 characters at least this long is a payload (a file, an image, audio), not prose. */
const blobLength = 256;
const base64Text = /^[A-Za-z0-9+/]+={0,2}$/;
const percentEscape = /%[0-9A-Fa-f]{2}/;
const unicodeEscape = /\\u[0-9A-Fa-f]{4}/;
// Invisible format characters, full-width forms, mathematical alphanumerics (surrogate D835) and
// Arabic presentation forms: text a model reads as plain letters, which a pattern would miss.
const disguised = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\uFF00-\uFFEF\uFB50-\uFDFF\uFE70-\uFEFC]|\uD835/;
const formatCharacters = /\p{Cf}/gu;

/** Collects every text to scan under the roots, in one iterative walk (no recursion: nesting depth is the client's). */
export function collectTargets(roots: readonly ScanRoot[], limits: ScanLimits): Collected {
  const targets: ScanTarget[] = [];
  let chars = 0;
  /**
   * Counts the request's own text: each value, key and number once (a decoded payload counts as
   * the value it came from; decoded variants and joined parts are extra passes over counted text),
   * so a request within the body limit is within the default budget.
   */
  const add = (target: ScanTarget, cost = target.text.length): boolean => {
    chars += cost;
    targets.push(target);
    return chars <= limits.maxChars;
  };
  const stack: Array<{ path: readonly PathSegment[]; value: unknown; skip?: ReadonlySet<string> }> = [];
  for (let index = roots.length - 1; index >= 0; index -= 1) stack.push(roots[index]!);
  while (stack.length > 0) {
    const { path, value, skip } = stack.pop()!;
    if (typeof value === 'string') {
      if (!addString(path, value, add)) return { ok: false, reason: 'too_large', chars };
    } else if (typeof value === 'number') {
      if (Number.isFinite(value) && Math.abs(value) >= identifierNumber && !add({ path, where: 'value', encoding: 'none', text: String(value) })) return { ok: false, reason: 'too_large', chars };
    } else if (value !== null && typeof value === 'object') {
      if (path.length >= limits.maxDepth) return { ok: false, reason: 'too_deep', chars };
      if (Array.isArray(value)) {
        const joined = joinedParts(path, value);
        if (joined) targets.push(joined);
        for (let index = value.length - 1; index >= 0; index -= 1) stack.push({ path: [...path, index], value: value[index] });
      } else {
        const keys = Object.keys(value);
        for (let index = keys.length - 1; index >= 0; index -= 1) {
          const key = keys[index]!;
          if (skip?.has(key)) continue;
          const child = [...path, key];
          if (!schemaKeys.has(key) && key !== '' && !add({ path: child, where: 'key', encoding: 'none', text: key })) return { ok: false, reason: 'too_large', chars };
          stack.push({ path: child, value: (value as Record<string, unknown>)[key] });
        }
      }
    }
  }
  return { ok: true, targets, chars };
}

/** A string value, and what it says once decoded. False once the budget is spent. */
function addString(path: readonly PathSegment[], value: string, add: (target: ScanTarget, cost?: number) => boolean): boolean {
  if (value === '') return true;
  const payload = decodePayload(value);
  if (payload !== undefined) return add({ path, where: 'value', encoding: payload.encoding, text: payload.text }, value.length);
  if (!add({ path, where: 'value', encoding: 'none', text: value })) return false;
  if (percentEscape.test(value)) add({ path, where: 'value', encoding: 'percent', text: percentDecoded(value) }, 0);
  if (unicodeEscape.test(value)) add({ path, where: 'value', encoding: 'escape', text: unescaped(value) }, 0);
  if (disguised.test(value)) add({ path, where: 'value', encoding: 'normalized', text: value.normalize('NFKC').replace(formatCharacters, '') }, 0);
  return true;
}

/**
 * Content parts side by side (chat text parts, Responses input_text, Anthropic text blocks) reach
 * the model as one text: a value split across two parts is whole there, so the parts are scanned
 * joined as well.
 */
function joinedParts(path: readonly PathSegment[], array: readonly unknown[]): ScanTarget | undefined {
  let text = '';
  let count = 0;
  const parts: Array<{ start: number; index: number }> = [];
  for (let index = 0; index < array.length; index += 1) {
    const part = array[index] as { text?: unknown } | null;
    if (part === null || typeof part !== 'object' || typeof part.text !== 'string') continue;
    parts.push({ start: text.length, index });
    text += part.text;
    count += 1;
  }
  return count > 1 ? { path, where: 'joined', encoding: 'none', text, parts } : undefined;
}

/** The text inside a data URL or a base64 blob, or undefined when the value is neither. */
function decodePayload(value: string): { text: string; encoding: Encoding } | undefined {
  if (value.startsWith('data:')) {
    const comma = value.indexOf(',');
    if (comma < 0 || comma > 512) return undefined;
    const header = value.slice(5, comma);
    const body = value.slice(comma + 1);
    if (!/;base64$/i.test(header)) return { text: `${header}\n${percentDecoded(body)}`, encoding: 'percent' };
    return { text: `${header}\n${bytesAsText(Buffer.from(body, 'base64'), header)}`, encoding: 'base64' };
  }
  if (value.length < blobLength) return undefined;
  const compact = value.includes('\n') ? value.replace(/\r?\n/g, '') : value;
  if (compact.length % 4 !== 0 || !base64Text.test(compact)) return undefined;
  return { text: bytesAsText(Buffer.from(compact, 'base64'), ''), encoding: 'base64' };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Runs of printable characters in binary data: metadata, uncompressed text. Shorter runs in random bytes are noise (an e-mail-shaped run turns up about once in 64 MB of random bytes at length 6). */
const printableRun = /[\x20-\x7e\t]{16,}/g;

/** What a model or a reader could get out of decoded bytes: the text of a text file, the printable runs of a binary one. */
function bytesAsText(bytes: Buffer, header: string): string {
  if (/^(text\/|application\/(json|xml|csv|x-ndjson|yaml|javascript))/i.test(header) || looksLikeText(bytes)) {
    try {
      return utf8.decode(bytes);
    } catch {
      // Not UTF-8 after all: read it as binary below.
    }
  }
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

/** Percent escapes decoded where they form UTF-8, left as they are elsewhere (a lone %ZZ is not an error here). */
export function percentDecoded(text: string): string {
  const spaced = /[?=&]/.test(text) ? text.replace(/\+/g, ' ') : text;
  return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return Buffer.from(run.replace(/%/g, ''), 'hex').toString('latin1');
    }
  });
}

function unescaped(text: string): string {
  return text.replace(/\\u([0-9A-Fa-f]{4})/g, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Texts longer than this are scanned in windows, with a pause between them. */
const windowStride = 128 * 1024;
/** Every span up to this long starting in a window's own stretch is found whole in that window. */
const windowOverlap = 8 * 1024;
/** Context before a window, so a pattern's look-behind sees what precedes its stretch. */
const windowLead = 512;

/**
 * The spans in every target. Between slices of about `sliceChars` of text it awaits `pause()`, so
 * one large request never holds the event loop for long; small requests never pause.
 */
export async function detectTargets(targets: readonly ScanTarget[], pause: () => Promise<void>, sliceChars = windowStride): Promise<Finding[]> {
  const findings: Finding[] = [];
  let sinceYield = 0;
  for (let index = 0; index < targets.length; index += 1) {
    const target = targets[index]!;
    const { text } = target;
    let spans: Span[];
    if (text.length <= windowStride) {
      spans = detect(text);
      sinceYield += text.length;
    } else {
      spans = [];
      for (let start = 0; start < text.length; start += windowStride) {
        const from = Math.max(0, start - windowLead);
        const until = Math.min(text.length, start + windowStride + windowOverlap);
        for (const span of detect(text.slice(from, until))) {
          const absolute = { start: span.start + from, end: span.end + from, label: span.label };
          // Each window keeps the spans that start in its own stretch; the others are its neighbours'.
          if (absolute.start >= start && absolute.start < start + windowStride) spans.push(absolute);
        }
        sinceYield += until - from;
        if (sinceYield >= sliceChars) {
          sinceYield = 0;
          await pause();
        }
      }
      spans = resolveOverlaps(spans);
    }
    if (spans.length > 0) findings.push({ ...target, index, spans });
    if (sinceYield >= sliceChars) {
      sinceYield = 0;
      await pause();
    }
  }
  return findings;
}

/** The labels found, sorted. */
export function labelsOf(findings: readonly Finding[]): string[] {
  const labels = new Set<string>();
  for (const finding of findings) for (const span of finding.spans) labels.add(span.label);
  return [...labels].sort();
}

/**
 * A JSON path (RFC 9535 syntax) that says where a finding sits without repeating data: schema keys
 * by name, array indices by number, every other key as `*` (a key can itself be personal data).
 */
export function displayPath(path: readonly PathSegment[]): string {
  let out = '$';
  for (const segment of path.length > 32 ? path.slice(0, 32) : path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += schemaKeys.has(segment) && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment) ? `.${segment}` : '.*';
  }
  return path.length > 32 ? `${out}…` : out;
}
