// The rest of an address line for the pii.address detector: after the street, the unit, district,
// postcode, city, state and country on the same line ("…, Apt 4B, Springfield, IL 62704"); and an
// Arabic street with no number before it, told by what follows it ("شارع التحلية، حي السليمانية").
import { arabicStreetName, unitAt, unitBefore } from './addresses-streets.js';
import { postcodeAt, postcodeInside, stateAndZip } from './addresses-postcodes.js';
import { endsPhrase, isComma, maskOf, plainNumber, skipSeparator, type Street } from './addresses-tokens.js';
import {
  arabicCity,
  arabicDistrict,
  arabicStop,
  arabicType,
  city,
  country,
  nonCity,
  numberWord,
  unit,
} from './addresses-vocabulary.js';
import {
  arabicWord,
  capitalised,
  has,
  joined,
  kindOf,
  latinWord,
  startsWithArticle,
  tokens,
  wordExactly,
} from './tokens.js';

/** One part of an address line after the street: a unit, a district, a postcode, a city, a country. */
export function chunkAt(index: number): number {
  if (index >= tokens.count || !joined(index)) return -1;
  const kind = kindOf(index);
  const mask = maskOf(index);
  // "Apt 4B", "Suite 200", "bât. A", "شقة 5", "#12", "3e étage", "278 طابق"
  const unitEnd = unitAt(index);
  if (unitEnd >= 0 || mask & unit) return unitEnd;
  // "حي الملز"
  if (mask & arabicDistrict) {
    const name = arabicStreetName(index);
    return name > index && has(index + 1, startsWithArticle) ? name : -1;
  }
  const postcode = postcodeAt(index);
  if (postcode >= 0) return postcode;
  const state = stateAndZip(index);
  if (state >= 0) return state;
  // A city (or a country), maybe with a postcode or a state after it: "London SW1A 1AA",
  // "Springfield, IL 62704", "الرياض 12629 - 7890".
  if (
    (kind === latinWord && has(index, capitalised) && !(mask & (nonCity | unit))) ||
    (kind === arabicWord && !(mask & (arabicStop | arabicType | unit)))
  ) {
    let last = index;
    for (
      let steps = 0;
      steps < 2 &&
      last + 1 < tokens.count &&
      joined(last + 1) &&
      kindOf(last + 1) === kind &&
      (kind === arabicWord || has(last + 1, capitalised)) &&
      !(maskOf(last + 1) & (nonCity | arabicStop | unit));
      steps += 1
    ) {
      if (stateAndZip(last + 1) >= 0) break;
      last += 1;
    }
    const after = last + 1;
    const postcodeAfter = postcodeAt(after);
    if (postcodeAfter >= 0) return postcodeAfter;
    const stateAfter = stateAndZip(skipSeparator(after));
    if (stateAfter >= 0) return stateAfter;
    const known = (mask | maskOf(last)) & (city | arabicCity | country);
    if (known || (endsPhrase(after) && kind === latinWord)) return endsPhrase(after) || isComma(after) ? last : -1;
  }
  return -1;
}

/** The end of an address line that starts with a street ending at last. */
export function extendAddress(last: number): number {
  let end = last;
  for (let chunks = 0; chunks < 5; chunks += 1) {
    const start = skipSeparator(end + 1);
    const chunk = chunkAt(start);
    if (chunk < 0) break;
    end = chunk;
  }
  return end;
}

/** An Arabic street without a number before it: with a number after it, or a district, or a postcode. */
export function arabicStreet(index: number): Street | undefined {
  const mask = maskOf(index);
  if (kindOf(index) !== arabicWord || has(index, startsWithArticle)) return undefined;
  if (mask & arabicType) {
    // "عن طريق" is "by means of".
    if (index > 0 && kindOf(index - 1) === arabicWord && wordExactly(index - 1, 'عن')) return undefined;
    const name = arabicStreetName(index);
    if (name < 0) return undefined;
    let after = name + 1;
    if (after < tokens.count && joined(after) && kindOf(after) === arabicWord && wordExactly(after, 'رقم')) after += 1;
    // "شارع الحرية رقم ١٤" at the end of a phrase or before a preposition ("… في الرباط").
    if (
      plainNumber(after, 1, 5) &&
      joined(after) &&
      (endsPhrase(after + 1) || (maskOf(after + 1) & arabicStop && !(maskOf(after + 1) & numberWord))) &&
      name > index &&
      kindOf(name) === arabicWord
    )
      return { first: index, last: after };
    const separated = skipSeparator(name + 1);
    if (separated < tokens.count && joined(separated) && maskOf(separated) & arabicDistrict) {
      const district = chunkAt(separated);
      if (district >= 0) return { first: index, last: district };
    }
    const postcode = chunkAt(separated);
    if (postcode >= 0 && postcodeInside(separated, postcode)) return { first: index, last: postcode };
    return undefined;
  }
  if (mask & arabicDistrict) {
    const district = chunkAt(index);
    if (district < 0) return undefined;
    const separated = skipSeparator(district + 1);
    if (
      separated < tokens.count &&
      joined(separated) &&
      maskOf(separated) & arabicType &&
      !has(separated, startsWithArticle)
    ) {
      const name = arabicStreetName(separated);
      if (name >= 0) return { first: index, last: name };
    }
    const postcode = chunkAt(separated);
    if (postcode >= 0 && postcodeInside(separated, postcode)) return { first: index, last: postcode };
  }
  return undefined;
}

/**
 * "88 المنطقة الصناعية الثانية، الدمام 32241": a number, then a district or street word with the
 * article, told for an address only by the city or postcode after it.
 */
export function arabicArticleStreet(index: number): Street | undefined {
  if (!plainNumber(index, 1, 5)) return undefined;
  const next = index + 1;
  if (
    next >= tokens.count ||
    !joined(next) ||
    kindOf(next) !== arabicWord ||
    !has(next, startsWithArticle) ||
    !(maskOf(next) & (arabicDistrict | arabicType))
  )
    return undefined;
  const name = arabicStreetName(next);
  if (name < 0) return undefined;
  const chunk = chunkAt(skipSeparator(name + 1));
  return chunk >= 0 && chunk > name + 1 ? { first: unitBefore(index), last: name } : undefined;
}
