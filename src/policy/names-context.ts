// What the words around a Latin-script name say about it, for the pii.name detector: a relation
// owned by someone ("my colleague Priya Nair", "his wife, Ana"), a self-introduction ("this is Priya
// from accounts"), an identity written after a subject ("Re: Ana Lima, DOB 01/02/1980"), and the
// names that follow the first one in a list ("Attendees: Ana Lima, Tom Hart and Sara Ng"). Each
// predicate reads a bounded number of tokens. Also: a family name known by its shape ("O'Connor",
// "Abu-Zeid"), and a name typed in lower case after "my name is".
import { acceptGiven, type Found, followedByOrganisation, takeLatinName } from './names-latin.js';
import { wordsAfterNameIs } from './data/name-words.js';
import { endsPhrase, givenMask, isLatinGiven, maskOf } from './names-tokens.js';
import {
  assistant,
  given,
  nameVocabulary,
  needsContext,
  nonName,
  organisation,
  particle,
  place,
  rolePreposition,
} from './names-vocabulary.js';
import { hashRange, isHyphen, isUpper } from './words.js';
import {
  allCapitals,
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
  numberToken,
  possessive,
  segmentsCapitalised,
  tokens,
  wordIs,
} from './tokens.js';

/** Determiners that make the relation after them someone's: "my son", "sa fille". */
const owners = ['my', 'his', 'her', 'our', 'their', 'your', 'mon', 'ma', 'sa', 'son', 'notre', 'votre', 'leur'];
/** Words between the owner and the relation: "my former employee", "her eldest daughter". */
const ownedQualifiers = [
  'former',
  'late',
  'eldest',
  'oldest',
  'youngest',
  'older',
  'elder',
  'younger',
  'little',
  'baby',
  'big',
  'new',
  'old',
  'best',
  'current',
  'previous',
  'dear',
  'adult',
  'twin',
  'line',
  'direct',
  'ancien',
  'ancienne',
  'jeune',
  'petit',
  'petite',
  'grand',
  'grande',
  'fils',
  'cher',
  'chère',
];

function anyWordIs(index: number, list: readonly string[]): boolean {
  if (index < 0 || kindOf(index) !== latinWord) return false;
  for (const word of list) if (wordIs(index, word)) return true;
  return false;
}

/**
 * Is the relation word at index someone's ("my colleague", "her eldest daughter", "Tom's wife")? Then
 * the words after it name a person even when no list knows the given name.
 */
export function ownedRelation(index: number): boolean {
  let before = index - 1;
  if (before < 0 || !joined(index)) return false;
  if (anyWordIs(before, ownedQualifiers) && joined(before)) before -= 1;
  if (before < 0) return false;
  if (anyWordIs(before, owners)) return true;
  return kindOf(before) === latinWord && has(before, possessive) && has(before, capitalised);
}

/**
 * After an owned relation, do the name words make a name? A listed given name, or words set off by
 * commas ("my mother, Ana Lima, called"): "His son Minecraft Server crashed" is no name.
 */
export function acceptOwned(found: Found, apposition: boolean): boolean {
  if (followedByOrganisation(found) || maskOf(found.firstWord) & assistant) return false;
  const mask = givenMask(found.firstWord);
  if (mask & given && !(mask & needsContext)) return true;
  return apposition && found.words <= 3 && !has(found.firstWord, allCapitals);
}

/** People a name is given to: "a patient called Ana Lima", "une femme nommée Ana". */
const people = [
  'patient',
  'man',
  'woman',
  'boy',
  'girl',
  'person',
  'someone',
  'somebody',
  'guy',
  'lady',
  'gentleman',
  'child',
  'kid',
  'customer',
  'client',
  'colleague',
  'friend',
  'doctor',
  'nurse',
  'student',
  'pupil',
  'employee',
  'tenant',
  'resident',
  'caller',
  'candidate',
  'applicant',
  'volunteer',
  'contractor',
  'guest',
  'visitor',
  'neighbour',
  'neighbor',
  'patiente',
  'homme',
  'femme',
  'garçon',
  'fille',
  'enfant',
  'cliente',
  'personne',
  'monsieur',
  'dame',
  'étudiant',
  'étudiante',
  'élève',
];

