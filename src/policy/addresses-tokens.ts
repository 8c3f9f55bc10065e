// The tokens of a text as the pii.address detector sees them: each word looked up once in the
// address vocabulary, and the predicates on numbers, separators and codes that every address
// pattern uses.
import { type AddressVocabulary, addressVocabulary, usState } from './addresses-vocabulary.js';
import {
  allCapitals,
  arabicWord,
  beginText,
  capitalised,
  charOf,
  has,
  hashOf,
  joined,
  keyEnd,
  kindOf,
  latinWord,
  newlineBefore,
  numberToken,
  punctuation,
  tokenLength,
  tokens,
} from './tokens.js';
import { hashRange } from './words.js';

export let words: AddressVocabulary;

/** Starts reading input for addresses. */
export function beginAddresses(input: string): void {
  words = addressVocabulary();
  beginText(input);
}

/** The bits of the word at index (looked up once), or 0. */
export function maskOf(index: number): number {
  if (index < 0 || index >= tokens.count) return 0;
  let mask = tokens.masks[index]!;
  if (mask < 0) {
    const kind = kindOf(index);
    mask =
      kind === latinWord || kind === arabicWord
        ? words.maskOf(tokens.text, tokens.starts[index]!, keyEnd(index), hashOf(index))
        : 0;
    tokens.masks[index] = mask;
  }
  return mask;
}

/** The bits of text[start, end). */
export const maskOfRange = (start: number, end: number): number =>
  words.maskOf(tokens.text, start, end, hashRange(tokens.text, start, end));

/** The bits of a number token's glued letters: "bis" in "12bis", "th" in "5th". */
export function suffixMask(index: number): number {
  const digits = tokens.digitCounts[index]!;
  if (digits <= 0 || digits === tokenLength(index)) return 0;
  return maskOfRange(tokens.starts[index]! + digits, tokens.ends[index]!);
}

export const isCapitalisedWord = (index: number): boolean =>
  index < tokens.count && kindOf(index) === latinWord && has(index, capitalised);

export function isComma(index: number): boolean {
  const character = charOf(index);
  return character === 44 || character === 0x60c;
}

export function isDash(index: number): boolean {
  const character = charOf(index);
  return character === 45 || character === 0x2013 || character === 0x2014;
}

/** A number token of exactly these many digits and no glued letters. */
export function plainNumber(index: number, minimum: number, maximum: number): boolean {
  if (index < 0 || index >= tokens.count || (tokens.info[index]! & 7) !== numberToken) return false;
  const length = tokens.ends[index]! - tokens.starts[index]!;
  return tokens.digitCounts[index] === length && length >= minimum && length <= maximum;
}

/** Ends a phrase: punctuation (not a hyphen, an apostrophe or a slash), a line break or the end. */
export function endsPhrase(index: number): boolean {
  if (index >= tokens.count || has(index, newlineBefore)) return true;
  if (kindOf(index) !== punctuation) return false;
  const character = charOf(index);
  return character !== 45 && character !== 39 && character !== 0x2019 && character !== 38 && character !== 47;
}

/** The word is a two-letter US state code, written in capitals: "IL", "CA". */
export function isStateCode(index: number): boolean {
  return (
    index >= 0 &&
    index < tokens.count &&
    kindOf(index) === latinWord &&
    tokenLength(index) === 2 &&
    has(index, allCapitals) &&
    (maskOf(index) & usState) !== 0
  );
}

/** Skips one separator of an address line: a comma, a dash, "؛". */
export function skipSeparator(index: number): number {
  if (index < tokens.count && joined(index) && (isComma(index) || isDash(index) || charOf(index) === 0x61b))
    return index + 1;
  return index;
}

/** A four-digit number from 1800 to 2099. */
export function yearLike(index: number): boolean {
  if (tokenLength(index) !== 4) return false;
  const start = tokens.starts[index]!;
  const century = (tokens.text.charCodeAt(start) - 48) * 10 + (tokens.text.charCodeAt(start + 1) - 48);
  return century >= 18 && century <= 20;
}

/** An address's first and last tokens. */
export interface Street {
  first: number;
  last: number;
}
