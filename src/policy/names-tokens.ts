// The tokens of a text as the pii.name detector sees them: each word looked up once in the name
// vocabulary (its entry and category bits kept with the token), and the predicates on positions
// that both scripts share (a line start, the end of a phrase, a given name by its first part).
import {
  type CompiledTrigger,
  given,
  nameVocabulary,
  type NameVocabulary,
  placeIntroducer,
} from './names-vocabulary.js';
import {
  arabicWord,
  beginText,
  capitalised,
  characterBefore,
  charOf,
  has,
  hashOf,
  hyphenated,
  keyEnd,
  kindOf,
  latinWord,
  newlineBefore,
  punctuation,
  segmentsCapitalised,
  spaceBefore,
  tokens,
} from './tokens.js';
import {
  foldWord,
  hashRange,
  isApostrophe,
  isHyphen,
  isNewline,
  marked,
  withoutAccents,
  type WordEntry,
} from './words.js';

export let words: NameVocabulary;

/** Starts reading input for names. */
export function beginNames(input: string): void {
  words = nameVocabulary();
  beginText(input);
}

/** Can this word start a name or introduce one? One bitmap read, before any map look-up. */
export function mayStart(index: number): boolean {
  const hash = hashOf(index);
  if (marked(words.startFilter, hash)) return true;
  return (
    kindOf(index) === latinWord && has(index, capitalised) && givenWord(tokens.starts[index]!, keyEnd(index), hash)
  );
}

/** Looks the word up once; its entry id and mask are kept with the token. */
function lookUp(index: number): void {
  const kind = kindOf(index);
  const entry =
    kind === latinWord || kind === arabicWord
      ? words.find(tokens.text, tokens.starts[index]!, keyEnd(index), hashOf(index))
      : undefined;
  tokens.entryIds[index] = entry ? entry.id : -1;
  let mask = entry ? entry.mask : 0;
  if (kind === latinWord && has(index, capitalised) && givenWord(tokens.starts[index]!, keyEnd(index), hashOf(index)))
    mask |= given;
  tokens.masks[index] = mask;
}

/** Is text[start, end) a listed Latin-script given name? Accents need not match: "Leïla" is "Leila". */
export function isLatinGiven(start: number, end: number): boolean {
  if (end - start < 2 || end - start > 20) return false;
  const key = foldWord(tokens.text.slice(start, end));
  if (words.latinGiven.has(key)) return true;
  const plain = withoutAccents(key);
  return plain !== key && words.latinGiven.has(plain);
}

/**
 * Is the word at [start, end), whose hash is given, a listed given name? The filter first; a word
 * with accents is looked up without them too, past the filter.
 */
export function givenWord(start: number, end: number, hash: number): boolean {
  if (marked(words.givenFilter, hash)) return isLatinGiven(start, end);
  for (let index = start; index < end; index += 1)
    if (tokens.text.charCodeAt(index) >= 0xc0) return isLatinGiven(start, end);
  return false;
}

export function entryOf(index: number): WordEntry | undefined {
  if (tokens.entryIds[index] === -2) lookUp(index);
  const id = tokens.entryIds[index]!;
  return id >= 0 ? words.entries[id] : undefined;
}

export function maskOf(index: number): number {
  let mask = tokens.masks[index]!;
  if (mask < 0) {
    lookUp(index);
    mask = tokens.masks[index]!;
  }
  return mask;
}

/** Just after the end of a sentence: "Thanks for your help. Best regards, Sam". */
export function afterSentence(index: number): boolean {
  const character = characterBefore(tokens.starts[index]!);
  return character === 46 || character === 33 || character === 63;
}

export function atLineStart(index: number): boolean {
  const previous = characterBefore(tokens.starts[index]!);
  if (previous < 0 || isNewline(previous)) return true;
  const before = index - 1;
  if (before < 0 || has(index, newlineBefore) || kindOf(before) !== punctuation) return false;
  const character = charOf(before);
  // Bullets, table bars, quotes and brackets may open a line of a form.
  if (character === 46 || character === 44) return false;
  const lineStart = characterBefore(tokens.starts[before]!);
  return lineStart < 0 || isNewline(lineStart) || character === 124 || character === 59;
}

