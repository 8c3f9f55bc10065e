// Arabic-script names for the pii.name detector: each word classed (a listed given name, a family
// name, a particle such as بن or أبو, عبد before an ال-word, an unknown word that may be a name), the
// run of name words at a position, and whether it makes a name in its context.
import type { TriggerStrength } from './data/name-triggers.js';
import type { Found } from './names-latin.js';
import { endsPhrase, entryOf, maskOf, words } from './names-tokens.js';
import {
  arabicAdjective,
  arabicFamily,
  arabicGiven,
  arabicHonorific,
  arabicInnerTitle,
  arabicNeedsContext,
  arabicParticle,
  arabicPlaceIntroducer,
  arabicReligion,
  arabicServant,
  arabicStop,
  triggerHead,
} from './names-vocabulary.js';
import {
  arabicWord,
  endsWithYa,
  firstFolded,
  has,
  joined,
  kindOf,
  lengthOf,
  newlineBefore,
  startsWithArticle,
  tokens,
} from './tokens.js';
import { fold, hashRange, type WordEntry } from './words.js';

const arabicNone = 0;
const arabicGivenWord = 1;
const arabicCommonWord = 2;
const arabicFamilyWord = 3;
const arabicParticleWord = 4;
const arabicServantWord = 5;
const arabicUnknownWord = 6;
const arabicReligionWord = 7;
/** An unlisted word with the article, not ending in ي: a family name only after another name word ("رضوان الأشراف"). */
const arabicArticleWord = 8;

function arabicClass(index: number): number {
  if (index >= tokens.count || kindOf(index) !== arabicWord) return arabicNone;
  const mask = maskOf(index);
  if (mask & arabicGiven) return mask & arabicNeedsContext ? arabicCommonWord : arabicGivenWord;
  if (mask & arabicFamily) return arabicFamilyWord;
  if (mask & arabicParticle) return arabicParticleWord;
  if (mask & arabicServant) return arabicServantWord;
  if (mask & arabicReligion) return arabicReligionWord;
  if (mask & (arabicStop | arabicAdjective | arabicHonorific | arabicPlaceIntroducer | arabicInnerTitle | triggerHead))
    return arabicNone;
  if (has(index, startsWithArticle))
    return has(index, endsWithYa) && lengthOf(index) >= 5
      ? arabicFamilyWord
      : lengthOf(index) >= 4
        ? arabicArticleWord
        : arabicNone;
  // Unknown words: a verb (يـ تـ نـ) or a word with a glued preposition is not a name.
  const firstCode = firstFolded(index);
  if (lengthOf(index) < 2) return arabicNone;
  if (firstCode === 0x64a || firstCode === 0x62a || firstCode === 0x646 || firstCode === 0x648) return arabicNone;
  if (
    (firstCode === 0x628 || firstCode === 0x644 || firstCode === 0x643 || firstCode === 0x641) &&
    fold(tokens.text.charCodeAt(tokens.starts[index]! + 1)) === 0x627 &&
    fold(tokens.text.charCodeAt(tokens.starts[index]! + 2)) === 0x644
  )
    return arabicNone;
  return arabicUnknownWord;
}

export interface ArabicFound extends Found {
  firstClass: number;
  secondClass: number;
  /** Offset of the first name word when a glued و was left out. */
  start: number;
}

/** The run of Arabic name words from index: given names, بن/أبو/آل + word, عبد + ال-word, family names. */
export function takeArabicName(from: number, allowUnknown: boolean, allowArticle = false): ArabicFound | undefined {
  let index = from;
  let wordsTaken = 0;
  let last = -1;
  let firstClass = arabicNone;
  let secondClass = arabicNone;
  let start = tokens.starts[from]!;
  // A glued "and": "ومحمد".
  if (arabicClass(from) === arabicNone || arabicClass(from) === arabicUnknownWord) {
    const stripped = gluedAnd(from);
    if (stripped) {
      firstClass = stripped.mask & arabicNeedsContext ? arabicCommonWord : arabicGivenWord;
      start = tokens.starts[from]! + 1;
      last = from;
      wordsTaken = 1;
      index = from + 1;
    }
  }
  for (let steps = 0; steps < 8 && index < tokens.count && wordsTaken < 6; steps += 1) {
    if (index > from && has(index, newlineBefore)) break;
    const kind = arabicClass(index);
    let taken = 0;
    if (kind === arabicParticleWord) {
      const next = index + 1;
      // أم is also "or": only at the start of a name.
      const word = entryOf(index)?.word;
      if (word === 'ام' && wordsTaken > 0) break;
      if (
        next < tokens.count &&
        joined(next) &&
        kindOf(next) === arabicWord &&
        !(maskOf(next) & (arabicStop | arabicHonorific | arabicPlaceIntroducer))
      )
        taken = 2;
    } else if (kind === arabicServantWord) {
      const next = index + 1;
      if (next < tokens.count && joined(next) && kindOf(next) === arabicWord && has(next, startsWithArticle)) taken = 2;
    } else if (kind === arabicGivenWord || kind === arabicCommonWord || kind === arabicFamilyWord) {
      taken = 1;
    } else if (kind === arabicReligionWord && wordsTaken > 0) {
      taken = 1;
    } else if (
      kind === arabicUnknownWord &&
      allowUnknown &&
      wordsTaken < 2 &&
      (wordsTaken === 0 ||
        firstClass === arabicUnknownWord ||
        firstClass === arabicGivenWord ||
        firstClass === arabicCommonWord)
    ) {
      // An unknown word is a name only first or second ("السيدة ماري كوري"), never after a family name.
      taken = 1;
    } else if (
      kind === arabicArticleWord &&
      allowArticle &&
      wordsTaken > 0 &&
      wordsTaken < 3 &&
      firstClass !== arabicFamilyWord &&
      (firstClass !== arabicUnknownWord || lengthOf(from) >= 4) &&
      endsArabicPhrase(index + 1)
    ) {
      // "الدكتور رضوان الأشراف،": after a strong honorific, an ال-word that ends the phrase is the family name.
      taken = 1;
    }
    if (taken === 0) break;
    if (wordsTaken === 0) firstClass = kind;
    else if (wordsTaken === 1) secondClass = kind;
    wordsTaken += 1;
    last = index + taken - 1;
    index += taken;
  }
  if (wordsTaken === 0) return undefined;
  return { first: from, last, firstWord: from, words: wordsTaken, after: last + 1, firstClass, secondClass, start };
}

