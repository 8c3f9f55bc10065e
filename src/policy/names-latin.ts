// Latin-script names for the pii.name detector: the run of name words at a position (capitalised
// words, particles, initials), and whether it makes a name after a context word or after a listed
// given name. Places, organisations, code and words that are also names are ruled out here.
import type { TriggerStrength } from './data/name-triggers.js';
import { endsPhrase, givenMask, maskOf, saintCompound } from './names-tokens.js';
import {
  afterNameThing,
  arabicPlaceIntroducer,
  assistant,
  capitalParticle,
  generationSuffix,
  given,
  honorific,
  needsContext,
  nonName,
  organisation,
  particle,
  place,
  placeIntroducer,
  rolePreposition,
  title,
} from './names-vocabulary.js';
import {
  allCapitals,
  arabicWord,
  capitalised,
  charOf,
  has,
  innerCapital,
  isPunctuation,
  joined,
  keyEnd,
  kindOf,
  latinWord,
  lengthOf,
  mixedToken,
  newlineBefore,
  numberToken,
  possessive,
  prefixedCapital,
  punctuation,
  spaceBefore,
  tokens,
} from './tokens.js';

/** A word that can be part of a name at this position of it. */
export function latinNameWord(index: number, position: number, afterTrigger: boolean, afterHonorific = false): boolean {
  if (index >= tokens.count || kindOf(index) !== latinWord) return false;
  if (position > 0 && has(index, newlineBefore)) return false;
  if (!has(index, capitalised) && !has(index, prefixedCapital)) return false;
  if (lengthOf(index) < 2) return false;
  // "M. Saint-Clair": after an honorific, a saint's compound is a family name, not a place.
  if ((saintCompound(index) && !(afterHonorific && position === 0)) || identifierLike(index)) return false;
  const mask = maskOf(index);
  if (mask & (honorific | title) && !(mask & given)) return false;
  if (mask & (organisation | placeIntroducer) && !(mask & given)) return false;
  if (mask & place) {
    // "Miss France", "Bonjour Paris": a place alone is not a name, even when it is a given name too.
    if (position === 0 && (!(mask & given) || !latinNameWord(index + 1, 1, true) || !joined(index + 1))) return false;
  }
  const wordLikeName = (mask & needsContext) !== 0 && (mask & given) !== 0;
  if (mask & nonName && !wordLikeName) return false;
  if (wordLikeName) {
    // "Dear Will", "Mr May", "Dr Grace Hopper": a name that is also a word needs the trigger.
    if (position === 0 && !afterTrigger) return false;
    const next = index + 1;
    if (next < tokens.count && kindOf(next) === numberToken && joined(next)) return false;
    // "Theresa May said" but not "Smith Will Join": a function word ends a name.
    if (
      mask & nonName &&
      position > 0 &&
      next < tokens.count &&
      joined(next) &&
      kindOf(next) === latinWord &&
      has(next, capitalised)
    )
      return false;
  }
  return true;
}

/** Code, not prose: "NodeJS.ArrayBufferView", "NODE_SEA_BLOB", "userName(", "GiB". */
function identifierLike(index: number): boolean {
  if (has(index, innerCapital)) return true;
  const after = index + 1;
  if (after < tokens.count && !has(after, spaceBefore) && kindOf(after) === punctuation) {
    const character = charOf(after);
    if (
      character === 95 ||
      character === 40 ||
      character === 60 ||
      character === 91 ||
      character === 123 ||
      character === 47 ||
      character === 92 ||
      character === 61 ||
      character === 64 ||
      character === 35
    )
      return true;
    if (character === 46 && after + 1 < tokens.count && !has(after + 1, spaceBefore) && kindOf(after + 1) === latinWord)
      return true;
  }
  if (index > 0 && !has(index, spaceBefore)) {
    const before = index - 1;
    const kind = kindOf(before);
    if (kind === latinWord || kind === numberToken || kind === mixedToken) return true;
    const character = charOf(before);
    if (
      character === 95 ||
      character === 46 ||
      character === 47 ||
      character === 92 ||
      character === 64 ||
      character === 35 ||
      character === 36 ||
      character === 60 ||
      character === 61
    )
      return true;
  }
  return false;
}

/** A single capital with a dot, inside a name: "J. R. R. Tolkien", "John F. Kennedy". */
export function initial(index: number): boolean {
  return (
    index + 1 < tokens.count &&
    kindOf(index) === latinWord &&
    has(index, capitalised) &&
    tokens.ends[index]! - tokens.starts[index]! === 1 &&
    isPunctuation(index + 1, 46) &&
    !has(index + 1, spaceBefore)
  );
}

