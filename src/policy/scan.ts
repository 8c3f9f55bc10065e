// Classification over a request as it will be sent: every string value, every key that is not a
// schema key, every number that has the digits of an identifier, in whatever field it sits, at any
// depth; JSON texts inside strings (tool-call arguments) walked as structures; files decoded (see
// payloads.ts) and escaped or disguised text read as a model would read it (text-forms.ts). Linear
// in the size of the request, with a budget it refuses past rather than scanning slowly or sending
// unscanned, and pauses so one large request never holds the event loop long. Pure: no I/O.
import { detect, resolveOwnedOverlaps, type Span } from './detectors.js';
import { decodePayload, type OpaqueKind } from './payloads.js';
import { schemaKeys } from './schema-keys.js';
import { decodedForms } from './text-forms.js';

export type PathSegment = string | number;

/**
 * How a scanned text relates to the bytes sent. `none`: they are the same, so a span can be
 * replaced in place. `percent`, `normalized`: the value decoded (percent escapes; Unicode read as
 * its letters), so a value found only there is replaced with the whole string. `escape` (\u
 * escapes), `json` (inside a JSON text held in a string, as tool-call arguments are) and `base64`
 * (a file): replacing text there cannot make the value safe unless the raw text holds it too.
 */
export type Encoding = 'none' | 'percent' | 'normalized' | 'escape' | 'json' | 'base64';

/**
 * A path as a chain of parent links, built into an array only for what is found (a deep request must not cost its depth
 * per node).
 */
export interface PathNode {
  readonly parent: PathNode | undefined;
  readonly segment: PathSegment;
}

export function pathOf(node: PathNode | undefined): PathSegment[] {
  const path: PathSegment[] = [];
  for (let at = node; at; at = at.parent) path.push(at.segment);
  return path.reverse();
}

export interface ScanTarget {
  node: PathNode | undefined;
  /**
   * `value`: the string or number at the path; `key`: the path's last key; `joined`: the `text` of the parts of the
   * array at the path, joined.
   */
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
  path: readonly PathSegment[];
  spans: Span[];
}

/** Content the gateway could not read in full (an image, audio, a binary file, token ids): it may hold anything. */
export interface OpaqueContent {
  path: readonly PathSegment[];
  kind: OpaqueKind | 'tokens';
}

export interface ScanLimits {
  /** Most text (UTF-16 code units, plus one for each value, key and container) one request may carry. */
  maxChars: number;
  /**
   * Deepest nesting walked (JSON texts inside strings included); a deeper request cannot be scanned (nor serialised
   * upstream).
   */
  maxDepth: number;
}

export type Collected =
  | { ok: true; targets: ScanTarget[]; opaque: OpaqueContent[]; chars: number }
  | { ok: false; reason: 'too_large' | 'too_deep'; chars: number };

/** A root of the walk: the value, the path it sits at, and the keys of it not to walk (the gateway's own fields). */
export interface ScanRoot {
  path: readonly PathSegment[];
  value: unknown;
  skip?: ReadonlySet<string>;
}

/** Numbers with this many digits can be identifiers (a card or an account number sent as a JSON number). */
const identifierDigits = 7;
/** Work (code units decoded or normalised, values visited) between two pauses of the walk. */
const sliceWork = 128 * 1024;
const looksLikeJson = /^\s*[[{][\s\S]*[\]}]\s*$/;

/**
 * A container being walked: its children are visited one per step of the walk, so that a container
 * with millions of children costs no more between two pauses than the slice allows (pushing them
 * all at once held the event loop for hundreds of milliseconds on two million numbers). An object
 * first adds its keys as targets, last to first, then visits its values, first to last: the order
 * of the targets is that of a walk that pushed every child on a stack.
 */
interface Cursor {
  array: readonly unknown[] | undefined;
  object: Record<string, unknown> | undefined;
  keys: readonly string[] | undefined;
  /** The child node of each key, made while adding the keys and used again for the values. */
  nodes: Array<PathNode | undefined> | undefined;
  node: PathNode | undefined;
  depth: number;
  skip: ReadonlySet<string> | undefined;
  /** Inside a JSON text held in a string. */
  json: boolean;
  /**
   * Objects: the next key to add while `addingKeys`, going down; then the next value, going up. Arrays: the next
   * element.
   */
  position: number;
  addingKeys: boolean;
}

/**
 * Collects every text to scan under the roots, in one iterative walk (no recursion: nesting depth
 * is the client's), pausing between slices of work.
 */
