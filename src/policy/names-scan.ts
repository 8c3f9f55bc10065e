// The scan of the pii.name detector over a stretch of tokens: at each word that may start or
// introduce a name, a name after a context word, else one that starts with a listed given name; each
// try looks a bounded number of tokens ahead, so the scan is linear.
import {
  acceptArabic,
  afterArabicPlace,
  type ArabicFound,
  endsArabicPhrase,
  gluedAnd,
  takeArabicName,
} from './names-arabic.js';
import {
  acceptGiven,
  acceptLatin,
  afterPlaceIntroducer,
  followedByOrganisation,
  type Found,
  initial,
  streetAbbreviation,
  takeLatinName,
} from './names-latin.js';
import {
  afterSentence,
  atLineStart,
  endsPhrase,
  entryOf,
  givenMask,
  maskOf,
  matchTrigger,
  mayStart,
  segmentMayStart,
  words,
} from './names-tokens.js';
import {
  arabicAbbreviatedHonorific,
  arabicGiven,
  arabicHonorific,
  arabicHonorificAdjective,
  arabicServant,
  arabicStop,
  arabicWeakHonorific,
  given,
  honorific,
  lowerCaseHonorific,
  needsContext,
  needsDot,
  particle,
  title,
  triggerHead,
} from './names-vocabulary.js';
import type { Span } from './span.js';
import {
  allCapitals,
  arabicWord,
  capitalised,
  charOf,
  has,
  hyphenated,
  isPunctuation,
  joined,
  keyEnd,
  kindOf,
  latinWord,
  lengthOf,
  newlineBefore,
  prefixedCapital,
  punctuation,
  spaceBefore,
  tokens,
  wordIs,
} from './tokens.js';

import {
  acceptOwned,
  familyNameShaped,
  followedByIdentity,
  greetedSelf,
  ownedRelation,
  personNamed,
  restOfList,
  selfIntroduced,
  takeLowerCaseName,
} from './names-context.js';

const label = 'pii.name';

/** A name after an honorific or title ("Dr Haddad", "King Charles"). */
function nameAfterHonorific(index: number, mask: number, spans: Span[]): number {
  // The cheap tests first: a name word must follow, past the honorific's dot.
  let next = index + 1;
  if (isPunctuation(next, 46) && !has(next, spaceBefore)) next += 1;
  else if (mask & needsDot) return -1;
  if (next >= tokens.count || !joined(next) || kindOf(next) !== latinWord) return -1;
  // "M. Dupont", but not "M.Resolve" in code.
  if (mask & needsDot && !has(next, spaceBefore)) return -1;
  // "Prof. Dr. Hans Müller": the last honorific of a row introduces the name.
  if (maskOf(next) & honorific && has(next, capitalised)) return -1;
  if (has(index, allCapitals) && !has(next, allCapitals)) return -1;
  if (afterPlaceIntroducer(index)) return -1;
  // "12 Elm Dr": Drive, not Doctor.
  if (entryOf(index)?.word === 'dr' && streetAbbreviation(index)) return -1;
  const found = takeLatinName(next, true, (mask & honorific) !== 0);
  // A title ("King", "President") vouches only for a listed given name: not "General Motors".
  const accepted =
    found &&
    (mask & honorific
      ? acceptLatin(found, 'strong', false, false)
      : givenMask(found.firstWord) & given && !followedByOrganisation(found));
  if (found && accepted) return emit(found.first, found.last, spans);
  return -1;
}

