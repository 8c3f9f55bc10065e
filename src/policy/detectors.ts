// Built-in detectors: each finds spans of one kind of sensitive data in a text and labels them
// (pii.email, pii.card, secret.aws_key…). Structured identifiers are confirmed by their check
// digits, so look-alike digit runs (order numbers, dates) are not flagged. Texts may be Arabic,
// French or English: Arabic-Indic digits count as digits, and word boundaries are Unicode-aware.
// Pure: no I/O.
import { isIPv6 } from 'node:net';
import { findAddresses } from './addresses.js';
import { findEmails } from './emails.js';
import { scan } from './codes.js';
import {
  cardNumberValid,
  cardNumberValidIn,
  entropy,
  germanTaxIdValid,
  ibanCodesValid,
  ibanValid,
  luhnValid,
  nirValid,
  ssnValid,
} from './checksums.js';
import {
  type Candidates,
  candidatePositions,
  cardMatchEnd,
  leadingGroup,
  trailingGroup,
  elevenDigits,
  emiratesCandidates,
  ibanCandidates,
  nirCandidates,
  phoneCandidates,
  readRuns,
  runCount,
  runStart,
  tenDigits,
  threeDigits,
} from './digit-runs.js';
import { findNames } from './names.js';
import { type Features, featuresOf } from './features.js';
import type { Span } from './span.js';

export { type Features, featuresOf } from './features.js';
export type { Span } from './span.js';

interface Detector {
  label: string;
  /** A pattern whose matches are the spans (each checked by `validate`, when given)… */
  pattern?: RegExp;
  /** …or a function that finds them itself (names and addresses, which need context, not one pattern). */
  find?: (text: string) => Span[];
  /** Cheap test that must pass before the pattern runs at all. */
  gate?: (text: string, features: Features) => boolean;
  validate?: (match: string) => boolean;
  /** A match that fails `validate` may hold one that passes once a stray group of digits is trimmed from either end. */
  retry?: boolean;
  /**
   * The pattern takes ASCII letters in either case and only ASCII in its matches: a match is
   * upper-cased before it is checked (same length, so offsets hold). Upper-casing each match, not
   * the text, spares a copy of every text (12 µs on a 2 KB prompt of prose).
   */
  caseless?: boolean;
  /** The only places the pattern can match from (digit-runs.ts): it is tried there alone, sticky. */
  candidates?: Candidates;
  /** The pattern written out (digit-runs.ts): the end of its match from the start of a digit run, or -1. */
  matchRun?: (text: string, run: number) => number;
  /** `validate` on text[start, end), with no string made of it. */
  validateIn?: (text: string, start: number, end: number) => boolean;
  /**
   * `validate` on a match read from the code array (codes.ts), upper-cased when caseless: true only where `validate`
   * passes; false sends the match the usual way (addMatch), so it is never wrong to answer false.
   */
  validateCodes?: (codes: Uint16Array, start: number, end: number) => boolean;
}

/** Seven digits close together: every numeric identifier here has at least that many. */
const hasDigit = (_text: string, features: Features): boolean => features.sevenDigits;
const digitsOf = (text: string): string => text.replace(/\D/g, '');
// Unicode-aware edges: a match must not continue a word in any script.
// An underscore does not continue a word here: AWS_KEY_AKIA… and alice@example.com_x hold a value.
const before = '(?<![\\p{L}\\p{N}])';
const after = '(?![\\p{L}\\p{N}])';
const rx = (source: string): RegExp => new RegExp(source, 'gu');