export async function collectTargets(
  roots: readonly ScanRoot[],
  limits: ScanLimits,
  pause: () => Promise<void>,
): Promise<Collected> {
  const targets: ScanTarget[] = [];
  const opaque: OpaqueContent[] = [];
  let chars = 0;
  let work = 0;
  let failure: 'too_large' | 'too_deep' | undefined;
  const spend = (cost: number): boolean => {
    chars += cost;
    work += cost;
    return chars <= limits.maxChars;
  };
  const addText = (node: PathNode | undefined, where: 'value' | 'key', text: string, json: boolean): boolean => {
    targets.push({ node, where, encoding: json ? 'json' : 'none', text });
    // Decoded forms are extra passes over text already counted, except where decoding makes it longer.
    for (const form of decodedForms(text)) {
      targets.push({ node, where, encoding: json ? 'json' : form.encoding, text: form.text });
      work += form.text.length;
      if (form.text.length > text.length && !spend(form.text.length - text.length)) return false;
    }
    return true;
  };
  const stack: Cursor[] = [];
  /** Reads one value; a container is pushed as a cursor and read step by step. False when the walk must stop. */
  const visit = (
    value: unknown,
    node: PathNode | undefined,
    depth: number,
    skip: ReadonlySet<string> | undefined,
    json: boolean,
  ): boolean => {
    if (!spend(1)) return !(failure = 'too_large');
    if (typeof value === 'string') {
      if (value === '') return true;
      if (!spend(value.length)) return !(failure = 'too_large');
      const payload = decodePayload(value, Math.max(0, limits.maxChars - chars));
      if (payload !== undefined) {
        // An inflated file can be larger than its encoding: the excess counts too.
        if (payload.text.length > value.length && !spend(payload.text.length - value.length))
          return !(failure = 'too_large');
        work += value.length;
        targets.push({ node, where: 'value', encoding: 'base64', text: payload.text });
        if (payload.opaque) opaque.push({ path: pathOf(node), kind: payload.opaque });
        return true;
      }
      if (!addText(node, 'value', value, json)) return !(failure = 'too_large');
      // A JSON text in a string (tool-call arguments) reaches the model, and some providers, as the
      // structure it spells: its numbers, its escapes resolved. Walk it as one.
      if (looksLikeJson.test(value)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          parsed = undefined;
        }
        if (parsed !== null && typeof parsed === 'object') return visit(parsed, node, depth, undefined, true);
      }
    } else if (typeof value === 'number') {
      const digits = digitForms(value);
      if (digits !== undefined) targets.push({ node, where: 'value', encoding: json ? 'json' : 'none', text: digits });
    } else if (value !== null && typeof value === 'object') {
      if (depth >= limits.maxDepth) return !(failure = 'too_deep');
      if (Array.isArray(value)) {
        const joined = joinedParts(node, value, json);
        // Looking for text parts reads every element once.
        work += value.length >> 3;
        if (joined) targets.push(joined);
        stack.push({
          array: value,
          object: undefined,
          keys: undefined,
          nodes: undefined,
          node,
          depth,
          skip,
          json,
          position: 0,
          addingKeys: false,
        });
      } else {
        const keys = Object.keys(value);
        work += keys.length >> 3;
        stack.push({
          array: undefined,
          object: value as Record<string, unknown>,
          keys,
          nodes: new Array<PathNode | undefined>(keys.length),
          node,
          depth,
          skip,
          json,
          position: keys.length - 1,
          addingKeys: true,
        });
      }
    }
    return true;
  };
  /** One step of the cursor on top of the stack: a key added, or a child visited. */
  const step = (cursor: Cursor): boolean => {
    const { keys, nodes, skip } = cursor;
    if (cursor.array !== undefined) {
      const index = cursor.position;
      if (index >= cursor.array.length) {
        stack.pop();
        return true;
      }
      cursor.position = index + 1;
      return visit(
        cursor.array[index],
        { parent: cursor.node, segment: index },
        cursor.depth + 1,
        undefined,
        cursor.json,
      );
    }
    if (cursor.addingKeys) {
      const index = cursor.position;
      if (index < 0) {
        cursor.addingKeys = false;
        cursor.position = 0;
        return true;
      }
      cursor.position = index - 1;
      const key = keys![index]!;
      if (skip?.has(key)) return true;
      const child: PathNode = { parent: cursor.node, segment: key };
      nodes![index] = child;
      if (!schemaKeys.has(key) && key !== '' && !(spend(key.length) && addText(child, 'key', key, cursor.json)))
        return !(failure = 'too_large');
      return true;
    }
    const index = cursor.position;
    if (index >= keys!.length) {
      stack.pop();
      return true;
    }
    cursor.position = index + 1;
    const child = nodes![index];
    // A skipped key has no node: it is not walked.
    if (child === undefined) return true;
    return visit(cursor.object![keys![index]!], child, cursor.depth + 1, undefined, cursor.json);
  };
  for (const root of roots) {
    let node: PathNode | undefined;
    for (const segment of root.path) node = { parent: node, segment };
    if (!visit(root.value, node, root.path.length, root.skip, false)) return { ok: false, reason: failure!, chars };
    while (stack.length > 0) {
      if (work >= sliceWork) {
        work = 0;
        await pause();
      }
      if (!step(stack[stack.length - 1]!)) return { ok: false, reason: failure!, chars };
    }
  }
  return { ok: true, targets, opaque, chars };
}