/** A name at a trigger: the honorific or phrase at index vouches for the words after it. */
function nameAfterTrigger(index: number, spans: Span[]): number {
  const kind = kindOf(index);
  const mask = maskOf(index);
  if (kind === latinWord && mask & (honorific | title) && (has(index, capitalised) || mask & lowerCaseHonorific)) {
    // "Doctor: Ana Lima", "Father's name:": an honorific that also starts a field.
    const after = nameAfterHonorific(index, mask, spans);
    if (after >= 0 || !(mask & triggerHead)) return after;
  }
  if (kind === arabicWord) {
    if (
      mask & arabicHonorific ||
      (mask & arabicAbbreviatedHonorific && (isPunctuation(index + 1, 46) || isPunctuation(index + 1, 47)))
    ) {
      if (afterArabicPlace(index)) return -1;
      let next = index + 1;
      if (mask & arabicAbbreviatedHonorific && !(mask & arabicHonorific)) next += 1;
      // "الشيخ الدكتور خالد", "الأستاذ الفاضل خالد": past more honorifics and words of respect.
      for (
        let more = 0;
        more < 2 &&
        next < tokens.count &&
        joined(next) &&
        kindOf(next) === arabicWord &&
        maskOf(next) & (arabicHonorific | arabicHonorificAdjective);
        more += 1
      )
        next += 1;
      if (next >= tokens.count || !joined(next)) return -1;
      const weak =
        (mask & arabicWeakHonorific) !== 0 || (mask & arabicAbbreviatedHonorific && entryOf(index)?.word !== 'د');
      const found = takeArabicName(next, true, !weak);
      // One unknown word after a strong honorific, when the phrase ends there: "قابلت السيد أمان أمس".
      if (found && acceptArabic(found, weak ? 'weak' : 'strong', !weak && endsArabicPhrase(found.after)))
        return emitArabic(found, spans);
      return -1;
    }
  }
  if (kind === punctuation) return nameAfterDash(index, spans);
  if (!(mask & triggerHead)) return -1;
  const match = matchTrigger(index);
  if (!match) return -1;
  const { trigger } = match;
  let next = match.after;
  let strength = trigger.strength;
  const lineStart = atLineStart(index);
  if ((strength === 'field' || strength === 'subject' || strength === 'role') && !lineStart) return -1;
  // "Thanks,\nMatilda", "Signed,\nEuan MacLeod", "شكرا،\nأمير": a salutation or "signed" that
  // ends its line signs off.
  if ((strength === 'salutation' || strength === 'weak') && lineEndsAfter(next - 1) && lineStart) strength = 'signoff';
  let apposition = false;
  // "my colleague Priya Nair", "her husband, Declan,": someone's relation, named after it.
  const owned = (strength === 'kin' || strength === 'named') && ownedRelation(index);
  if (strength === 'signoff') {
    if (!lineStart && !afterSentence(index)) return -1;
    if (
      next < tokens.count &&
      (isPunctuation(next, 44) || isPunctuation(next, 0x60c) || isPunctuation(next, 33) || isPunctuation(next, 46))
    )
      next += 1;
    else if (next < tokens.count && !has(next, newlineBefore)) return -1;
    if (next >= tokens.count) return -1;
  } else {
    if (strength === 'salutation' && (isPunctuation(next, 44) || isPunctuation(next, 0x60c))) next += 1;
    // "The patient, Cleora Wunsch, was seen": a name set off by commas after a weak trigger.
    else if (
      (strength === 'weak' || owned) &&
      (isPunctuation(next, 44) || isPunctuation(next, 0x60c) || (strength === 'weak' && isPunctuation(next, 40))) &&
      next + 1 < tokens.count &&
      joined(next + 1)
    ) {
      next += 1;
      apposition = true;
    }
    if (next >= tokens.count || (has(next, newlineBefore) && strength !== 'field' && strength !== 'role')) return -1;
  }
  // "مرحبا يا أحمد"
  if (kindOf(next) === arabicWord && entryOf(next)?.word === 'يا' && next + 1 < tokens.count && joined(next + 1))
    next += 1;
  if (kindOf(next) === latinWord) {
    // "my name is priya raman": typed in lower case after a phrase that says a name follows.
    if (trigger.lowerCase && !has(next, capitalised) && !has(index, capitalised)) {
      const lower = takeLowerCaseName(next);
      return lower ? emit(lower.first, lower.last, spans) : -1;
    }
    const found = takeLatinName(next, true);
    if (!found || (apposition && !endsPhrase(found.after))) return -1;
    if (owned) return acceptOwned(found, apposition) ? emit(found.first, found.last, spans) : -1;
    const patientLowerCase = trigger.patient && !has(index, capitalised);
    // A capitalised weak trigger of one word is likely a heading word ("Patient Safety Week", "Named
    // Exports Supported"): then only a listed given name counts.
    const headingLike =
      strength === 'weak' &&
      has(index, capitalised) &&
      match.after === index + 1 &&
      !apposition &&
      !(givenMask(found.firstWord) & given) &&
      !followedByIdentity(found);
    // "Dear Anwen and Gethin,", "Bonjour Maëlle et Loïc,": two people greeted, the pair ending the phrase.
    const second = strength === 'salutation' && !headingLike ? secondOfPair(found) : undefined;
    const accepted =
      acceptLatin(found, strength, patientLowerCase, lineEndsAfter(found.last)) ||
      (strength === 'given-only' && selfIntroduced(found)) ||
      (strength === 'subject' &&
        found.words >= 2 &&
        (followedByIdentity(found) || (lineEndsAfter(found.last) && familyNameShaped(found.last)))) ||
      (strength === 'named' && personNamed(index, found)) ||
      (strength === 'self' && greetedSelf(index, found));
    if (second || (accepted && !headingLike)) {
      if (strength === 'field' || strength === 'role') return nameInField(found, spans);
      const after = emit(found.first, found.last, spans);
      return second ? emit(second.first, second.last, spans) : after;
    }
    return -1;
  }
  if (kindOf(next) === arabicWord) {
    const found = takeArabicName(next, true, strength === 'strong' || strength === 'field' || strength === 'signoff');
    if (!found || (apposition && !endsPhrase(found.after))) return -1;
    // A phrase that says a name follows ("اسمي", "الاسم:") vouches for one unknown word too; a
    // salutation or sign-off at a line start, for one that ends its phrase ("أهلاً عوضية،").
    const alone =
      lineStart && (lineEndsAfter(found.last) || isPunctuation(found.after, 0x60c) || isPunctuation(found.after, 44));
    if (acceptArabic(found, strength === 'strong' ? 'field' : strength, alone)) return emitArabic(found, spans);
  }
  return -1;
}