export const detectors: readonly Detector[] = [
  // Prefix-shaped secrets first: where spans overlap, the earlier detector wins, and a digit run
  // inside a token is part of the token, not a phone number.
  {
    label: 'secret.private_key',
    gate: (text) => text.includes('-----BEGIN'),
    pattern: rx(
      `-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)`,
    ),
  },
  {
    label: 'secret.aws_key',
    gate: (text) => text.includes('AKIA') || text.includes('ASIA'),
    pattern: rx(`${before}(?:AKIA|ASIA)[0-9A-Z]{16}${after}`),
  },
  {
    label: 'secret.github_token',
    gate: (text) => text.includes('gh') || text.includes('github_pat_'),
    pattern: rx(`${before}(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})${after}`),
  },
  {
    label: 'secret.api_key',
    gate: (text) => text.includes('sk-') || text.includes('sk_') || text.includes('AIza') || text.includes('xox'),
    pattern: rx(
      `${before}(?:sk-(?:proj-|ant-(?:api\\d{2}-)?|live-|test-)?[A-Za-z0-9_-]{20,}|sk_(?:live|test)_[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_-]{35}|xox[abposr]-[A-Za-z0-9-]{10,})${after}`,
    ),
  },
  {
    label: 'secret.jwt',
    gate: (text) => text.includes('eyJ'),
    pattern: rx(`${before}eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}${after}`),
  },
  {
    label: 'pii.email',
    gate: (_text, features) => features.at,
    // The matches of emailPattern, found from each '@' (emails.ts).
    find: findEmails,
  },
  {
    label: 'pii.card',
    matchRun: cardMatchEnd,
    validateIn: cardNumberValidIn,
    retry: true,
    gate: hasDigit,
    // Not inside a longer run of digits or dash-joined digit groups; "card-4111…" is a card.
    pattern: rx(`(?<!\\d)(?<!\\d-)(?:\\d[ -]?){12,18}\\d(?!\\d)(?!-\\d)`),
    validate: cardNumberValid,
  },
  {
    label: 'pii.iban',
    candidates: ibanCandidates,
    retry: true,
    gate: hasDigit,
    // People type IBANs in lower case too: matched in either case, checked upper-cased (the check reads them so).
    caseless: true,
    validateCodes: ibanCodesValid,
    pattern: rx(`${before}[A-Za-z]{2}\\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,4})?${after}`),
    validate: ibanValid,
  },
  {
    label: 'pii.national_id.ae',
    candidates: emiratesCandidates,
    retry: true,
    gate: (text) => text.includes('784'),
    pattern: rx(`(?<!\\d)784[ -]?\\d{4}[ -]?\\d{7}[ -]?\\d(?!\\d)`),
    validate: (match) => luhnValid(digitsOf(match)),
  },
  {
    label: 'pii.national_id.sa',
    candidates: tenDigits,
    retry: true,
    gate: hasDigit,
    pattern: rx(`(?<![\\d+])[12]\\d{9}(?!\\d)`),
    validate: luhnValid,
  },
  {
    label: 'pii.national_id.fr',
    candidates: nirCandidates,
    retry: true,
    gate: hasDigit,
    pattern: rx(`(?<!\\d)[12] ?\\d{2} ?\\d{2} ?(?:\\d{2}|2[AB]) ?\\d{3} ?\\d{3} ?\\d{2}(?!\\d)`),
    validate: nirValid,
  },
  {
    label: 'pii.national_id.de',
    candidates: elevenDigits,
    retry: true,
    gate: hasDigit,
    pattern: rx(`(?<![\\d+])[1-9]\\d{10}(?!\\d)`),
    validate: germanTaxIdValid,
  },
  {
    label: 'pii.national_id.us_ssn',
    candidates: threeDigits,
    retry: true,
    gate: (_text, features) => features.nineDigits,
    pattern: rx(`(?<!\\d)(?<!\\d-)\\d{3}[- ]\\d{2}[- ]\\d{4}(?!\\d)(?!-\\d)`),
    validate: (match) => ssnValid(match.replace(/ /g, '-')),
  },
  {
    label: 'pii.phone',
    candidates: phoneCandidates,
    gate: hasDigit,
    // E.164 (+ country code) or 00-prefixed international; French, Saudi/Emirati mobile, German
    // mobile and North American national forms. Dates (2024-01-15, 15.01.2024) fit none of them.
    pattern: rx(
      `${before}(?:(?<!\\+)\\+[1-9](?:[ .-]?\\(?\\d\\)?){7,14}|00[1-9]\\d{7,13}|0[1-9](?:[ .-]?\\d{2}){4}|05\\d[ -]?\\d{3}[ -]?\\d{4}|01[5-7]\\d[ /-]?\\d{7,8}|(?<!-)\\(\\d{3}\\) ?\\d{3}[ .-]\\d{4}|(?<![.-])\\d{3}[.-]\\d{3}[.-]\\d{4}(?![.-]\\d))${after}`,
    ),
    validate: (match) => {
      let count = 0;
      let first = -1;
      let same = true;
      for (let index = 0; index < match.length; index += 1) {
        const value = match.charCodeAt(index) - 48;
        if (value < 0 || value > 9) continue;
        if (count === 0) first = value;
        else if (value !== first) same = false;
        count += 1;
      }
      return count >= 9 && count <= 15 && !same;
    },
    validateCodes: phoneCodesValid,
  },
  {
    label: 'pii.ip.v4',
    gate: (_text, features) => features.dotBetweenDigits,
    pattern: rx(
      `(?<![\\d.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?![\\d.])`,
    ),
  },
  {
    label: 'pii.ip.v6',
    gate: (_text, features) => features.hexColons,
    pattern: rx(`(?<![\\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|(?:\\d{1,3}\\.){3}\\d{1,3})(?![\\w:])`),
    validate: (match) => isIPv6(match) && (match.match(/[0-9A-Fa-f]/g)?.length ?? 0) >= 4,
  },
  // Names and postal addresses: after the structured identifiers (a digit run inside an address
  // line is not a phone number), address before name (a street named after a person is an address).
  { label: 'pii.address', find: findAddresses },
  { label: 'pii.name', find: findNames },
  {
    label: 'secret.token',
    // A long run of token characters with the randomness of a secret (not a word, not hex, not a UUID).
    gate: (_text, features) => features.longTokenRun,
    pattern: rx(`${before}[A-Za-z0-9+/_=.-]{32,256}${after}`),
    validate: (match) =>
      /\d/.test(match) && /[a-z]/.test(match) && /[A-Z]/.test(match) && !match.includes('..') && entropy(match) >= 4.2,
  },
];

