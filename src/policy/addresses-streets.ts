// Streets for the pii.address detector: a house number and a street in English ("221B Baker
// Street", "725 5th Avenue"), French ("12 bis, rue de la Paix") or Arabic ("١٢ شارع الملك فهد"). The
// German form, with the number after, is in addresses-german.ts.
import { frenchSpelledOutTypes, numberedRoadQualifiers } from './data/address-words.js';
import { postcodeAt, stateAndZip } from './addresses-postcodes.js';
import {
  endsPhrase,
  isCapitalisedWord,
  isComma,
  isDash,
  maskOf,
  maskOfRange,
  plainNumber,
  skipSeparator,
  type Street,
  suffixMask,
  yearLike,
} from './addresses-tokens.js';
import {
  arabicDistrict,
  arabicStop,
  arabicType,
  direction,
  englishType,
  englishAmbiguousType,
  englishTypeMask,
  follower,
  frenchAmbiguousType,
  frenchParticle,
  frenchSuffix,
  frenchType,
  nonCity,
  notStreetName,
  numberedRoad,
  numberedThing,
  ordinalSuffix,
  saint,
  unit,
  yearPreposition,
} from './addresses-vocabulary.js';
import {
  allCapitals,
  arabicWord,
  capitalised,
  charOf,
  glued,
  has,
  isPunctuation,
  joined,
  kindOf,
  latinWord,
  mixedToken,
  newlineBefore,
  numberToken,
  punctuation,
  startsWithArticle,
  tokenLength,
  tokens,
  wordExactly,
  wordIs,
} from './tokens.js';
import { isUpper } from './words.js';

/** A number that can be a house number: 1–5 digits, maybe a letter or bis/ter, not an amount or a time. */
function houseNumber(index: number): boolean {
  if (kindOf(index) !== numberToken) return false;
  const digits = tokens.digitCounts[index]!;
  if (digits < 1 || digits > 5) return false;
  const suffix = tokenLength(index) - digits;
  if (suffix > 0) {
    if (suffix === 1) {
      const letter = tokens.text.charCodeAt(tokens.ends[index]! - 1);
      // "5e étage" and "1er" are ordinals, "12h" a time, "5m" a length.
      if (letter === 101 || letter === 104 || letter === 109 || letter === 107 || letter === 103 || letter === 120)
        return false;
    } else if (!(suffixMask(index) & frenchSuffix)) return false;
  }
  if (index > 0 && glued(index)) {
    // "rfc7517", "IPv6": digits glued to a word are part of an identifier.
    if (kindOf(index - 1) !== punctuation) return false;
    const before = charOf(index - 1);
    if (
      before === 46 ||
      before === 44 ||
      before === 58 ||
      before === 47 ||
      before === 36 ||
      before === 0x20ac ||
      before === 0xa3 ||
      before === 43 ||
      before === 45
    )
      return false;
  }
  if (index + 1 < tokens.count && glued(index + 1)) {
    const after = charOf(index + 1);
    if (
      after === 37 ||
      after === 58 ||
      (after === 46 && index + 2 < tokens.count && kindOf(index + 2) === numberToken && glued(index + 2)) ||
      after === 47 ||
      after === 0x20ac
    )
      return false;
  }
  return true;
}

/** After a house number: "-14" of a range, "bis", a single letter, a comma before a French type. */
function afterHouseNumber(index: number): number {
  let next = index + 1;
  if (isDash(next) && glued(next) && next + 1 < tokens.count && kindOf(next + 1) === numberToken && glued(next + 1))
    next += 2;
  if (
    next < tokens.count &&
    joined(next) &&
    kindOf(next) === latinWord &&
    (maskOf(next) & frenchSuffix ||
      (tokenLength(next) === 1 && has(next, capitalised) && next + 1 < tokens.count && maskOf(next + 1) & frenchType))
  )
    next += 1;
  return next;
}