/**
 * The name after a field or role, and the names after it on the line ("Attendees: Ana Lima, Tom
 * Hart"); an inverted name is one ("Name: LIMA, Ana").
 */
function nameInField(found: Found, spans: Span[]): number {
  if (found.words === 1 && isPunctuation(found.after, 44) && joined(found.after + 1)) {
    const given = takeLatinName(found.after + 1, true);
    if (given && given.first === found.after + 1 && given.words <= 2 && lineEndsAfter(given.last))
      return emit(found.first, given.last, spans);
  }
  const after = emit(found.first, found.last, spans);
  const end = restOfList(found.after, (name) => emit(name.first, name.last, spans));
  return end >= 0 ? end : after;
}

/** The second of two names joined by "and", "et" or "&", when the pair ends the phrase. */
function secondOfPair(found: Found): Found | undefined {
  const joiner = found.after;
  if (
    joiner + 1 >= tokens.count ||
    !joined(joiner) ||
    !(wordIs(joiner, 'and') || wordIs(joiner, 'et') || isPunctuation(joiner, 38))
  )
    return undefined;
  if (!joined(joiner + 1) || kindOf(joiner + 1) !== latinWord) return undefined;
  const second = takeLatinName(joiner + 1, true);
  return second && second.words <= 3 && endsPhrase(second.after) && !followedByOrganisation(second)
    ? second
    : undefined;
}

/** Does the line end after index (past a comma, a full stop or an exclamation mark)? */
function lineEndsAfter(index: number): boolean {
  let next = index + 1;
  if (
    next < tokens.count &&
    !has(next, newlineBefore) &&
    (isPunctuation(next, 44) || isPunctuation(next, 0x60c) || isPunctuation(next, 46) || isPunctuation(next, 33))
  )
    next += 1;
  return next >= tokens.count || has(next, newlineBefore);
}