/** The phone check (its validate) on codes[from, to). */
function phoneCodesValid(codes: Uint16Array, from: number, to: number): boolean {
  let count = 0;
  let first = -1;
  let same = true;
  for (let index = from; index < to; index += 1) {
    const value = codes[index]! - 48;
    if (value < 0 || value > 9) continue;
    if (count === 0) first = value;
    else if (value !== first) same = false;
    count += 1;
  }
  return count >= 9 && count <= 15 && !same;
}

const arabicDigits = /[\u0660-\u0669\u06F0-\u06F9]/g;
// Space separators (NBSP, NNBSP, thin spaces…) and invisible marks (ALM, LRM, RLM, zero-width and
// bidi controls) that people and editors put between digit groups and words: read as spaces.
const spaceLike = /[\u00A0\u1680\u2000-\u200F\u2028-\u202F\u205F-\u2064\u2066-\u2069\u3000\u061C\uFEFF]/g;
const needsNormalising =
  /[\u0660-\u0669\u06F0-\u06F9\u00A0\u1680\u2000-\u200F\u2028-\u202F\u205F-\u2064\u2066-\u2069\u3000\u061C\uFEFF]/;

/**
 * The text as the detectors read it, one code unit for one so offsets stay valid: Arabic-Indic and Eastern Arabic-Indic
 * digits as ASCII digits, space-like characters as spaces.
 */
export function normaliseDigits(text: string): string {
  if (!needsNormalising.test(text)) return text;
  return text
    .replace(arabicDigits, (digit) => {
      const code = digit.charCodeAt(0);
      return String.fromCharCode(48 + (code >= 0x06f0 ? code - 0x06f0 : code - 0x0660));
    })
    .replace(spaceLike, ' ');
}