/** "ومحمد": a given name behind a glued "and". */
export function gluedAnd(index: number): WordEntry | undefined {
  if (kindOf(index) !== arabicWord || lengthOf(index) < 3 || tokens.text.charCodeAt(tokens.starts[index]!) !== 0x648)
    return undefined;
  const start = tokens.starts[index]! + 1;
  const entry = words.find(tokens.text, start, tokens.ends[index]!, hashRange(tokens.text, start, tokens.ends[index]!));
  return entry && entry.mask & arabicGiven ? entry : undefined;
}

const isNameClass = (kind: number): boolean =>
  kind === arabicGivenWord ||
  kind === arabicCommonWord ||
  kind === arabicFamilyWord ||
  kind === arabicParticleWord ||
  kind === arabicServantWord;

/**
 * Does this run of Arabic name words make a name in its context? alone: the name ends its phrase
 * or line ("أهلاً عوضية،", "تحياتي،\nمنيرة", "قابلت السيد أمان أمس").
 */
export function acceptArabic(found: ArabicFound, strength: TriggerStrength | 'given', alone = false): boolean {
  const { firstClass, secondClass } = found;
  switch (strength) {
    case 'strong':
    case 'field':
      if (firstClass === arabicUnknownWord) return found.words >= 2 || strength === 'field' || alone;
      return true;
    case 'given-only':
      return firstClass === arabicGivenWord;
    case 'named':
      return firstClass === arabicGivenWord || firstClass === arabicCommonWord;
    case 'self':
      // "أنا خالد", "أنا تيسير العنابي"; not "أنا طالب جامعي".
      return firstClass === arabicGivenWord || (found.words >= 2 && secondClass === arabicFamilyWord);
    case 'salutation':
    case 'signoff':
    case 'weak':
    case 'kin':
    case 'subject':
    case 'role':
      // A salutation's or sign-off's one unknown word that ends its phrase: "أهلاً عوضية،".
      if (
        firstClass === arabicUnknownWord &&
        found.words === 1 &&
        (strength === 'salutation' || strength === 'signoff')
      )
        return alone;
      if (firstClass === arabicUnknownWord)
        return found.words >= 2 && isNameClass(secondClass) && secondClass !== arabicCommonWord;
      return firstClass !== arabicFamilyWord || found.words >= 2;
    case 'given':
      if (firstClass === arabicGivenWord || firstClass === arabicServantWord) return true;
      if (firstClass === arabicCommonWord) {
        if (secondClass === arabicCommonWord) return found.words >= 3;
        return found.words >= 2 && (isNameClass(secondClass) || secondClass === arabicReligionWord);
      }
      return firstClass === arabicParticleWord && found.words >= 2 && secondClass !== arabicNone;
  }
}

/** The end of a phrase for an Arabic name: punctuation, a line break, the end, or a stop word ("أمس", "في"). */
export function endsArabicPhrase(index: number): boolean {
  return endsPhrase(index) || (kindOf(index) === arabicWord && (maskOf(index) & arabicStop) !== 0);
}

/** Just before index: a street or institution word, or a title inside one ("طريق الملك عبدالعزيز"). */
export function afterArabicPlace(index: number): boolean {
  let before = index - 1;
  if (before < 0 || has(index, newlineBefore)) return false;
  for (let back = 0; back < 2 && before >= 0 && kindOf(before) === arabicWord; back += 1) {
    const mask = maskOf(before);
    if (mask & arabicPlaceIntroducer) return true;
    if (!(mask & arabicInnerTitle)) return false;
    if (has(before, newlineBefore)) return false;
    before -= 1;
  }
  return false;
}
