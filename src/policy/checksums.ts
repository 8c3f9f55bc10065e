import { scan } from './codes.js';

// Check digits that separate real identifiers from look-alike digit runs (order numbers, dates).

/** Luhn (ISO/IEC 7812-1): payment cards, Emirates ID, Saudi national ID. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let value = digits.charCodeAt(index) - 48;
    if (value < 0 || value > 9) return false;
    if (double) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616 IBAN check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(iban: string): boolean {
  // A text dense with IBANs checks each one: the common form (ASCII letters and digits, spaces, dashes) is read into
  // a reused buffer, with no string built; anything else takes the general path.
  let length = 0;
  for (let index = 0; index < iban.length; index += 1) {
    const code = iban.charCodeAt(index);
    if (code === 32 || code === 45) continue;
    let upper: number;
    if (code >= 48 && code <= 57) upper = code;
    else if (code >= 65 && code <= 90) upper = code;
    else if (code >= 97 && code <= 122) upper = code - 32;
    else return ibanValidGeneral(iban);
    if (length < compactBuffer.length) compactBuffer[length] = upper;
    length += 1;
  }
  return compactIbanValid(length);
}

/**
 * ibanValid on codes[from, to) upper-cased (the code units of a match, read from the code array, codes.ts), when
 * they are all ASCII letters, digits, spaces and dashes; false for any other (the caller then checks the string).
 */
export function ibanCodesValid(codes: Uint16Array, from: number, to: number): boolean {
  // One pass (a text dense with IBANs checks each): the first four characters are kept aside and
  // the rest go straight into the remainder; the four are added to it at the end, as the check
  // moves them there.
  let length = 0;
  let remainder = 0;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let index = from; index < to; index += 1) {
    let code = codes[index]!;
    if (code === 32 || code === 45) continue;
    if (code >= 97 && code <= 122) code -= 32;
    else if (code < 48 || code > 90 || (code > 57 && code < 65)) return false;
    if (length >= 4) {
      remainder = code >= 65 ? remainder * 100 + code - 55 : remainder * 10 + code - 48;
      if (remainder >= 1e12) remainder %= 97;
    } else if (length === 0) c0 = code;
    else if (length === 1) c1 = code;
    else if (length === 2) c2 = code;
    else c3 = code;
    length += 1;
  }
  // As /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/ reads it.
  if (length < 15 || length > 34 || c0 < 65 || c1 < 65 || c2 > 57 || c3 > 57) return false;
  const expectedLength = ibanLengthByCountry[(c0 - 65) * 26 + c1 - 65]!;
  if (expectedLength !== 0 && length !== expectedLength) return false;
  remainder = (remainder % 97) * 10_000 + (c0 - 55) * 100 + (c1 - 55);
  remainder = (remainder % 97) * 100 + (c2 - 48) * 10 + (c3 - 48);
  return remainder % 97 === 1;
}

/** The check of the IBAN of `length` characters read into compactBuffer (its first 34). */
function compactIbanValid(length: number): boolean {
  // As /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/ reads it.
  if (length < 15 || length > 34) return false;
  const first = compactBuffer[0]!;
  const second = compactBuffer[1]!;
  if (first < 65 || second < 65 || compactBuffer[2]! > 57 || compactBuffer[3]! > 57) return false;
  const expectedLength = ibanLengthByCountry[(first - 65) * 26 + second - 65]!;
  if (expectedLength !== 0 && length !== expectedLength) return false;
  // The number as read (the first four characters moved to the end), mod 97 taken only when it grows past 10^12:
  // (r·10 + d) mod 97 = ((r mod 97)·10 + d) mod 97, and r·100 + 99 stays an exact integer below 2^53.
  let remainder = 0;
  for (let step = 4; step < length + 4; step += 1) {
    const code = compactBuffer[step < length ? step : step - length]!;
    remainder = code >= 65 ? remainder * 100 + code - 55 : remainder * 10 + code - 48;
    if (remainder >= 1e12) remainder %= 97;
  }
  return remainder % 97 === 1;
}

/** The characters of an IBAN being checked, spaces and dashes left out: 34 at most. */
const compactBuffer = new Uint8Array(34);

function ibanValidGeneral(iban: string): boolean {
  const compact = iban.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const expectedLength = ibanLengths[compact.slice(0, 2)];
  if (expectedLength !== undefined && compact.length !== expectedLength) return false;
  // Character codes straight into the remainder (a letter is two digits, A = 10): no strings built.
  let remainder = 0;
  for (let step = 0; step < compact.length; step += 1) {
    const code = compact.charCodeAt((step + 4) % compact.length);
    remainder = code >= 65 ? (remainder * 100 + code - 55) % 97 : (remainder * 10 + code - 48) % 97;
  }
  return remainder === 1;
}

/**
 * A payment card number: 13–19 digits with an issuer prefix, not one digit repeated, Luhn-valid; separators ignored.
 * One pass, no allocation.
 */