/** Sticky copies of the patterns of the detectors with candidates. */
const sticky = new Map<Detector, RegExp>();
for (const detector of detectors)
  if (detector.candidates) sticky.set(detector, new RegExp(detector.pattern!.source, 'uy'));

/** Every detected span in a text, in order, overlaps resolved. */
export function detect(input: string): Span[] {
  const text = normaliseDigits(input);
  const features = featuresOf(text);
  const spans: Span[] = [];
  let runsRead = false;
  for (const detector of detectors) {
    if (detector.gate && !detector.gate(text, features)) continue;
    if (detector.find) {
      for (const span of detector.find(text)) spans.push(span);
      continue;
    }
    if (detector.matchRun) {
      if (!runsRead) readRuns(text);
      runsRead = true;
      findRunMatches(detector, text, spans);
      continue;
    }
    if (detector.candidates) {
      if (!runsRead) readRuns(text);
      runsRead = true;
      const count = detector.candidates(text);
      const positions = candidatePositions();
      const pattern = sticky.get(detector)!;
      // A match ends where the global scan would go on: a place before it is passed over, as that scan does.
      let end = 0;
      // The check on the code array where it holds the text (a read on the match string costs a call once reads on
      // strings have turned megamorphic). A sticky match starts at lastIndex, so test() gives it without a match
      // object; only a match that fails the check is matched again for its string (a shorter run may pass).
      const validateCodes = scan.text === text ? detector.validateCodes : undefined;
      // The two checks on codes called by name, not through the detector: a call through a property that many
      // detectors' functions have passed is not inlined, and this loop runs once a match.
      const iban = validateCodes === ibanCodesValid;
      const { label } = detector;
      for (let index = 0; index < count; index += 1) {
        const position = positions[index]!;
        if (position < end) continue;
        pattern.lastIndex = position;
        if (validateCodes) {
          if (!pattern.test(text)) continue;
          end = pattern.lastIndex;
          if (
            iban
              ? ibanCodesValid(scan.codes, position, end)
              : validateCodes === phoneCodesValid
                ? phoneCodesValid(scan.codes, position, end)
                : validateCodes(scan.codes, position, end)
          ) {
            spans.push({ start: position, end, label });
            continue;
          }
          pattern.lastIndex = position;
        }
        const match = pattern.exec(text);
        if (match === null) continue;
        end = pattern.lastIndex;
        addMatch(detector, match, spans);
      }
      continue;
    }
    const pattern = detector.pattern!;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) addMatch(detector, match, spans);
  }
  return resolveOwnedOverlaps(spans);
}

/** The matches of a detector written out (matchRun), found as its global scan finds them, as spans once checked. */
function findRunMatches(detector: Detector, text: string, spans: Span[]): void {
  const count = runCount();
  let end = 0;
  for (let run = 0; run < count; run += 1) {
    const start = runStart(run);
    if (start < end) continue;
    const matchEnd = detector.matchRun!(text, run);
    if (matchEnd < 0) continue;
    end = matchEnd;
    if (detector.validateIn!(text, start, end)) {
      spans.push({ start, end, label: detector.label });
      continue;
    }
    const trimmed = detector.retry ? trimmedRunIn(detector, text, start, end) : undefined;
    if (trimmed)
      spans.push({
        start: start + trimmed.offset,
        end: start + trimmed.offset + trimmed.text.length,
        label: detector.label,
      });
  }
}

/** A match as a span, once checked (or the run inside it that passes the check), else nothing. */
function addMatch(detector: Detector, match: RegExpExecArray, spans: Span[]): void {
  let start = match.index;
  let found = detector.caseless ? match[0].toUpperCase() : match[0];
  if (detector.validate && !detector.validate(found)) {
    const trimmed = detector.retry ? trimmedRun(detector, found) : undefined;
    if (!trimmed) return;
    start += trimmed.offset;
    found = trimmed.text;
  }
  spans.push({ start, end: start + found.length, label: detector.label });
}