/** The end of a hyphenated word's first part: "Jean" in "Jean-Pierre". */
export function segmentEnd(index: number): number {
  const start = tokens.starts[index]!;
  let end = start;
  while (
    end < tokens.ends[index]! &&
    !isHyphen(tokens.text.charCodeAt(end)) &&
    !isApostrophe(tokens.text.charCodeAt(end))
  )
    end += 1;
  return end;
}

function segmentEntry(index: number): WordEntry | undefined {
  const start = tokens.starts[index]!;
  const end = segmentEnd(index);
  return words.find(tokens.text, start, end, hashRange(tokens.text, start, end));
}

/** The first part of a hyphenated word names a saint, so the word is a place: "Saint-Denis". */
export function saintCompound(index: number): boolean {
  if (!has(index, hyphenated)) return false;
  const entry = segmentEntry(index);
  return entry !== undefined && (entry.mask & placeIntroducer) !== 0;
}

export function segmentMayStart(index: number): boolean {
  const start = tokens.starts[index]!;
  const end = segmentEnd(index);
  const hash = hashRange(tokens.text, start, end);
  return marked(words.startFilter, hash) || givenWord(start, end, hash);
}

/** A listed given name, by the whole word or, for "Jean-Pierre", "Marie-Hélène", its first part. */
export function givenMask(index: number): number {
  if (!has(index, capitalised)) return 0;
  const mask = maskOf(index);
  if (mask & given) return mask;
  if (
    has(index, hyphenated) &&
    has(index, segmentsCapitalised) &&
    givenWord(
      tokens.starts[index]!,
      segmentEnd(index),
      hashRange(tokens.text, tokens.starts[index]!, segmentEnd(index)),
    )
  ) {
    const segment = segmentEntry(index);
    if (!segment || !(segment.mask & placeIntroducer)) return (segment ? segment.mask : 0) | given;
  }
  return 0;
}

/** Ends a phrase: a punctuation mark, a line break or the end of the text. */
export function endsPhrase(index: number): boolean {
  if (index >= tokens.count || has(index, newlineBefore)) return true;
  if (kindOf(index) !== punctuation) return false;
  const character = charOf(index);
  // "Node.js", "Report.docx": a dot glued to a word on both sides does not end anything.
  if (character === 46 && index + 1 < tokens.count && !has(index + 1, spaceBefore) && kindOf(index + 1) === latinWord)
    return false;
  // "Hey Vesta - quick one": a hyphen with spaces around it is a dash.
  if (character === 45) return has(index, spaceBefore) && (index + 1 >= tokens.count || has(index + 1, spaceBefore));
  return character !== 39 && character !== 0x2019 && character !== 38;
}

/** A trigger phrase starting at index: the longest that matches. */
export function matchTrigger(index: number): { trigger: CompiledTrigger; after: number } | undefined {
  const entry = entryOf(index);
  if (!entry) return undefined;
  const candidates = words.triggers[entry.id];
  if (!candidates) return undefined;
  // Longest first (see addTrigger), so the first that matches is the best.
  for (const trigger of candidates) {
    let position = index;
    let matched = true;
    for (let word = 0; word < trigger.words.length; word += 1) {
      const id = trigger.words[word]!;
      if (position >= tokens.count || (word > 0 && has(position, newlineBefore))) {
        matched = false;
        break;
      }
      if (id === -1) {
        const character = charOf(position);
        // "Name: Ana", "Name - Ana", "Contact – Ana": a dash with spaces stands for the colon.
        if (character !== 58 && character !== 0xff1a && !(isDash(character) && spacedDash(position))) {
          matched = false;
          break;
        }
      } else if (word > 0 && entryOf(position)?.id !== id) {
        matched = false;
        break;
      }
      position += 1;
    }
    if (matched) return { trigger, after: position };
  }
  return undefined;
}

const isDash = (character: number): boolean => character === 45 || character === 0x2013 || character === 0x2014;
/** A dash with a space on each side, not the hyphen of a word. */
function spacedDash(index: number): boolean {
  return has(index, spaceBefore) && index + 1 < tokens.count && has(index + 1, spaceBefore);
}