/** "12 rue de la Paix", "3 allée des Tilleuls", "5 bd Saint-Michel": the name after a French type. */
function frenchStreet(typeIndex: number): number {
  let index = typeIndex + 1;
  const typeMask = maskOf(typeIndex);
  if (isPunctuation(index, 46) && glued(index)) index += 1;
  let last = -1;
  let capitalWords = 0;
  let lowerWords = 0;
  let sawParticle = false;
  let particleFirst = false;
  let afterParticle = false;
  for (let steps = 0; steps < 9 && index < tokens.count && joined(index); steps += 1) {
    const kind = kindOf(index);
    if (kind === latinWord) {
      const mask = maskOf(index);
      if (mask & notStreetName && !(has(index, capitalised) && capitalWords > 0)) break;
      if (!has(index, capitalised) && mask & frenchParticle) {
        if (steps === 0) particleFirst = true;
        sawParticle = true;
        afterParticle = true;
        index += 1;
        continue;
      }
      if (elidedLanguage(index)) break;
      if (has(index, capitalised) || elidedCapital(index)) {
        capitalWords += 1;
        last = index;
        index += 1;
        afterParticle = false;
        continue;
      }
      // "rue de la gare": a lower-case word right after a particle; "27 rue jean moulin samedi": in
      // lower case with no particle, a few words after a type that is no everyday word.
      const typedInLowerCase =
        !sawParticle && capitalWords === 0 && !(typeMask & frenchAmbiguousType) && !(mask & follower);
      if ((afterParticle || typedInLowerCase) && lowerWords < 3) {
        lowerWords += 1;
        last = index;
        index += 1;
        afterParticle = false;
        continue;
      }
      break;
    }
    // "rue du 4 Septembre", "avenue du 8 Mai 1945"
    if (
      kind === numberToken &&
      sawParticle &&
      tokenLength(index) <= 2 &&
      isCapitalisedWord(index + 1) &&
      joined(index + 1)
    ) {
      last = index;
      index += 1;
      continue;
    }
    break;
  }
  if (last < 0) return -1;
  const afterName = skipSeparator(last + 1);
  const placeAfter = postcodeAt(afterName) >= 0 || unitAt(afterName) >= 0;
  // All in lower case: fine after "rue", "allée", "impasse", and after "avenue de la victoire"; after
  // "place" or "cours" ("1 place de parking") a postcode or a unit must follow.
  if (capitalWords === 0)
    return !(typeMask & frenchAmbiguousType) || (particleFirst && spelledOutType(typeIndex)) || placeAfter ? last : -1;
  // "3 Place Settings", "2 Route Options": an English-looking phrase with no particle must end there.
  // "12 avenue Foch demain": a type that is no everyday word, in lower case as French writes it. Not
  // "place" ("1 place Premium pour le concert"), nor a capitalised "Avenue" ("3 Avenue Films in a row").
  const frenchUsage = spelledOutType(typeIndex) && !has(typeIndex, capitalised);
  if (typeMask & frenchAmbiguousType && !particleFirst && !endsPhrase(last + 1) && !placeAfter && !frenchUsage)
    return -1;
  return last;
}

/** "avenue", "boulevard", "passage": French types that are not also everyday French words. */
function spelledOutType(index: number): boolean {
  for (const word of frenchSpelledOutTypes) if (wordIs(index, word)) return true;
  return false;
}

/**
 * A unit at index, written before its number ("Apt 4B", "Suite 200", "bât. A", "شقة 5") or after it
 * ("3e étage", "5 étage", "278 طابق"); the index of its last token, or -1.
 */
export function unitAt(index: number): number {
  if (index >= tokens.count || !joined(index)) return -1;
  if (maskOf(index) & unit) {
    let next = index + 1;
    if (isPunctuation(next, 46) && glued(next)) next += 1;
    if (isPunctuation(next, 35) || isPunctuation(next, 58)) next += 1;
    if (
      next < tokens.count &&
      joined(next) &&
      (kindOf(next) === numberToken ||
        kindOf(next) === mixedToken ||
        (kindOf(next) === latinWord && tokenLength(next) === 1 && has(next, capitalised)))
    )
      return next;
    return -1;
  }
  // "#12"
  if (isPunctuation(index, 35) && plainNumber(index + 1, 1, 5) && glued(index + 1)) return index + 1;
  const digits = tokens.digitCounts[index]!;
  if (
    kindOf(index) === numberToken &&
    digits > 0 &&
    digits <= 4 &&
    joined(index + 1) &&
    maskOf(index + 1) & unit &&
    (digits <= 2 || kindOf(index + 1) === arabicWord)
  )
    return index + 1;
  return -1;
}