/** "a patient called Ana Lima", "someone named Priya rang": a person, then the name given to them. */
export function personNamed(index: number, found: Found): boolean {
  if (!anyWordIs(index - 1, people) || !joined(index) || followedByOrganisation(found)) return false;
  if (has(found.firstWord, allCapitals)) return false;
  if (found.words >= 2) return true;
  const after = found.after;
  return endsPhrase(after) || (kindOf(after) === latinWord && !has(after, capitalised));
}

/** Greetings before a self-introduction: "Hi, I'm Ana.", "Hello! I am Ana". */
const greetingWords = ['hi', 'hello', 'hey', 'hiya', 'greetings', 'morning', 'afternoon', 'evening', 'there'];

/** "Hi, I'm Ana.": one name word that no list knows, after a greeting and "I'm", ending the phrase. */
export function greetedSelf(index: number, found: Found): boolean {
  if (found.words !== 1 || has(found.firstWord, allCapitals) || !endsPhrase(found.after)) return false;
  let before = index - 1;
  if (before >= 0 && joined(index) && kindOf(before) !== latinWord) before -= 1;
  return before >= 0 && joined(before + 1) && anyWordIs(before, greetingWords);
}

/** "This is Priya from accounts", "this is Ana Lima calling": someone introducing themselves. */
export function selfIntroduced(found: Found): boolean {
  if (found.words > 3 || followedByOrganisation(found) || has(found.firstWord, allCapitals)) return false;
  const after = found.after;
  if (after >= tokens.count || !joined(after) || kindOf(after) !== latinWord || has(after, capitalised)) return false;
  return wordIs(after, 'from') || wordIs(after, 'calling') || wordIs(after, 'speaking') || wordIs(after, 'here');
}

/** Written after a person's name in letters and records: "DOB", "born", "NHS No", "née le". */
const identityWords = ['dob', 'd', 'born', 'nhs', 'mrn', 'hospital', 'hosp', 'aged', 'age', 'né', 'née', 'ipp', 'nir'];

/** "Re: Ana Lima, DOB 01/02/1980", "Patient Ana Lima (DOB …)", "Objet : Ana Lima, née le …". */
export function followedByIdentity(found: Found): boolean {
  let after = found.after;
  if (after < tokens.count && joined(after) && (isPunctuation(after, 44) || isPunctuation(after, 40))) after += 1;
  if (after >= tokens.count || !joined(after)) return false;
  if (kindOf(after) === numberToken) return isPunctuation(found.after, 40) || isPunctuation(found.after, 44);
  if (kindOf(after) !== latinWord || !anyWordIs(after, identityWords)) return false;
  // "D.O.B": the one letter only with its dot.
  return lengthOf(after) > 1 || isPunctuation(after + 1, 46);
}

/**
 * A family name by its shape: "O'Connor", "McAllister", "Abu-Zeid", "Siddiqui-Long" (each part of a
 * hyphenated one capitalised, of two letters or more, and no common word).
 */
export function familyNameShaped(index: number): boolean {
  if (kindOf(index) !== latinWord || !has(index, capitalised) || has(index, allCapitals)) return false;
  const text = tokens.text;
  const start = tokens.starts[index]!;
  const end = keyEnd(index);
  const second = text.charCodeAt(start + 1);
  // "O'Connor", "Mc"/"Mac" before a capital.
  if ((second === 39 || second === 0x2019) && text.charCodeAt(start) === 79) return isUpper(text.charCodeAt(start + 2));
  if (text.startsWith('Mc', start) && isUpper(text.charCodeAt(start + 2))) return end - start > 3;
  if (text.startsWith('Mac', start) && isUpper(text.charCodeAt(start + 3))) return end - start > 4;
  if (!has(index, hyphenated) || !has(index, segmentsCapitalised)) return false;
  let segment = start;
  for (let position = start; position <= end; position += 1) {
    if (position < end && !isHyphen(text.charCodeAt(position))) continue;
    if (position - segment < 2) return false;
    const words = nameVocabulary();
    const entry = words.find(text, segment, position, hashRange(text, segment, position));
    if (entry && entry.mask & nonName) return false;
    segment = position + 1;
  }
  return true;
}

