// Postcodes and post-office boxes for the pii.address detector: a postcode with the city after it
// ("75008 Paris", "SW1A 1AA", "IL 62704"), a city before it ("Riyadh 12345"), a label before it
// ("code postal : 75008"), and boxes ("P.O. Box 123", "BP 123", "ص.ب 1234").
import {
  arabicCity,
  arabicDistrict,
  arabicStop,
  arabicType,
  boxWord,
  city,
  cityParticle,
  labelHead,
  labelWord,
  nonCity,
  numberWord,
  ukArea,
  unit,
} from './addresses-vocabulary.js';
import {
  endsPhrase,
  isCapitalisedWord,
  isComma,
  isDash,
  isStateCode,
  maskOf,
  maskOfRange,
  plainNumber,
  type Street,
  yearLike,
} from './addresses-tokens.js';
import {
  arabicWord,
  capitalised,
  glued,
  has,
  isPunctuation,
  isWord,
  joined,
  kindOf,
  latinWord,
  mixedToken,
  newlineBefore,
  numberToken,
  punctuation,
  tokenLength,
  tokens,
  wordExactly,
  wordIs,
} from './tokens.js';
import { isDigit, isUpper } from './words.js';

/** A postcode at index, with the city after it; the index of its last token, or -1. */
export function postcodeAt(index: number): number {
  if (index >= tokens.count || !joined(index)) return -1;
  // Five digits, maybe with the four of a US ZIP+4 or a Saudi additional number: "12629 - 7890".
  if (plainNumber(index, 5, 5)) {
    let last = index;
    if (isDash(index + 1) && joined(index + 1) && plainNumber(index + 2, 4, 4) && joined(index + 2)) last = index + 2;
    return cityAfter(last + 1, last);
  }
  // "F-75008 Paris", "D-10115 Berlin"
  if (
    kindOf(index) === latinWord &&
    tokenLength(index) <= 2 &&
    has(index, capitalised) &&
    isDash(index + 1) &&
    glued(index + 1) &&
    plainNumber(index + 2, 4, 5) &&
    glued(index + 2)
  )
    return cityAfter(index + 3, index + 2);
  const british = britishPostcode(index);
  if (british >= 0) return british;
  return -1;
}

/** The city words after a postcode ("Paris", "Aix-en-Provence", "Paris Cedex 08"), or the postcode. */
export function cityAfter(index: number, last: number): number {
  let end = last;
  let position = index;
  let cityWords = 0;
  for (let steps = 0; steps < 5 && position < tokens.count && joined(position); steps += 1) {
    const kind = kindOf(position);
    if (kind === latinWord) {
      const mask = maskOf(position);
      if (has(position, capitalised) && !(mask & (nonCity | unit))) {
        if (wordIs(position, 'cedex')) {
          end = plainNumber(position + 1, 1, 2) && joined(position + 1) ? position + 1 : position;
          break;
        }
        cityWords += 1;
        end = position;
        position += 1;
        continue;
      }
      if (cityWords > 0 && mask & cityParticle && isCapitalisedWord(position + 1)) {
        position += 1;
        continue;
      }
      break;
    }
    if (kind === arabicWord && cityWords < 2 && !(maskOf(position) & (arabicStop | arabicType | arabicDistrict))) {
      cityWords += 1;
      end = position;
      position += 1;
      continue;
    }
    break;
  }
  return end;
}

/** A British postcode: a valid area, a district, then the inward code: "SW1A 1AA", "M1 1AE". */
export function britishPostcode(index: number): number {
  if (index >= tokens.count) return -1;
  const kind = kindOf(index);
  if (
    kind !== mixedToken &&
    !(kind === latinWord && tokenLength(index) === 3 && tokens.text.startsWith('GIR', tokens.starts[index]!))
  )
    return -1;
  const start = tokens.starts[index]!;
  const end = tokens.ends[index]!;
  const length = end - start;
  if (length > 7 || length < 2) return -1;
  let position = start;
  let letters = 0;
  while (position < end && isUpper(tokens.text.charCodeAt(position)) && letters < 3) {
    position += 1;
    letters += 1;
  }
  if (letters === 3)
    return tokens.text.startsWith('GIR', start) && position === end && plainInward(index + 1) ? index + 1 : -1;
  if (letters < 1 || !(maskOfRange(start, position) & ukArea)) return -1;
  // District: a digit, then maybe a digit or a letter.
  if (position >= end || !isDigit(tokens.text.charCodeAt(position))) return -1;
  position += 1;
  const rest = end - position;
  if (rest === 0) return plainInward(index + 1) ? index + 1 : -1;
  if (rest === 1) {
    const code = tokens.text.charCodeAt(position);
    if (!isDigit(code) && !isUpper(code)) return -1;
    return plainInward(index + 1) ? index + 1 : -1;
  }
  // Written without its space: "SW1A1AA".
  if (rest === 3 || rest === 4) {
    let inward = position;
    if (rest === 4) inward += 1;
    return inwardAt(inward, end) ? index : -1;
  }
  return -1;
}