/** "l'Église", "d'Alsace": an elided article glued to a capitalised name. */
function elidedCapital(index: number): boolean {
  const start = tokens.starts[index]!;
  if (tokenLength(index) < 3) return false;
  const second = tokens.text.charCodeAt(start + 1);
  const first = tokens.text.charCodeAt(start) | 32;
  return (
    (first === 108 || first === 100) &&
    (second === 39 || second === 0x2019) &&
    isUpper(tokens.text.charCodeAt(start + 2))
  );
}

/** "d'Anglais" in "2 cours d'Anglais": a school subject, not a street name. */
function elidedLanguage(index: number): boolean {
  if (!elidedCapital(index)) return false;
  return (maskOfRange(tokens.starts[index]! + 2, tokens.ends[index]!) & notStreetName) !== 0;
}

/** A word of an English street name: capitalised, an ordinal ("5th"), a compass letter ("N."). */
function englishNameWord(index: number): boolean {
  if (index >= tokens.count || !joined(index)) return false;
  const kind = kindOf(index);
  if (kind === numberToken)
    return (
      tokens.digitCounts[index]! > 0 &&
      tokens.digitCounts[index]! <= 3 &&
      (suffixMask(index) & ordinalSuffix) !== 0 &&
      tokenLength(index) - tokens.digitCounts[index]! <= 2
    );
  if (kind !== latinWord || !has(index, capitalised)) return false;
  return (maskOf(index) & notStreetName) === 0;
}

/** A word of a street name typed in lower case ("27 cranbrook rd"): no everyday small word. */
function lowerCaseNameWord(index: number): boolean {
  if (index >= tokens.count || !joined(index) || kindOf(index) !== latinWord || has(index, capitalised)) return false;
  return (maskOf(index) & (notStreetName | follower | yearPreposition | nonCity | unit)) === 0;
}

/**
 * "221B Baker Street", "1600 Pennsylvania Avenue NW", "12 St John's Road", "2723 Route 9", "629 The
 * Spinney, Brighton", "27 cranbrook rd": the name, then a type.
 */
function englishStreet(from: number): number {
  const road = numberedRoadAt(from);
  if (road >= 0) return road;
  if (kindOf(from) === latinWord && !has(from, capitalised)) return lowerCaseStreet(from);
  let index = from;
  let nameWords = 0;
  let best = -1;
  let article = false;
  /** 0 for a type that needs nothing after it, 1 for "Way", "Close", 2 for "Center", "Island". */
  let bestWeakness = 0;
  for (let steps = 0; steps < 7 && index < tokens.count && joined(index); steps += 1) {
    // "204 The Green", "12 The Avenue": an article only first, before a capitalised word.
    if (
      steps === 0 &&
      kindOf(index) === latinWord &&
      tokens.text.startsWith('The', tokens.starts[index]!) &&
      tokenLength(index) === 3 &&
      englishNameWord(index + 1)
    ) {
      nameWords += 1;
      index += 1;
      article = true;
      continue;
    }
    if (!englishNameWord(index)) {
      // "N. Main St": a compass letter with a dot.
      if (
        kindOf(index) === punctuation &&
        isPunctuation(index, 46) &&
        glued(index) &&
        index > from &&
        tokenLength(index - 1) <= 2 &&
        maskOf(index - 1) & (direction | saint)
      ) {
        index += 1;
        continue;
      }
      break;
    }
    const mask = kindOf(index) === latinWord ? maskOf(index) : 0;
    // "96 The Oaks Suite 187": the unit ends a name with no type.
    if (article && mask & unit && !(mask & englishTypeMask)) break;
    if (mask & englishTypeMask && nameWords > 0) {
      // "St" followed by a capitalised word is Saint: "12 St John's Road".
      const saintLike = mask & saint && englishNameWord(index + (isPunctuation(index + 1, 46) ? 2 : 1));
      if (!saintLike || !(mask & englishType)) {
        best = index;
        bestWeakness = mask & englishType ? 0 : mask & englishAmbiguousType ? 1 : 2;
      } else if (best < 0) {
        best = index;
        bestWeakness = 0;
      }
    }
    // "Park Drive", "Church Road": a word that is also a weaker type can name the street.
    if (!(mask & englishType) || mask & saint) nameWords += 1;
    index += 1;
  }
  // "629 The Spinney, Brighton BN1 1AA", "96 The Oaks Suite 187": no type, but the rest of an address.
  if (best < 0 && article) {
    const last = Math.min(index - 1, from + 2);
    return last > from && placeFollows(last + 1) ? last : -1;
  }
  if (best < 0) return -1;
  let last = best;
  if (isPunctuation(last + 1, 46) && glued(last + 1) && abbreviation(last)) last += 1;
  // "Pennsylvania Avenue NW"
  const after = last + 1;
  if (
    after < tokens.count &&
    joined(after) &&
    kindOf(after) === latinWord &&
    (has(after, allCapitals) || (tokenLength(after) === 1 && has(after, capitalised))) &&
    maskOf(after) & direction &&
    tokenLength(after) <= 2
  )
    last = after;
  if (bestWeakness === 1 && !streetEnds(last + 1, true)) return -1;
  if (bestWeakness === 2 && !streetEnds(last + 1, false)) return -1;
  return last;
}

