// Where the numeric detectors' patterns can match at all, from one pass over the digits of a text. Each of those
// patterns starts at a run of ASCII digits (or one character before it: a '+', a '(', two letters of an IBAN) and
// needs a minimum of digits in a chain of runs joined by its separators. Tried with a sticky copy only at such
// places, in order, a pattern finds exactly the matches its global scan finds (a match can start nowhere else), and a
// text dense with digit groups costs a few array reads a group for most patterns instead of a regular expression
// attempt at every group start. Pure: no I/O.

import { loadCodes } from './codes.js';

/** The maximal runs of ASCII digits of the text read last: [starts[i], ends[i]). Buffers reused between calls. */
const runs = {
  count: 0,
  starts: new Int32Array(256),
  ends: new Int32Array(256),
  /** Scratch: the digits from each run's start to the end of its chain (see chainDigits). */
  chain: new Int32Array(256),
  /** The places to try, ascending: filled by a candidate function, read by the detector. */
  positions: new Int32Array(512),
};

/** Reads the digit runs of text. */
export function readRuns(text: string): void {
  const length = text.length;
  // Read from the code array (codes.ts), as the address and name detectors read this text after.
  const codes = loadCodes(text);
  let count = 0;
  let { starts, ends } = runs;
  for (let index = 0; index < length; index += 1) {
    // (code - 48) >>> 0 > 9: anything but '0'–'9' in one comparison.
    if ((codes[index]! - 48) >>> 0 > 9) continue;
    const start = index;
    index += 1;
    while (index < length && (codes[index]! - 48) >>> 0 <= 9) index += 1;
    if (count === starts.length) {
      grow(count * 2);
      ({ starts, ends } = runs);
    }
    starts[count] = start;
    ends[count] = index;
    count += 1;
  }
  runs.count = count;
}

function grow(capacity: number): void {
  const resize = (from: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
    const to = new Int32Array(capacity);
    to.set(from.subarray(0, Math.min(from.length, capacity)));
    return to;
  };
  runs.starts = resize(runs.starts);
  runs.ends = resize(runs.ends);
  runs.chain = new Int32Array(capacity);
  runs.positions = new Int32Array(capacity * 2);
}

/**
 * Fills runs.chain: for each run, its digits plus those of the runs after it that `joins` links to it, gap by gap (the
 * gap being text[ends[i], starts[i + 1])). A match starting in a run holds at most that many digits.
 */
function chainDigits(codes: Uint16Array, joins: (codes: Uint16Array, from: number, to: number) => boolean): void {
  const { starts, ends, chain } = runs;
  for (let index = runs.count - 1; index >= 0; index -= 1) {
    let digits = ends[index]! - starts[index]!;
    if (index + 1 < runs.count && joins(codes, ends[index]!, starts[index + 1]!)) digits += chain[index + 1]!;
    chain[index] = digits;
  }
}

/** A place-finder: fills runs.positions (ascending) with every place a match may start, returns how many. */
export type Candidates = (text: string) => number;

/** One space or one dash between two groups: "4111 1111", "4111-1111". */
const spaceOrDash = (codes: Uint16Array, from: number, to: number): boolean =>
  to - from === 1 && (codes[from]! === 32 || codes[from]! === 45);

/** How many runs were read, and where each starts. */
export const runCount = (): number => runs.count;
export const runStart = (index: number): number => runs.starts[index]!;

/**
 * pii.card's pattern, (?<!\d)(?<!\d-)(?:\d[ -]?){12,18}\d(?!\d)(?!-\d), at the start of a run: the end of its
 * match, or -1. It reads a chain of runs joined by single spaces or dashes and ends, as late as it can within 19
 * digits, at the end of a run that is not followed by a dash and a digit; 13 digits at least.
 */
export function cardMatchEnd(text: string, run: number): number {
  const { starts, ends, count } = runs;
  // The text readRuns read: loadCodes finds it loaded (one comparison).
  const codes = loadCodes(text);
  const start = starts[run]!;
  if (start >= 2 && codes[start - 1]! === 45 && (codes[start - 2]! - 48) >>> 0 <= 9) return -1;
  let digits = 0;
  let end = -1;
  for (let index = run; index < count; index += 1) {
    digits += ends[index]! - starts[index]!;
    if (digits > 19) break;
    const linked = index + 1 < count && spaceOrDash(codes, ends[index]!, starts[index + 1]!);
    if (digits >= 13 && (!linked || codes[ends[index]!]! === 32)) end = ends[index]!;
    if (!linked) break;
  }
  return end;
}

/** A gap of pii.national_id.fr: one space, or the A or B of "2A", "2B" and maybe a space. */
function nirGap(text: string, from: number, to: number): boolean {
  const gap = to - from;
  const first = text.charCodeAt(from);
  if (gap === 1) return first === 32 || first === 65 || first === 66;
  return gap === 2 && (first === 65 || first === 66) && text.charCodeAt(from + 1) === 32;
}

/**
 * pii.national_id.fr starts with a 1 or a 2 and ends at the end of a run, 15 digits on (14 with "2A", "2B"), every
 * gap on the way a nirGap: the runs where a walk of at most 15 digits reaches such an end.
 */