function inwardAt(position: number, end: number): boolean {
  if (end - position !== 3 || !isDigit(tokens.text.charCodeAt(position))) return false;
  for (let letter = position + 1; letter < end; letter += 1) {
    const code = tokens.text.charCodeAt(letter);
    // The inward letters never use C I K M O V.
    if (
      code < 65 ||
      code > 90 ||
      code === 67 ||
      code === 73 ||
      code === 75 ||
      code === 77 ||
      code === 79 ||
      code === 86
    )
      return false;
  }
  return true;
}

function plainInward(index: number): boolean {
  return (
    index < tokens.count &&
    joined(index) &&
    kindOf(index) === numberToken &&
    tokens.digitCounts[index] === 1 &&
    inwardAt(tokens.starts[index]!, tokens.ends[index]!)
  );
}

/** A US state code and ZIP at index: "IL 62704", "CA 94103-1234"; the last token, or -1. */
export function stateAndZip(index: number): number {
  if (!isStateCode(index)) return -1;
  const zip = index + 1;
  if (!plainNumber(zip, 5, 5) || !joined(zip)) return -1;
  if (isDash(zip + 1) && glued(zip + 1) && plainNumber(zip + 2, 4, 4) && glued(zip + 2)) return zip + 2;
  return zip;
}

export function postcodeInside(first: number, last: number): boolean {
  for (let index = first; index <= last; index += 1) if (plainNumber(index, 5, 5)) return true;
  return false;
}

/** "P.O. Box 123", "PO Box 123", "BP 123", "B.P. 123", "Postfach 1234", "ص.ب 1234", "صندوق بريد 12". */
export function postBox(index: number): number {
  if (!plainNumber(index, 1, 6) || has(index, newlineBefore)) return -1;
  let before = index - 1;
  if (isPunctuation(before, 58) || isPunctuation(before, 35)) before -= 1;
  if (before < 0) return -1;
  if (!(maskOf(before) & boxWord) && !isPunctuation(before, 46)) return -1;
  if (wordIs(before, 'box')) {
    const po = before - 1;
    if (wordIs(po, 'po') || wordIs(po, 'pob')) return !has(po + 1, newlineBefore) ? po : -1;
    // "P.O. Box", "P. O. Box"
    if (
      isPunctuation(po, 46) &&
      wordIs(po - 1, 'o') &&
      (wordIs(po - 2, 'p') || (isPunctuation(po - 2, 46) && wordIs(po - 3, 'p')))
    )
      return wordIs(po - 2, 'p') ? po - 2 : po - 3;
    if (wordIs(po, 'office') && wordIs(po - 1, 'post')) return po - 1;
    return -1;
  }
  if (wordIs(before, 'postfach') || wordIs(before, 'pob')) return before;
  // "Boîte postale 828", "Case postale 12", "CS 70001", "TSA 12345"
  if (
    wordIs(before, 'postale') &&
    (wordIs(before - 1, 'boîte') || wordIs(before - 1, 'boite') || wordIs(before - 1, 'case')) &&
    joined(before)
  )
    return before - 1;
  if ((wordExactly(before, 'CS') || wordExactly(before, 'TSA')) && plainNumber(index, 4, 5) && !yearLike(index))
    return before;
  const bp = wordExactly(before, 'BP');
  if (
    bp ||
    (isPunctuation(before, 46) &&
      wordExactly(before - 1, 'P') &&
      isPunctuation(before - 2, 46) &&
      wordExactly(before - 3, 'B'))
  ) {
    // "BP 120/80" is a blood pressure, "BP 2023" a year.
    const next = index + 1;
    if (
      isPunctuation(next, 47) ||
      (next < tokens.count &&
        joined(next) &&
        kindOf(next) === latinWord &&
        (tokens.text.charCodeAt(tokens.starts[next]!) | 32) === 109 &&
        (tokens.text.charCodeAt(tokens.starts[next]! + 1) | 32) === 109)
    )
      return -1;
    if (yearLike(index)) return -1;
    return bp ? before : before - 3;
  }
  // Arabic: "ص.ب", "ص ب", "ص/ب", "صندوق بريد"
  if (wordExactly(before, 'ب')) {
    if (wordExactly(before - 1, 'ص')) return before - 1;
    if ((isPunctuation(before - 1, 46) || isPunctuation(before - 1, 47)) && wordExactly(before - 2, 'ص'))
      return before - 2;
  }
  if (wordExactly(before, 'بريد') && wordExactly(before - 1, 'صندوق')) return before - 1;
  return -1;
}