/** "St", "Rd", "Blvd", "Ave": an abbreviation, whose dot belongs to the address ("Main St."); not "Road.". */
function abbreviation(index: number): boolean {
  const length = tokenLength(index);
  if (length > 4) return false;
  const start = tokens.starts[index]!;
  let vowels = 0;
  for (let position = start + 1; position < start + length; position += 1) {
    const letter = tokens.text.charCodeAt(position) | 32;
    if (letter === 97 || letter === 101 || letter === 105 || letter === 111 || letter === 117) vowels += 1;
  }
  return (
    vowels === 0 ||
    wordIs(index, 'ave') ||
    wordIs(index, 'ter') ||
    wordIs(index, 'terr') ||
    wordIs(index, 'cres') ||
    wordIs(index, 'expy')
  );
}

/** "27 cranbrook rd on saturday", "812 hector rise suite 515": one or two words, a type, then an end. */
function lowerCaseStreet(from: number): number {
  let index = from;
  for (let words = 0; words < 3 && lowerCaseNameWord(index); words += 1) {
    const mask = maskOf(index);
    if (words > 0 && mask & (englishType | englishAmbiguousType)) {
      let last = index;
      if (isPunctuation(last + 1, 46) && glued(last + 1) && abbreviation(last)) last += 1;
      // A type that is also a word ("park", "rise") only with a unit or a postcode after it.
      if (!(mask & englishType)) return unitAt(last + 1) >= 0 || postcodeAt(skipSeparator(last + 1)) >= 0 ? last : -1;
      return streetEnds(last + 1, true) ? last : -1;
    }
    index += 1;
  }
  // "rd", "st" are no name words of their own (they are types): one more look.
  if (
    index > from &&
    index < tokens.count &&
    joined(index) &&
    kindOf(index) === latinWord &&
    !has(index, capitalised) &&
    maskOf(index) & englishType
  )
    return streetEnds(index + 1, true) ? index : -1;
  return -1;
}

/** "Route 9", "State Highway 50", "County Road 5B": a numbered road; the index of its number, or -1. */
function numberedRoadAt(from: number): number {
  let index = from;
  // A qualifier is looked for only before a road word: "State Route", "County Road".
  if (
    kindOf(index + 1) === latinWord &&
    maskOf(index + 1) & (numberedRoad | englishType) &&
    kindOf(index) === latinWord &&
    has(index, capitalised) &&
    joined(index + 1) &&
    numberedRoadQualifier(index)
  )
    index += 1;
  const mask = kindOf(index) === latinWord && has(index, capitalised) ? maskOf(index) : 0;
  if (!(mask & numberedRoad) && !(index > from && mask & englishType)) return -1;
  const number = index + 1;
  if (
    !joined(number) ||
    kindOf(number) !== numberToken ||
    tokens.digitCounts[number]! < 1 ||
    tokens.digitCounts[number]! > 4
  )
    return -1;
  return number;
}

function numberedRoadQualifier(index: number): boolean {
  for (const word of numberedRoadQualifiers) if (wordIs(index, word)) return true;
  return wordExactly(index, 'US');
}

/** After a street: a unit, or a comma and a town with its postcode ("…, Brighton BN1 1AA"). */
function placeFollows(index: number): boolean {
  if (unitAt(index) >= 0) return true;
  const separated = skipSeparator(index);
  if (separated === index) return false;
  if (postcodeAt(separated) >= 0) return true;
  let town = separated;
  for (let steps = 0; steps < 3 && isCapitalisedWord(town) && joined(town); steps += 1) town += 1;
  return town > separated && (postcodeAt(town) >= 0 || stateAndZip(skipSeparator(town)) >= 0);
}