export const nirCandidates: Candidates = (text) => {
  const { starts, ends, positions } = runs;
  let count = 0;
  for (let index = 0; index < runs.count; index += 1) {
    const first = text.charCodeAt(starts[index]!);
    if (first !== 49 && first !== 50) continue;
    let digits = 0;
    for (let run = index; run < runs.count; run += 1) {
      digits += ends[run]! - starts[run]!;
      if (digits === 14 || digits === 15) {
        positions[count++] = starts[index]!;
        break;
      }
      if (digits > 15 || run + 1 >= runs.count || !nirGap(text, ends[run]!, starts[run + 1]!)) break;
    }
  }
  return count;
};

/** pii.phone: 8 digits at least, joined by at most three of space . - ( ) / */
function phoneGap(codes: Uint16Array, from: number, to: number): boolean {
  if (to - from > 3) return false;
  for (let index = from; index < to; index += 1) {
    const code = codes[index]!;
    if (!(code === 32 || code === 46 || code === 45 || code === 40 || code === 41 || code === 47)) return false;
  }
  return true;
}

/**
 * pii.phone starts at a '+' before a digit other than 0, at a '(' before three digits and a ')', at a run that starts
 * with 0, or at a run of three digits and a dot or a dash (the forms of its pattern); 8 digits on at least.
 */
export const phoneCandidates: Candidates = (text) => {
  const codes = loadCodes(text);
  chainDigits(codes, phoneGap);
  const { starts, ends, chain, positions } = runs;
  let count = 0;
  for (let index = 0; index < runs.count; index += 1) {
    if (chain[index]! < 8) continue;
    const start = starts[index]!;
    const first = codes[start]!;
    const three = ends[index]! - start === 3;
    const before = start > 0 ? codes[start - 1]! : 0;
    if ((before === 43 && first !== 48) || (before === 40 && three && codes[start + 3]! === 41))
      positions[count++] = start - 1;
    const after = codes[ends[index]!]!;
    if (first === 48 || (three && (after === 46 || after === 45))) positions[count++] = start;
  }
  return count;
};

/** Runs of exactly `length` digits (a pattern of a fixed digit count between two non-digits). */
const runsOfLength =
  (length: number): Candidates =>
  () => {
    const { starts, ends, positions } = runs;
    let count = 0;
    for (let index = 0; index < runs.count; index += 1)
      if (ends[index]! - starts[index]! === length) positions[count++] = starts[index]!;
    return count;
  };

/** pii.national_id.sa: ten digits. */
export const tenDigits = runsOfLength(10);
/** pii.national_id.de: eleven digits. */
export const elevenDigits = runsOfLength(11);
/** pii.national_id.us_ssn: a group of three digits first. */
export const threeDigits = runsOfLength(3);

/** pii.national_id.ae: a run that starts with 784. */
export const emiratesCandidates: Candidates = (text) => {
  const { starts, positions } = runs;
  let count = 0;
  for (let index = 0; index < runs.count; index += 1)
    if (text.startsWith('784', starts[index]!)) positions[count++] = starts[index]!;
  return count;
};

const isAsciiLetter = (code: number): boolean => (code | 32) >= 97 && (code | 32) <= 122;

/** pii.iban, [A-Za-z]{2}\d{2}…: two ASCII letters right before a run of two digits or more. */
export const ibanCandidates: Candidates = (text) => {
  const { starts, ends, positions } = runs;
  let count = 0;
  for (let index = 0; index < runs.count; index += 1) {
    const start = starts[index]!;
    if (
      start >= 2 &&
      ends[index]! - start >= 2 &&
      isAsciiLetter(text.charCodeAt(start - 1)) &&
      isAsciiLetter(text.charCodeAt(start - 2))
    )
      positions[count++] = start - 2;
  }
  return count;
};

// The groups a failed run may be trimmed of (detectors.ts, trimmedRunIn), read in place.

const isGroupSeparator = (code: number): boolean => code === 32 || code === 46 || code === 45;
const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;

/** The length of /^\d{1,4}[ .-]/ in text[start, end), or 0: one to four digits, then a space, a dot or a dash. */
export function leadingGroup(text: string, start: number, end: number): number {
  let digits = 0;
  while (digits < 5 && start + digits < end && isDigitCode(text.charCodeAt(start + digits))) digits += 1;
  return digits >= 1 && digits <= 4 && start + digits < end && isGroupSeparator(text.charCodeAt(start + digits))
    ? digits + 1
    : 0;
}

/** The length of /[ .-]\d{1,4}$/ in text[start, end) (of /[ .-][A-Z0-9]{1,4}$/ when caseless), or 0. */
export function trailingGroup(text: string, start: number, end: number, caseless: boolean): number {
  let kept = 0;
  for (; kept < 5 && kept < end - start; kept += 1) {
    const code = text.charCodeAt(end - 1 - kept);
    if (!(isDigitCode(code) || (caseless && code >= 65 && code <= 90))) break;
  }
  return kept >= 1 && kept <= 4 && kept < end - start && isGroupSeparator(text.charCodeAt(end - 1 - kept))
    ? kept + 1
    : 0;
}

/** The places filled by the last candidate function. */
export const candidatePositions = (): Int32Array => runs.positions;