/** A single capital with no dot, then a space and more of the name on the same line. */
function bareInitial(index: number): boolean {
  return (
    kindOf(index) === latinWord &&
    has(index, capitalised) &&
    tokens.ends[index]! - tokens.starts[index]! === 1 &&
    index + 1 < tokens.count &&
    joined(index + 1) &&
    has(index + 1, spaceBefore)
  );
}

export interface Found {
  first: number;
  last: number;
  /** The first name word (first may be a particle: "de Gaulle"). */
  firstWord: number;
  words: number;
  /** Index of the first token after the name. */
  after: number;
}

/** The longest run of name words from index, with particles and initials between them. */
export function takeLatinName(from: number, afterTrigger: boolean, afterHonorific = false): Found | undefined {
  let index = from;
  let first = -1;
  let last = -1;
  let firstWord = -1;
  let wordsTaken = 0;
  let initials = 0;
  for (let steps = 0; steps < 10 && index < tokens.count; steps += 1) {
    if (index > from && has(index, newlineBefore)) break;
    if (wordsTaken < 5 && initials < 3 && initial(index)) {
      const next = index + 2;
      if (next < tokens.count && !has(next, newlineBefore) && (initial(next) || latinNameWord(next, 1, true))) {
        if (first < 0) first = index;
        last = index + 1;
        index = next;
        initials += 1;
        continue;
      }
      // "Regards,\nPriya N.": a family name's initial ends the name (the dot left out).
      if (wordsTaken > 0 && (next >= tokens.count || has(next, newlineBefore) || isPunctuation(next, 44))) last = index;
      break;
    }
    // "Mrs A Khan", "Mr J Smith": an initial without its dot, right after an honorific.
    if (afterHonorific && index === from && bareInitial(index) && latinNameWord(index + 1, 1, true)) {
      first = index;
      last = index;
      index += 1;
      initials += 1;
      continue;
    }
    const mask = maskOf(index);
    if (
      kindOf(index) === latinWord &&
      !has(index, capitalised) &&
      mask & particle &&
      (wordsTaken > 0 || afterTrigger)
    ) {
      // "de", "de la", "van der", "bin": only when a name word follows.
      let next = index + 1;
      if (
        next < tokens.count &&
        joined(next) &&
        kindOf(next) === latinWord &&
        !has(next, capitalised) &&
        maskOf(next) & particle
      )
        next += 1;
      if (latinNameWord(next, 1, true) && joined(next)) {
        if (first < 0) first = index;
        index = next;
        continue;
      }
      break;
    }
    if (
      kindOf(index) === latinWord &&
      has(index, capitalised) &&
      mask & capitalParticle &&
      !(mask & given) &&
      wordsTaken < 4
    ) {
      const next = index + 1;
      if (joined(next) && latinNameWord(next, 1, true)) {
        if (first < 0) first = index;
        last = index;
        index = next;
        continue;
      }
    }
    if (wordsTaken < 5 && latinNameWord(index, wordsTaken, afterTrigger, afterHonorific && index === from)) {
      if (first < 0) first = index;
      if (firstWord < 0) firstWord = index;
      last = index;
      wordsTaken += 1;
      index += 1;
      if (has(index - 1, possessive)) break;
      continue;
    }
    break;
  }
  if (wordsTaken === 0) return undefined;
  return { first, last, firstWord, words: wordsTaken, after: last + 1 };
}

/** The word after the name makes it a thing: "George Washington University", "Martin Luther King Jr. Day". */
export function followedByOrganisation(found: Found): boolean {
  let next = found.after;
  // Past "Jr." or "Sr.": "Martin Luther King Jr. Day".
  if (next < tokens.count && joined(next) && kindOf(next) === latinWord && maskOf(next) & generationSuffix) {
    next += 1;
    if (charOf(next) === 46 && !has(next, spaceBefore)) next += 1;
  }
  return (
    next < tokens.count &&
    joined(next) &&
    kindOf(next) === latinWord &&
    has(next, capitalised) &&
    (maskOf(next) & (organisation | afterNameThing)) !== 0
  );
}

/**
 * After a context word, does this run of name words make a name? alone: the name is the last thing
 * on its line ("Cheers,\nGwilym").
 */
