// The German street form for the pii.address detector: the street word, then the number
// ("Hauptstraße 5", "Bahnhofstr. 12a", "Berliner Straße 12").
import { germanStreetSuffixes } from './data/address-words.js';
import { isCapitalisedWord, maskOf, type Street } from './addresses-tokens.js';
import { nonCity } from './addresses-vocabulary.js';
import {
  capitalised,
  glued,
  has,
  isPunctuation,
  kindOf,
  latinWord,
  newlineBefore,
  numberToken,
  spaceBefore,
  tokenLength,
  tokens,
} from './tokens.js';
import { fold } from './words.js';

/** "Hauptstraße 5", "Bahnhofstr. 12a", "Friedrich-Ebert-Platz 5", "Berliner Straße 12". */
export function germanStreet(index: number): Street | undefined {
  if (kindOf(index) !== numberToken || has(index, newlineBefore) || !has(index, spaceBefore)) return undefined;
  const digits = tokens.digitCounts[index]!;
  if (digits < 1 || digits > 4 || tokenLength(index) - digits > 1) return undefined;
  if (
    index + 1 < tokens.count &&
    glued(index + 1) &&
    (isPunctuation(index + 1, 46) || isPunctuation(index + 1, 44)) &&
    index + 2 < tokens.count &&
    kindOf(index + 2) === numberToken &&
    glued(index + 2)
  )
    return undefined;
  let word = index - 1;
  let dotted = false;
  if (isPunctuation(word, 46) && glued(word)) {
    word -= 1;
    dotted = true;
  }
  if (
    word < 0 ||
    kindOf(word) !== latinWord ||
    !has(word, capitalised) ||
    (word + 1 < index && has(word + 1, newlineBefore))
  )
    return undefined;
  // Every suffix ends in e, r, g, z or m: one comparison before the suffix loop.
  const last = tokens.text.charCodeAt(tokens.ends[word]! - 1) | 32;
  if (tokenLength(word) < 3 || !(last === 101 || last === 114 || last === 103 || last === 122 || last === 109))
    return undefined;
  const suffix = germanSuffix(word);
  if (suffix === 0) return undefined;
  if (suffix === 3 && (!dotted || tokenLength(word) < 6)) return undefined;
  if (tokenLength(word) === suffix) {
    // "Berliner Straße 12": the street word alone needs a capitalised word before it.
    const before = word - 1;
    if (before < 0 || !isCapitalisedWord(before) || has(word, newlineBefore) || maskOf(before) & nonCity)
      return undefined;
    return { first: before, last: index };
  }
  return { first: word, last: index };
}

/** The length of the German street suffix the word ends with (straße, str, weg…), or 0. */
function germanSuffix(index: number): number {
  const start = tokens.starts[index]!;
  const end = tokens.ends[index]!;
  for (const suffix of germanStreetSuffixes) {
    if (end - start < suffix.length) continue;
    let matches = true;
    for (let position = 0; position < suffix.length; position += 1) {
      if (fold(tokens.text.charCodeAt(end - suffix.length + position)) !== suffix.charCodeAt(position)) {
        matches = false;
        break;
      }
    }
    if (matches) {
      // A suffix inside a longer word starts a segment: "Haupt|straße", "Friedrich-Ebert-|Platz".
      return suffix.length;
    }
  }
  return 0;
}