/** A postcode with a label before it: "code postal : 75008", "ZIP 94103", "الرمز البريدي 12345". */
export function labelledPostcode(index: number): number {
  if (!plainNumber(index, 4, 5) || has(index, newlineBefore)) return -1;
  let before = index - 1;
  if (isPunctuation(before, 58)) before -= 1;
  if (before < 0 || !(maskOf(before) & labelHead)) return -1;
  if (before > 0 && maskOf(before - 1) & labelWord && joined(before)) return before - 1;
  return before;
}

/** A postcode standing alone: "75008 Paris" at a line start or after a comma, or by a known city. */
/** The first token of a known city just before index ("الدار البيضاء 20330"), or -1. */
function knownCityBefore(index: number): number {
  const before = index - 1;
  if (before < 0 || !joined(index) || !isWord(before) || !(maskOf(before) & (city | arabicCity))) return -1;
  return before > 0 && isWord(before - 1) && joined(before) && maskOf(before - 1) & (city | arabicCity)
    ? before - 1
    : before;
}

/** An Arabic word after a postcode that is not a counted thing ("20330 درهم" is an amount). */
function arabicWordAfter(index: number): boolean {
  return (
    index < tokens.count &&
    joined(index) &&
    kindOf(index) === arabicWord &&
    kindOf(index - 2) === arabicWord &&
    !(maskOf(index) & numberWord)
  );
}

/** "تونس ١٠٠٢", "Tunis 1002": a four-digit postcode after a known city, not a year nor an amount. */
export function fourDigitPostcode(index: number): Street | undefined {
  if (!plainNumber(index, 4, 4) || yearLike(index) || glued(index)) return undefined;
  const cityBefore = knownCityBefore(index);
  if (cityBefore < 0 || !(endsPhrase(index + 1) || arabicWordAfter(index + 1))) return undefined;
  return { first: cityBefore, last: index };
}

export function standalonePostcode(index: number): Street | undefined {
  if (!plainNumber(index, 5, 5)) return fourDigitPostcode(index);
  if (glued(index) && index > 0 && kindOf(index - 1) !== punctuation) return undefined;
  if (
    index > 0 &&
    glued(index) &&
    (isPunctuation(index - 1, 46) ||
      isPunctuation(index - 1, 44) ||
      isPunctuation(index - 1, 47) ||
      isPunctuation(index - 1, 36))
  )
    return undefined;
  if (
    index + 2 < tokens.count &&
    glued(index + 1) &&
    (isPunctuation(index + 1, 46) || isPunctuation(index + 1, 44)) &&
    kindOf(index + 2) === numberToken
  )
    return undefined;
  let last = index;
  const extended = isDash(index + 1) && joined(index + 1) && plainNumber(index + 2, 4, 4) && joined(index + 2);
  if (extended) last = index + 2;
  const before = index - 1;
  // US: "Springfield, IL 62704", "CA 94103-1234"
  if (before >= 0 && joined(index) && isStateCode(before)) {
    const comma = before - 1;
    if (isComma(comma) && joined(before) && comma > 0 && isCapitalisedWord(comma - 1) && joined(comma)) {
      let first = comma - 1;
      for (let steps = 0; steps < 2 && first > 0 && isCapitalisedWord(first - 1) && joined(first); steps += 1)
        first -= 1;
      return { first, last };
    }
    if (extended || (before > 0 && isCapitalisedWord(before - 1) && joined(before)))
      return { first: extended ? before : before - 1, last };
  }
  // A known city before: "Riyadh 12345", "الرياض 12629 - 7890", "Berlin 10115"; in Arabic, a word may
  // go on after it ("في أبها 62521 بجوار المكتبة").
  const cityBefore = knownCityBefore(index);
  if (cityBefore >= 0 && (endsPhrase(last + 1) || extended || arabicWordAfter(last + 1)))
    return { first: cityBefore, last };
  // A city after, by name or at the start of a line: "75008 Paris", "13001 Marseille"
  const cityEnd = cityAfter(last + 1, last);
  // "F-75008 Paris"
  const prefixed =
    before >= 1 &&
    isDash(before) &&
    glued(before) &&
    glued(index) &&
    kindOf(before - 1) === latinWord &&
    has(before - 1, capitalised) &&
    tokenLength(before - 1) <= 2;
  if (cityEnd > last && prefixed) return { first: before - 1, last: cityEnd };
  if (cityEnd > last) {
    const known = maskOf(last + 1) & city || maskOf(cityEnd) & city;
    const lineStart =
      index === 0 ||
      has(index, newlineBefore) ||
      isComma(before) ||
      (kindOf(before) === punctuation && has(before, newlineBefore));
    if (known || (lineStart && (endsPhrase(cityEnd + 1) || isComma(cityEnd + 1))))
      return { first: index, last: cityEnd };
  }
  // "… الرياض 12629 - 7890", "العنوان المختصر 12629-7890": the Saudi form in Arabic text.
  if (extended) {
    for (let back = before; back >= 0 && back >= before - 3 && !has(back + 1, newlineBefore); back -= 1)
      if (kindOf(back) === arabicWord) return { first: index, last };
  }
  return undefined;
}