export function acceptLatin(
  found: Found,
  strength: TriggerStrength,
  patientLowerCase: boolean,
  alone: boolean,
): boolean {
  const firstGiven = (givenMask(found.firstWord) & given) !== 0;
  // "Hi Claude": the assistant the prompt is addressed to, not a person.
  if (strength !== 'strong' && strength !== 'field' && maskOf(found.firstWord) & assistant) return false;
  switch (strength) {
    case 'strong':
    case 'field':
      return true;
    case 'named':
    case 'subject':
      return firstGiven && !followedByOrganisation(found);
    case 'given-only': {
      const mask = givenMask(found.firstWord);
      return (mask & given) !== 0 && !(mask & needsContext) && !followedByOrganisation(found);
    }
    case 'self': {
      // "I'm Sarah", "I am Sarah Jones"; not "I am Head of Sales", "I'm Lead Engineer at Acme".
      const mask = givenMask(found.firstWord);
      if (followedByOrganisation(found)) return false;
      if ((mask & given) !== 0 && !(mask & needsContext)) return true;
      return (
        found.words >= 2 && !has(found.firstWord, allCapitals) && !beforeRoleWord(found.after) && !adjectiveLike(found)
      );
    }
    case 'kin':
      return firstGiven && !followedByOrganisation(found);
    case 'salutation':
      if (followedByOrganisation(found)) return false;
      if (firstGiven) return true;
      return endsPhrase(found.after);
    case 'signoff':
    case 'weak':
    case 'role':
      if (followedByOrganisation(found)) return false;
      if (firstGiven || found.words >= 2) return true;
      // A sign-off's name alone on its line: "Cheers,\nGwilym".
      if (strength === 'signoff' && alone) return true;
      return (
        patientLowerCase &&
        (endsPhrase(found.after) || (kindOf(found.after) === latinWord && !has(found.after, capitalised)))
      );
  }
}

/** "I'm Super Excited", "I am Really Grateful": a word with the ending of an adverb or adjective. */
function adjectiveLike(found: Found): boolean {
  for (let index = found.firstWord; index <= found.last; index += 1) {
    if (kindOf(index) !== latinWord) continue;
    const end = keyEnd(index);
    const length = end - tokens.starts[index]!;
    const text = tokens.text;
    const ending = (suffix: string): boolean => length > suffix.length + 3 && text.endsWith(suffix, end);
    if (
      ending('ly') ||
      ending('ing') ||
      ending('ed') ||
      ending('ful') ||
      ending('ous') ||
      ending('ive') ||
      ending('able') ||
      ending('ible')
    )
      return true;
  }
  return false;
}

/** "… at Acme", "… of Sales", "… chez Renault": the words before were a role, not a name. */
function beforeRoleWord(index: number): boolean {
  if (index >= tokens.count || !joined(index) || kindOf(index) !== latinWord || has(index, capitalised)) return false;
  return (maskOf(index) & rolePreposition) !== 0;
}

/** A listed given name with a family name after it: "Marie Dubois", "John F. Kennedy". */
export function acceptGiven(found: Found): boolean {
  if (found.words < 2) return false;
  const mask = givenMask(found.firstWord);
  if (!(mask & given) || mask & needsContext || has(found.first, allCapitals)) return false;
  // The word after the given name must be a family name (latinNameWord has ruled out heading words,
  // organisations and places), and not a short acronym: "John USA".
  let second = found.first + 1;
  while (
    second <= found.last &&
    (initial(second) || isPunctuation(second, 46) || (kindOf(second) === latinWord && !has(second, capitalised)))
  )
    second += 1;
  if (has(second, allCapitals) && lengthOf(second) < 3) return false;
  return !followedByOrganisation(found);
}

/** Just before index: a street, an institution or a saint ("rue Victor Hugo", "Lycée Jean Moulin"). */
export function afterPlaceIntroducer(index: number): boolean {
  let before = index - 1;
  if (before < 0 || has(index, newlineBefore)) return false;
  if (
    kindOf(before) === latinWord &&
    !has(before, capitalised) &&
    maskOf(before) & particle &&
    before > 0 &&
    !has(before, newlineBefore)
  )
    before -= 1;
  if (
    kindOf(before) === latinWord &&
    !has(before, capitalised) &&
    maskOf(before) & particle &&
    before > 0 &&
    !has(before, newlineBefore)
  )
    before -= 1;
  // "St. Louis", "Mt. Vernon"
  if (charOf(before) === 46 && !has(before, spaceBefore) && before > 0 && !has(before, newlineBefore)) before -= 1;
  if (kindOf(before) === latinWord || kindOf(before) === arabicWord) {
    const mask = maskOf(before);
    if (mask & (placeIntroducer | arabicPlaceIntroducer)) return true;
  }
  return false;
}

/** "12 Elm Dr": the abbreviation of Drive after a street name, not Doctor. */
export function streetAbbreviation(index: number): boolean {
  const before = index - 1;
  if (before < 0 || has(index, newlineBefore) || kindOf(before) !== latinWord || !has(before, capitalised))
    return false;
  for (let back = before - 1; back >= 0 && back >= before - 4; back -= 1) {
    if (kindOf(back) === numberToken) return true;
    if (has(back + 1, newlineBefore)) return false;
  }
  return false;
}