/** "— Carolyne", "— Mary Jones": a dash at a line start, then a name alone on the line. */
function nameAfterDash(index: number, spans: Span[]): number {
  const character = charOf(index);
  if ((character !== 0x2014 && character !== 0x2013) || !atLineStart(index)) return -1;
  const next = index + 1;
  if (next >= tokens.count || !joined(next)) return -1;
  if (kindOf(next) === latinWord) {
    const found = takeLatinName(next, true);
    if (!found || found.words > 3 || !lineEndsAfter(found.last) || followedByOrganisation(found)) return -1;
    // One word must be a listed given name: "— Summary" is a heading.
    return found.words >= 2 || givenMask(found.firstWord) & given ? emit(found.first, found.last, spans) : -1;
  }
  if (kindOf(next) === arabicWord) {
    const found = takeArabicName(next, true);
    if (found && lineEndsAfter(found.last) && acceptArabic(found, 'signoff', false)) return emitArabic(found, spans);
  }
  return -1;
}

function emit(first: number, last: number, spans: Span[]): number {
  spans.push({ start: tokens.starts[first]!, end: keyEnd(last), label });
  return last + 1;
}

function emitArabic(found: ArabicFound, spans: Span[]): number {
  spans.push({ start: found.start, end: tokens.ends[found.last]!, label });
  return found.last + 1;
}

/** A name with no context word before it: a listed given name, then a family name. */
function nameFromGivenName(index: number, spans: Span[]): number {
  const kind = kindOf(index);
  if (kind === latinWord) {
    if (!has(index, capitalised) || has(index, allCapitals)) return -1;
    const next = index + 1;
    if (
      next >= tokens.count ||
      !joined(next) ||
      kindOf(next) !== latinWord ||
      !(has(next, capitalised) || has(next, prefixedCapital) || maskOf(next) & particle || initial(next))
    )
      return -1;
    const mask = givenMask(index);
    if (!(mask & given) || mask & needsContext) return -1;
    if (afterPlaceIntroducer(index)) return -1;
    const found = takeLatinName(index, false);
    if (found && found.first === index && acceptGiven(found)) return emit(found.first, found.last, spans);
    return -1;
  }
  if (kind === arabicWord) {
    const mask = maskOf(index);
    if (
      !(mask & (arabicGiven | arabicServant)) &&
      !(tokens.text.charCodeAt(tokens.starts[index]!) === 0x648 && !(mask & arabicStop) && gluedAnd(index))
    )
      return -1;
    if (afterArabicPlace(index)) return -1;
    const found = takeArabicName(index, false);
    if (found && acceptArabic(found, 'given')) return emitArabic(found, spans);
  }
  return -1;
}

/** The first, cheap test of the scan: a word that may start or introduce a name. */
export function worthLooking(index: number): boolean {
  const kind = kindOf(index);
  if (kind === latinWord) {
    if (has(index, capitalised)) return mayStart(index) || (has(index, hyphenated) && segmentMayStart(index));
    // Lower case: only a trigger ("my name is", "patient", "regards") or a French honorific.
    const first = tokens.text.charCodeAt(tokens.starts[index]!);
    if (first >= 97 && first <= 122)
      return (words.lowerCaseLengths[first - 97]! & (1 << Math.min(lengthOf(index), 31))) !== 0 && mayStart(index);
    return first > 127 && mayStart(index);
  }
  if (kind === arabicWord)
    return mayStart(index) || (tokens.text.charCodeAt(tokens.starts[index]!) === 0x648 && lengthOf(index) >= 3);
  // "— Carolyne": a dash signing off.
  return kind === punctuation && (charOf(index) === 0x2014 || charOf(index) === 0x2013);
}

/** Scans tokens from index up to limit (a name found may end past it); returns where it stopped. */
export function scanTokens(from: number, limit: number, spans: Span[]): number {
  let index = from;
  while (index < limit) {
    const kind = kindOf(index);
    if (worthLooking(index)) {
      const after = nameAfterTrigger(index, spans);
      if (after >= 0) {
        index = after;
        continue;
      }
      if (kind === arabicWord || (has(index, capitalised) && (maskOf(index) & given || has(index, hyphenated)))) {
        const afterGiven = nameFromGivenName(index, spans);
        if (afterGiven >= 0) {
          index = afterGiven;
          continue;
        }
      }
    }
    index += 1;
  }
  return index;
}
