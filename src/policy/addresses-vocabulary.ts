// The words of the pii.address detector, in one hashed table built once at first use: street types,
// unit words, postcode labels, cities, state and postcode-area codes, and the words that rule an
// address out, each with its category bits.
import {
  arabicAddressStopWords,
  arabicCities,
  arabicCountWords,
  arabicDistrictWords,
  arabicStreetTypes,
  cities,
  cityParticles,
  countries,
  directionals,
  englishAmbiguousStreetTypes,
  englishStreetTypes,
  englishWeakStreetTypes,
  frenchAmbiguousStreetTypes,
  frenchNumberSuffixes,
  frenchStreetParticles,
  frenchStreetTypes,
  germanStreetSuffixes,
  nonCityWords,
  notStreetNames,
  numberedRoadWords,
  numberedThings,
  ordinalSuffixes,
  postBoxWords,
  postcodeLabels,
  saintWords,
  streetFollowers,
  ukPostcodeAreas,
  unitWords,
  usStateCodes,
  yearPrepositions,
} from './data/address-words.js';
import { hashOfFolded, mark, newFilter, WordShapes, WordTable } from './words.js';

// Word categories, one bit each; a word may have several.
export const englishType = 1 << 0;
export const englishAmbiguousType = 1 << 1;
export const frenchType = 1 << 2;
export const frenchAmbiguousType = 1 << 3;
export const frenchSuffix = 1 << 4;
export const germanWord = 1 << 5;
export const arabicType = 1 << 6;
export const arabicDistrict = 1 << 7;
export const unit = 1 << 8;
export const direction = 1 << 9;
export const labelHead = 1 << 10;
export const city = 1 << 11;
export const arabicCity = 1 << 12;
export const nonCity = 1 << 13;
export const frenchParticle = 1 << 14;
export const notStreetName = 1 << 15;
export const arabicStop = 1 << 16;
export const boxWord = 1 << 17;
export const country = 1 << 18;
export const ordinalSuffix = 1 << 19;
export const saint = 1 << 20;
export const cityParticle = 1 << 21;
/** "Chapter", "Page", "saison": a word that counts things with the number after it. */
export const numberedThing = 1 << 22;
export const labelWord = 1 << 23;
export const englishWeakType = 1 << 24;
export const usState = 1 << 25;
export const ukArea = 1 << 26;
/** Lower-case words that may follow a street ending in "Close", "Way": "and", "in", "near"… */
export const follower = 1 << 27;
/** Prepositions before a year, so that "in 2019 Main Street was…" is no house number. */
export const yearPreposition = 1 << 28;
/** Arabic words that count things ("3 مرات", "5 سنوات"): after them a number is no house number. */
export const numberWord = 1 << 29;
/** "Route", "Highway": a road named by a number ("2723 Route 9"). */
export const numberedRoad = 1 << 30;

export const englishTypeMask = englishType | englishAmbiguousType | englishWeakType;

export class AddressVocabulary extends WordTable {
  /** Words after a number that make it worth a look: street types, "bis". */
  readonly afterNumberFilter = newFilter();
  /** Words before a number that make it worth a look: a box, a postcode label, a city. */
  readonly beforeNumberFilter = newFilter();
  /** The shapes of those words, looked at before hashing. */
  readonly afterNumberShapes = new WordShapes();
  readonly beforeNumberShapes = new WordShapes();

  markFilters(afterBits: number, beforeBits: number): void {
    for (const entry of this.entries) {
      if (entry.mask & afterBits) {
        mark(this.afterNumberFilter, hashOfFolded(entry.word));
        this.afterNumberShapes.add(entry.word);
      }
      if (entry.mask & beforeBits) {
        mark(this.beforeNumberFilter, hashOfFolded(entry.word));
        this.beforeNumberShapes.add(entry.word);
      }
    }
  }
}

let vocabulary: AddressVocabulary | undefined;

/** The vocabulary, built on the first call. */
export function addressVocabulary(): AddressVocabulary {
  return (vocabulary ??= buildVocabulary());
}

function buildVocabulary(): AddressVocabulary {
  const words = new AddressVocabulary();
  // With a glued و ب ف, and with the article ("88 المنطقة الصناعية"), which the patterns tell apart.
  const arabicPrefixed = (word: string): string[] => [word, `و${word}`, `ب${word}`, `ف${word}`, `ال${word}`];
  for (const word of englishStreetTypes) words.add(word, englishType);
  for (const word of englishAmbiguousStreetTypes) words.add(word, englishAmbiguousType);
  for (const word of englishWeakStreetTypes) words.add(word, englishWeakType);
  for (const word of frenchStreetTypes) words.add(word, frenchType);
  for (const word of frenchAmbiguousStreetTypes) words.add(word, frenchAmbiguousType);
  for (const word of frenchNumberSuffixes) words.add(word, frenchSuffix);
  for (const word of germanStreetSuffixes) words.add(word, germanWord);
  for (const word of arabicStreetTypes) for (const form of arabicPrefixed(word)) words.add(form, arabicType);
  for (const word of arabicDistrictWords) for (const form of arabicPrefixed(word)) words.add(form, arabicDistrict);
  for (const word of unitWords) words.add(word, unit);
  for (const word of directionals) words.add(word, direction);
  for (const phrase of postcodeLabels) {
    const parts = phrase.split(' ');
    parts.forEach((part, index) => {
      words.add(part, index === parts.length - 1 ? labelHead : labelWord);
    });
  }
  for (const word of cities) {
    const parts = word.split(' ');
    words.add(parts[parts.length - 1]!, city);
  }
  for (const word of arabicCities) for (const part of word.split(' ')) words.add(part, arabicCity);
  for (const word of nonCityWords) words.add(word, nonCity);
  for (const word of frenchStreetParticles) words.add(word, frenchParticle);
  for (const word of cityParticles) words.add(word, cityParticle);
  for (const word of notStreetNames) words.add(word, notStreetName);
  for (const word of arabicAddressStopWords) words.add(word, arabicStop);
  for (const word of arabicCountWords) words.add(word, arabicStop | numberWord);
  for (const word of postBoxWords) words.add(word, boxWord);
  for (const word of countries) words.add(word, country);
  for (const word of ordinalSuffixes) words.add(word, ordinalSuffix);
  for (const word of saintWords) words.add(word, saint);
  for (const word of numberedThings) words.add(word, numberedThing);
  // Codes are matched on their folded form; the text must still be in capitals (see isStateCode).
  for (const code of usStateCodes) words.add(code, usState);
  for (const code of ukPostcodeAreas) words.add(code, ukArea);
  for (const word of streetFollowers) words.add(word, follower);
  for (const word of yearPrepositions) words.add(word, yearPreposition);
  for (const word of numberedRoadWords) words.add(word, numberedRoad);
  words.markFilters(
    englishTypeMask | frenchType | frenchAmbiguousType | frenchSuffix | arabicType | arabicDistrict | numberedRoad,
    boxWord | labelHead | labelWord | city | arabicCity,
  );
  return words;
}