/** What may follow an ambiguous street type ("Close", "Way"): the end of a phrase, a unit, a postcode. */
function streetEnds(index: number, wordsToo: boolean): boolean {
  if (endsPhrase(index)) return true;
  if (kindOf(index) === latinWord) {
    const mask = maskOf(index);
    if (mask & unit) return true;
    if (!has(index, capitalised)) return wordsToo && (mask & follower) !== 0;
  }
  return postcodeAt(index) >= 0;
}

/** "١٢ شارع الملك فهد", "شارع التحلية": the Arabic words that name the street, up to four. */
export function arabicStreetName(typeIndex: number): number {
  let index = typeIndex + 1;
  let last = -1;
  for (let steps = 0; steps < 4 && index < tokens.count && joined(index); steps += 1) {
    if (kindOf(index) === arabicWord) {
      const mask = maskOf(index);
      // A street word with the article names the street after a street word: "طريق الكورنيش",
      // "شارع الميدان" (Corniche Road, Square Street); anywhere else it starts another part.
      const namedAfterType =
        steps === 0 &&
        mask & arabicType &&
        has(index, startsWithArticle) &&
        !(mask & (arabicStop | arabicDistrict | unit));
      if (!namedAfterType && mask & (arabicStop | arabicDistrict | arabicType | unit)) break;
      last = index;
      index += 1;
      continue;
    }
    // "شارع 15": a street named by its number, only as the first word.
    if (steps === 0 && plainNumber(index, 1, 3)) {
      last = index;
      index += 1;
      continue;
    }
    break;
  }
  return last;
}

/** "Apt 4B, 12 Main St", "Flat 2, 10 Downing Street": a unit written before the number. */
export function unitBefore(index: number): number {
  const comma = index - 1;
  if (comma < 2 || !isComma(comma) || has(index, newlineBefore) || has(comma, newlineBefore)) return index;
  const value = comma - 1;
  const word = isPunctuation(value - 1, 35) ? value - 2 : value - 1;
  if (word < 0 || has(value, newlineBefore)) return index;
  const valueKind = kindOf(value);
  // "وحدة 4، 88 المنطقة الصناعية": an Arabic unit word too.
  if (
    (valueKind === numberToken || valueKind === mixedToken || (valueKind === latinWord && tokenLength(value) === 1)) &&
    maskOf(word) & unit &&
    (has(word, capitalised) || kindOf(word) === arabicWord)
  )
    return word;
  return index;
}

/** A street with its number first: English, French or Arabic. Returns [first, last] or undefined. */
export function streetFromNumber(index: number): Street | undefined {
  if (!houseNumber(index) || countedByWordBefore(index)) return undefined;
  let next = afterHouseNumber(index);
  if (next >= tokens.count || !joined(next)) return undefined;
  let comma = false;
  if (isComma(next) && next + 1 < tokens.count && maskOf(next + 1) & frenchType && joined(next + 1)) {
    next += 1;
    comma = true;
  }
  const kind = kindOf(next);
  if (yearAfterPreposition(index)) return undefined;
  if (kind === numberToken && !comma) {
    // "725 5th Avenue"
    const last = englishStreet(next);
    return last >= 0 ? { first: unitBefore(index), last } : undefined;
  }
  if (kind === latinWord) {
    const mask = maskOf(next);
    if (mask & frenchType) {
      const last = frenchStreet(next);
      if (last >= 0) return { first: unitBefore(index), last };
    }
    if (comma) return undefined;
    const last = englishStreet(next);
    if (last >= 0) return { first: unitBefore(index), last };
    return undefined;
  }
  if (kind === arabicWord && maskOf(next) & arabicType && !has(next, startsWithArticle)) {
    const last = arabicStreetName(next);
    if (last >= 0) return { first: index, last };
  }
  return undefined;
}

/** "Chapter 3 The End", "Page 5", "saison 2": a number that counts chapters, pages or steps. */
function countedByWordBefore(index: number): boolean {
  const before = index - 1;
  return (
    before >= 0 && !has(index, newlineBefore) && kindOf(before) === latinWord && (maskOf(before) & numberedThing) !== 0
  );
}

/** "in 2019 Main Street was renamed": a year after a preposition is not a house number. */
function yearAfterPreposition(index: number): boolean {
  if (tokenLength(index) !== 4 || index === 0 || kindOf(index - 1) !== latinWord) return false;
  if (!yearLike(index)) return false;
  return (maskOf(index - 1) & yearPreposition) !== 0;
}