export function cardNumberValid(text: string): boolean {
  return cardNumberValidIn(text, 0, text.length);
}

/** Scratch for cardNumberValidIn: the code units of a text other than the one loaded. */
let scratch = new Uint16Array(64);

/** cardNumberValid on text[from, to), with no string made of it. */
export function cardNumberValidIn(text: string, from: number, to: number): boolean {
  // The text the detectors read is in the code array (codes.ts: read there, not on the string); another, a match
  // being checked, is copied into scratch first.
  if (scan.text === text) return cardCodesValid(scan.codes, from, to);
  if (to - from > scratch.length) scratch = new Uint16Array(to - from);
  for (let index = from; index < to; index += 1) scratch[index - from] = text.charCodeAt(index);
  return cardCodesValid(scratch, 0, to - from);
}

function cardCodesValid(codes: Uint16Array, from: number, to: number): boolean {
  let count = 0;
  let sum = 0;
  let first = -1;
  let second = -1;
  let same = true;
  // Luhn doubles every second digit from the right: walk from the right.
  for (let index = to - 1; index >= from; index -= 1) {
    const value = codes[index]! - 48;
    if (value < 0 || value > 9) continue;
    if (count > 0 && value !== first) same = false;
    if (count === 0) first = value;
    let weighted = value;
    if (count % 2 === 1) {
      weighted *= 2;
      if (weighted > 9) weighted -= 9;
    }
    sum += weighted;
    count += 1;
  }
  if (count < 13 || count > 19 || same || sum % 10 !== 0) return false;
  // The issuer prefix, from the first digits (left to right).
  let prefix = 0;
  let taken = 0;
  for (let index = from; index < to && taken < 4; index += 1) {
    const value = codes[index]! - 48;
    if (value < 0 || value > 9) continue;
    prefix = prefix * 10 + value;
    taken += 1;
    if (taken === 1) second = value;
  }
  const two = Math.floor(prefix / 100);
  return (
    second === 4 ||
    (two >= 51 && two <= 55) ||
    (two >= 22 && two <= 27) ||
    two === 34 ||
    two === 37 ||
    two === 30 ||
    two === 36 ||
    two === 38 ||
    two === 39 ||
    prefix === 6011 ||
    two === 64 ||
    two === 65 ||
    two === 35 ||
    two === 62
  );
}

/** IBAN lengths by country (ISO 13616 registry), for the countries most often seen here. */
const ibanLengths: Record<string, number> = {
  SA: 24,
  AE: 23,
  FR: 27,
  DE: 22,
  GB: 22,
  ES: 24,
  IT: 27,
  NL: 18,
  BE: 16,
  CH: 21,
  AT: 20,
  LU: 20,
  PT: 25,
  IE: 22,
  QA: 29,
  KW: 30,
  BH: 22,
  OM: 23,
  JO: 30,
  EG: 29,
  LB: 28,
  TN: 24,
  MA: 28,
  PL: 28,
  SE: 24,
  NO: 15,
  DK: 18,
  FI: 18,
  TR: 26,
  GR: 27,
  CY: 28,
  MT: 31,
  MC: 27,
  SM: 27,
  LI: 21,
  CZ: 24,
  SK: 24,
  HU: 28,
  RO: 24,
  BG: 22,
  HR: 21,
  SI: 19,
  EE: 20,
  LV: 21,
  LT: 20,
  IS: 26,
  IL: 23,
  PK: 24,
};

/** ibanLengths by the two capitals of the country code (0: not listed), read without building the code's string. */
const ibanLengthByCountry = new Uint8Array(26 * 26);
for (const [country, length] of Object.entries(ibanLengths))
  ibanLengthByCountry[(country.charCodeAt(0) - 65) * 26 + country.charCodeAt(1) - 65] = length;

/** French NIR (numéro de sécurité sociale): key = 97 − (first 13 digits mod 97); Corsica's 2A/2B count as 19/18. */
export function nirValid(nir: string): boolean {
  const compact = nir.replace(/\s/g, '').toUpperCase();
  if (!/^[12]\d{2}(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2A|2B)\d{6}\d{2}$/.test(compact)) return false;
  const body = compact.slice(0, 13).replace('2A', '19').replace('2B', '18');
  const key = Number(compact.slice(13));
  return 97 - Number(BigInt(body) % 97n) === key;
}

/** German tax ID (Steuerliche Identifikationsnummer): ISO 7064 MOD 11,10 check digit. */
export function germanTaxIdValid(id: string): boolean {
  if (!/^[1-9]\d{10}$/.test(id)) return false;
  let product = 10;
  for (let index = 0; index < 10; index += 1) {
    let sum = (Number(id[index]) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = (11 - product) % 10;
  return check === Number(id[10]);
}

/** US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function ssnValid(ssn: string): boolean {
  const match = /^(\d{3})-?(\d{2})-?(\d{4})$/.exec(ssn);
  if (!match) return false;
  const [, area, group, serial] = match as unknown as [string, string, string, string];
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