/**
 * A number as the digits it carries, when it has enough of them: its digits as written, without
 * sign, and its integer and fraction parts apart (a card in 0.4539148803436467 or -4539148803436467).
 */
function digitForms(value: number): string | undefined {
  // An integer under a million has fewer digits than any identifier: most numbers, at no cost.
  if (!Number.isFinite(value) || (Number.isInteger(value) && value < 1e6 && value > -1e6)) return undefined;
  const written = String(Math.abs(value));
  const mantissa = written.split('e')[0]!;
  if (mantissa.replace('.', '').length < identifierDigits) return undefined;
  const [whole, fraction = ''] = mantissa.split('.');
  return `${written} ${whole} ${fraction} ${whole}${fraction}`;
}

/**
 * Content parts side by side (chat text parts, Responses input_text, Anthropic text blocks) reach
 * the model as one text: a value split across two parts is whole there, so the parts are scanned
 * joined as well.
 */
function joinedParts(node: PathNode | undefined, array: readonly unknown[], json: boolean): ScanTarget | undefined {
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
  return count > 1 ? { node, where: 'joined', encoding: json ? 'json' : 'none', text, parts } : undefined;
}

/** Texts longer than this are scanned in windows, with a pause between them. */
const windowStride = 128 * 1024;
/** Every span up to this long starting in a window's own stretch is found whole in that window. */
const windowOverlap = 8 * 1024;
/** Context before a window, so a pattern's look-behind sees what precedes its stretch. */
const windowLead = 512;

/**
 * A slice of a long text as a string of its own: V8 keeps a slice as a view into the whole, and the detectors' reads
 * of it (charCodeAt) cost about 1.6 times those of a plain string (measured: 1 MB of mixed prose 55 to ~35 ms).
 * Through a buffer of its UTF-16 code units, so that lone surrogates are kept as they are.
 */
const sequentialCopy = (slice: string): string =>
  wideCharacter.test(slice)
    ? Buffer.from(slice, 'utf16le').toString('utf16le')
    : // One byte a character when every one fits (most prompts in Latin script), as JSON.parse gives a small text: the
      // detectors then meet one string representation, not two (a gateway warmed on small requests read 1 MB windows
      // of two-byte copies of ASCII about 20 % slower).
      Buffer.from(slice, 'latin1').toString('latin1');
const wideCharacter = /[^\x00-\xFF]/;

/**
 * The spans in every target. Between slices of about `sliceChars` of text it awaits `pause()`, so
 * one large request never holds the event loop for long; small requests never pause.
 */
export async function detectTargets(
  targets: readonly ScanTarget[],
  pause: () => Promise<void>,
  sliceChars = windowStride,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  let sinceYield = 0;
  for (let index = 0; index < targets.length; index += 1) {
    const target = targets[index]!;
    const { text } = target;
    let spans: Span[];
    if (text.length <= windowStride) {
      spans = detect(text);
      sinceYield += text.length + 16;
    } else {
      spans = [];
      for (let start = 0; start < text.length; start += windowStride) {
        const from = Math.max(0, start - windowLead);
        const until = Math.min(text.length, start + windowStride + windowOverlap);
        // The window's spans are new objects, ours to move to the text's offsets.
        for (const span of detect(sequentialCopy(text.slice(from, until)))) {
          span.start += from;
          span.end += from;
          // Each window keeps the spans that start in its own stretch; the others are its neighbours'.
          if (span.start >= start && span.start < start + windowStride) spans.push(span);
        }
        sinceYield += until - from;
        if (sinceYield >= sliceChars) {
          sinceYield = 0;
          await pause();
        }
      }
      spans = resolveOwnedOverlaps(spans);
    }
    if (spans.length > 0) findings.push({ ...target, index, path: pathOf(target.node), spans });
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