/** Joins items of a list: a comma, a semicolon, "and", "et", "&", ", and". */
function listJoiner(index: number): number {
  if (index >= tokens.count || !joined(index)) return -1;
  let next = -1;
  const character = charOf(index);
  if (character === 44 || character === 59 || character === 38) next = index + 1;
  else if (wordIs(index, 'and') || wordIs(index, 'et')) next = index + 1;
  if (next < 0) return -1;
  if (character === 44 && (wordIs(next, 'and') || wordIs(next, 'et'))) next += 1;
  return next < tokens.count && joined(next) ? next : -1;
}

/**
 * The names after the first in a list that a field or role introduced, up to the end of the line:
 * each two name words or more, or a listed given name. Calls found for each; returns where the list
 * ends, or -1 when no name followed.
 */
export function restOfList(after: number, found: (name: Found) => number): number {
  let end = -1;
  for (let items = 0; items < 16; items += 1) {
    const next = listJoiner(after);
    if (next < 0 || kindOf(next) !== latinWord || !has(next, capitalised)) break;
    const name = takeLatinName(next, true);
    if (!name || name.first !== next || followedByOrganisation(name)) break;
    const mask = givenMask(name.firstWord);
    if (!(name.words >= 2 || (mask & given && !(mask & needsContext)) || acceptGiven(name))) break;
    end = found(name);
    after = name.after;
  }
  return end;
}

/**
 * A name typed in lower case after a phrase that says one follows ("my name is priya raman"): a
 * listed given name or a word no list knows that is not a common one, and one more such word.
 */
export function takeLowerCaseName(from: number): Found | undefined {
  if (
    from >= tokens.count ||
    kindOf(from) !== latinWord ||
    has(from, capitalised) ||
    !joined(from) ||
    lengthOf(from) < 2
  )
    return undefined;
  const listed = isLatinGiven(tokens.starts[from]!, keyEnd(from));
  if (listed ? maskOf(from) & nonName && !(maskOf(from) & needsContext) : !unlistedLowerCaseName(from))
    return undefined;
  if (afterNameIs.has(tokens.text.slice(tokens.starts[from]!, keyEnd(from)).toLowerCase())) return undefined;
  let last = from;
  const next = from + 1;
  if (
    next < tokens.count &&
    joined(next) &&
    kindOf(next) === latinWord &&
    !has(next, capitalised) &&
    lengthOf(next) >= 2 &&
    !(maskOf(next) & (nonName | particle | organisation | place | rolePreposition))
  )
    last = next;
  return { first: from, last, firstWord: from, words: last - from + 1, after: last + 1 };
}

const afterNameIs = new Set(wordsAfterNameIs);

/**
 * A lower-case word no list knows, after "my name is": a name unless it is a common word of the
 * sentence ("my name is not on the list", "my name is spelled wrong") or has the ending of one.
 */
function unlistedLowerCaseName(index: number): boolean {
  const length = lengthOf(index);
  if (length < 2 || length > 20 || has(index, possessive)) return false;
  if (maskOf(index) & (nonName | particle | organisation | place | rolePreposition | needsContext)) return false;
  const word = tokens.text.slice(tokens.starts[index]!, keyEnd(index)).toLowerCase();
  return !/(?:ed|ing|ly|ment|ness|tion|able|ible|ous|ful|less|ive)$/.test(word) || length <= 4;
}