const anchored = new Map<Detector, RegExp>();

/**
 * A digit run that fails its check can hold one that passes: "qty 2 4539 1488 0343 6467" reads as
 * one run of 17 digits, as does a card followed by a stray number. Tries the run without a short
 * leading group, without a short trailing group, and without both: three checks at most, so the
 * scan stays linear.
 */
function trimmedRun(detector: Detector, run: string): { offset: number; text: string } | undefined {
  return trimmedRunIn(detector, run, 0, run.length);
}

/** trimmedRun on text[start, end), making strings only of pieces that pass the check (validateIn, when given). */
function trimmedRunIn(
  detector: Detector,
  text: string,
  start: number,
  end: number,
): { offset: number; text: string } | undefined {
  const length = end - start;
  const leading = leadingGroup(text, start, end);
  // A trailing word can join a caseless run ("… 7519 end" reads "… 7519 END").
  const trailing = trailingGroup(text, start, end, detector.caseless === true);
  let exact = anchored.get(detector);
  if (!exact) anchored.set(detector, (exact = new RegExp(`^(?:${detector.pattern!.source})$`, 'u')));
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const from = attempt === 1 ? 0 : leading;
    const cut = attempt === 0 ? 0 : trailing;
    if (from + cut === 0 || from + cut >= length) continue;
    // Both tests are pure: the check first, as it is the cheaper one and fails on most runs.
    const { validateIn } = detector;
    if (validateIn && !validateIn(text, start + from, end - cut)) continue;
    const piece = text.slice(start + from, end - cut);
    if ((validateIn || detector.validate!(piece)) && exact.test(piece)) return { offset: from, text: piece };
  }
  return undefined;
}

const rank = new Map(detectors.map((detector, index) => [detector.label, index]));

/** Whether `a` wins over `b` where they overlap: the earlier-listed (more specific) detector, then the longer span. */
function better(a: Span, b: Span): boolean {
  const byRank = rank.get(a.label)! - rank.get(b.label)!;
  return byRank !== 0 ? byRank < 0 : a.end - a.start > b.end - b.start;
}

const byStart = (a: Span, b: Span): number => a.start - b.start || b.end - a.end;

/**
 * Overlapping spans become one: it covers all of them (so redaction replaces every character any
 * detector flagged) and carries the label of the best of them. Sort once, sweep once, so a text
 * dense with matches costs O(m log m) in their number m, never O(m²).
 */
export function resolveOverlaps(spans: Span[]): Span[] {
  return resolve(spans, false);
}

/** resolveOverlaps for spans the caller made and hands over: a span that overlaps none is kept as it is, not copied. */
export function resolveOwnedOverlaps(spans: Span[]): Span[] {
  return resolve(spans, true);
}

function resolve(spans: Span[], owned: boolean): Span[] {
  if (spans.length < 2) return spans;
  // Spans often come in order already (one detector's matches, windows in turn): the sort is stable, so it would
  // leave them as they are.
  let sorted = true;
  for (let index = 1; index < spans.length && sorted; index += 1)
    sorted = byStart(spans[index - 1]!, spans[index]!) <= 0;
  if (!sorted) spans.sort(byStart);
  const resolved: Span[] = [];
  let start = spans[0]!.start;
  let end = spans[0]!.end;
  let winner = spans[0]!;
  let merged = false;
  for (let index = 1; index < spans.length; index += 1) {
    const span = spans[index]!;
    if (span.start < end) {
      if (span.end > end) end = span.end;
      if (better(span, winner)) winner = span;
      merged = true;
      continue;
    }
    resolved.push(owned && !merged ? winner : { start, end, label: winner.label });
    start = span.start;
    end = span.end;
    winner = span;
    merged = false;
  }
  resolved.push(owned && !merged ? winner : { start, end, label: winner.label });
  return resolved;
}
