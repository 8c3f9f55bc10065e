// What a few quick scans of a text learn before the detectors run (detectors.ts): which of them can be skipped.
// Pure: no I/O.
import { loadCodes } from './codes.js';

/**
 * What a few quick scans of the text learn, so that most detectors can be skipped without running their
 * (Unicode-aware, hence slower) patterns: a 2 KB prompt of prose costs these scans, not sixteen patterns.
 */
export interface Features {
  /** Seven digits in a row, each at most two separator characters (space - . ( ) /) from the one before. */
  sevenDigits: boolean;
  /** Nine such digits. */
  nineDigits: boolean;
  /** A '.' between two digits. */
  dotBetweenDigits: boolean;
  /** Two ':' with hex digits around them, as in an IPv6 address. */
  hexColons: boolean;
  /** A run of 32 characters that may make up a token (A–Z a–z 0–9 + / _ = . -). */
  longTokenRun: boolean;
  at: boolean;
}

// Each a class or a short bounded chain from one start, so each scan is linear; the regular expression engine reads
// a text several times faster than a loop of charCodeAt (measured: 7.6 µs for the loop these replace on a 2 KB
// prompt, on a SlicedString up to 12 µs).
const sevenDigits = /[0-9](?:[ ()./-]{0,2}[0-9]){6}/;
const nineDigits = /[0-9](?:[ ()./-]{0,2}[0-9]){8}/;
const dotBetweenDigits = /[0-9]\.[0-9]/;
/** A hex digit before a ':'; two such never overlap (a ':' is no hex digit), so a global scan counts them. */
const hexColon = /[0-9A-Fa-f]:/g;
/** The characters that may make up a token: A–Z a–z 0–9 + / _ = . - */
const tokenCharacters = new Uint8Array(128);
for (const character of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_=.-')
  tokenCharacters[character.charCodeAt(0)] = 1;
const isTokenCharacter = (code: number): boolean => code < 128 && tokenCharacters[code] === 1;

/**
 * Is there a run of 32 token characters? Every such run covers one of every 32 positions, so only those are looked
 * at, and around each only as far as it takes: a few characters a word in prose (a pattern for this, tried from every
 * position, measured 12 µs on a 2 KB prompt; a loop over every character, 3–7 µs). Still linear: a position is read
 * from at most two samples. Read on the code array (codes.ts) the detectors after it read as well: on text dense with
 * short tokens (phone numbers and IBANs) most characters are read, and a read on a string costs a call once such reads
 * have turned megamorphic.
 */
function hasLongTokenRun(text: string): boolean {
  const codes = loadCodes(text);
  const length = text.length;
  for (let sample = 31; sample < length; sample += 32) {
    if (!isTokenCharacter(codes[sample]!)) continue;
    let start = sample;
    while (start > sample - 31 && isTokenCharacter(codes[start - 1]!)) start -= 1;
    let end = sample + 1;
    while (end - start < 32 && end < length && isTokenCharacter(codes[end]!)) end += 1;
    if (end - start >= 32) return true;
  }
  return false;
}

export function featuresOf(text: string): Features {
  const seven = sevenDigits.test(text);
  hexColon.lastIndex = 0;
  return {
    sevenDigits: seven,
    nineDigits: seven && nineDigits.test(text),
    dotBetweenDigits: dotBetweenDigits.test(text),
    hexColons: hexColon.test(text) && (text.includes('::') || hexColon.test(text)),
    longTokenRun: hasLongTokenRun(text),
    at: text.includes('@'),
  };
}
