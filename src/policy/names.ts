// pii.name: personal names in English, French and Arabic, after an honorific, a phrase, a salutation
// or a sign-off, or from a listed given name. Linear: a first pass keeps the few words that could
// start or follow one, and only the text around them is tokenised and scanned (names-scan.ts). Pure.
import { scanTokens, worthLooking } from './names-scan.js';
import { beginNames, givenWord, words } from './names-tokens.js';
import {
  arabicGiven,
  arabicHonorificAdjective,
  arabicShape,
  arabicStop,
  needsContext,
  nonName,
} from './names-vocabulary.js';
import type { Span } from './span.js';
import { endText, tokenizeRange, tokens } from './tokens.js';
import {
  hashRange,
  isApostrophe,
  isArabicLetter,
  isHyphen,
  isLatinLetter,
  isNewline,
  isSpace,
  marked,
  snapBack,
  snapForward,
} from './words.js';

// A capital letter (Latin-1 too): every Latin-script name has one. A character class, so linear.
const capitalLetters = /[A-Z\u00C0-\u00D6\u00D8-\u00DE]/g;
const arabicLetter = /[\u0621-\u064A]/;
const anyLetterOfInterest = /[A-Z\u00C0-\u00D6\u00D8-\u00DE\u0621-\u064A]/;
/** Phrases after which a name may be written in lower case: "my name is priya raman". */
const lowerCaseIntroductions = /name is|name's|m['’ ]appelle|me nomme|nom est/g;

/** Text kept before and after a word worth a look: room for "nom de la patiente :" and a name. */
const windowBefore = 40;
const windowAfter = 160;
/** A name and its trigger span fewer tokens than this, so the tail of a window waits for more. */
const tailTokens = 14;

let spans: Span[] = [];
let tokenisedTo = 0;
let scanned = 0;
/** Words looked at and passed over since the last window: many means a text dense with capitals. */
let passedOver = 0;
/** Windows opened in a row, each joining the one before. */
let joinedWindows = 0;

/**
 * Spans of personal names in text (offsets into text as given; Arabic-Indic digits need not be
 * normalised). A span covers the name words only, never the honorific or phrase before them, and
 * spans never overlap.
 */
export function findNames(input: string): Span[] {
  lowerCaseIntroductions.lastIndex = 0;
  nextIntroduction = lowerCaseIntroductions.test(input) ? lowerCaseIntroductions.lastIndex : Infinity;
  // No capital, no Arabic letter and no "my name is": nothing to find, at the cost of native scans.
  if (nextIntroduction === Infinity && !anyLetterOfInterest.test(input)) return [];
  beginNames(input);
  const found: Span[] = (spans = []);
  tokenisedTo = 0;
  scanned = 0;
  passedOver = 0;
  joinedWindows = 0;
  if (arabicLetter.test(input)) scanEveryWord(input);
  else scanCapitals(input);
  openIntroductionsBefore(Infinity);
  if (tokens.count > 0) closeWindow();
  endText();
  spans = [];
  return found;
}

/** Latin-script text: only the capitalised words need a look. */
function scanCapitals(input: string): void {
  capitalLetters.lastIndex = 0;
  // test(), not exec(): no match object for each of the many capitals of a text.
  while (capitalLetters.test(input)) {
    const start = capitalLetters.lastIndex - 1;
    openIntroductionsBefore(start);
    // Capitals so dense that looking at each costs more than reading everything ("A.A.A.…"):
    // tokenise the rest at once.
    if (passedOver > 256 && passedOver * 8 > start - tokenisedTo) {
      tokenizeRange(tokenisedTo, input.length, false);
      tokenisedTo = input.length;
      return;
    }
    capitalLetters.lastIndex = start < tokenisedTo ? tokenisedTo : considerCapital(start);
  }
}

/** Text with Arabic letters: every Arabic word is hashed, capitalised Latin words as in scanCapitals. */
function scanEveryWord(input: string): void {
  const length = input.length;
  // The code units beginNames loaded (codes.ts), read instead of the string.
  const codes = tokens.codes;
  const tailFilter = words.tailFilter;
  const shapes = words.arabicShapes;
  let index = 0;
  let previousTail = false;
  /** A Latin letter since the last Arabic word: only then may a Latin trigger come before the next. */
  let latinSeen = false;
  while (index < length) {
    let code = codes[index]!;
    if (code < 0x621) {
      if ((code >= 65 && code <= 90) || (code >= 0xc0 && code <= 0xde && code !== 0xd7)) {
        latinSeen = true;
        if (nextIntroduction < index) openIntroductionsBefore(index);
        index = index < tokenisedTo ? tokenisedTo : considerCapital(index);
      } else {
        if (code >= 97 && code <= 122) latinSeen = true;
        index += 1;
      }
      continue;
    }
    if (!isArabicLetter(code)) {
      index += 1;
      continue;
    }
    // One tight loop a word to find its end. A word of the basic block with no diacritic is first
    // looked up by its shape (first and last letters, length); only the few that pass are hashed.
    const start = index;
    let plain = true;
    do {
      if (code > 0x64a || code === 0x640) plain = false;
      index += 1;
      code = index < length ? codes[index]! : 0;
    } while (code >= 0x621 && (code <= 0x65f || isArabicLetter(code)));
    if (plain) {
      if (!marked(shapes, arabicShape(input, start, index))) {
        if (start >= tokenisedTo) {
          if (nextIntroduction < start) openIntroductionsBefore(start);
          // Not a name word itself; only a trigger before it could make it one. A stop word right
          // after an Arabic trigger ("مرحبا، أريد"): no name starts there, so no window (a greeting
          // opens most Arabic prompts).
          if (latinSeen && latinWordBefore(start) && followsContext(start))
            index = Math.max(index, openWindow(start, index));
          else if (previousTail && !stopAfterTrigger(input, start, index))
            index = Math.max(index, openWindow(start, index));
        }
        previousTail = false;
        latinSeen = false;
        continue;
      }
    }
    const hash = hashRange(input, start, index);
    if (start >= tokenisedTo)
      index = arabicWord(
        start,
        index,
        hash,
        previousTail,
        latinSeen,
        codes[start]! === 0x648 ? hashRange(input, start + 1, index) : -1,
      );
    previousTail = marked(tailFilter, hash);
    latinSeen = false;
  }
}

/**
 * Is the Arabic word at [start, end) one that no name starts with, so a trigger just before it
 * vouches for nothing (takeArabicName takes no stop word first)? Not يا, which a trigger reads
 * past ("مرحبا يا أحمد"), not a word of respect an honorific reads past ("الشيخ الفاضل خالد"), and
 * not a word with a glued "and" ("و" + a given name).
 */
function stopAfterTrigger(input: string, start: number, end: number): boolean {
  const first = input.charCodeAt(start);
  if (first === 0x648 || (end - start === 2 && first === 0x64a && input.charCodeAt(start + 1) === 0x627)) return false;
  const mask = words.maskOf(input, start, end, hashRange(input, start, end));
  return (mask & arabicStop) !== 0 && (mask & (arabicGiven | arabicHonorificAdjective)) === 0;
}

/** Looks at the Arabic word at [start, end); returns where the scan goes on. */
function arabicWord(
  start: number,
  end: number,
  hash: number,
  previousTail: boolean,
  latinSeen: boolean,
  withoutAnd: number,
): number {
  if (nextIntroduction < start) openIntroductionsBefore(start);
  const worth =
    previousTail ||
    marked(words.openFilter, hash) ||
    (withoutAnd >= 0 && end - start >= 3 && gluedAndGiven(start, end, withoutAnd)) ||
    (end - start === 1 && abbreviatedHonorific(end, hash)) ||
    (latinSeen && latinWordBefore(start) && followsContext(start));
  if (!worth) return end;
  return Math.max(end, openWindow(start, end));
}

/**
 * Is there a Latin-script word just before position (past spaces and one punctuation mark)? Only
 * then can a Latin trigger come before an Arabic name ("Patient: بن حمودة"); an Arabic one is
 * known from the word before without looking back.
 */
function latinWordBefore(position: number): boolean {
  const text = tokens.text;
  let before = position - 1;
  while (before >= 0 && isSpace(text.charCodeAt(before))) before -= 1;
  if (before < 0) return false;
  let character = text.charCodeAt(before);
  if (character === 58 || character === 44 || character === 46 || character === 0x60c || character === 0xff1a) {
    before -= 1;
    while (before >= 0 && isSpace(text.charCodeAt(before))) before -= 1;
    if (before < 0) return false;
    character = text.charCodeAt(before);
  }
  return character < 0x250 && isLatinLetter(character);
}

/** "ومحمد": a listed given name behind a glued "and". */
function gluedAndGiven(start: number, end: number, hash: number): boolean {
  return marked(words.openFilter, hash) && (words.maskOf(tokens.text, start + 1, end, hash) & arabicGiven) !== 0;
}

/** "د. سارة", "م/ خالد": a one-letter honorific with its dot or slash. */
function abbreviatedHonorific(end: number, hash: number): boolean {
  if (!marked(words.tailFilter, hash)) return false;
  const next = tokens.text.charCodeAt(end);
  return next === 46 || next === 47;
}

/** Looks at the capitalised word at start; returns where the capital scan goes on. */
function considerCapital(start: number): number {
  const text = tokens.text;
  let end = start + 1;
  while (end < text.length && isLatinLetter(text.charCodeAt(end))) end += 1;
  // A capital alone is no name word, but an initial with its dot ("J. Smith"): not even a look.
  // An initial without its dot is looked at only after an honorific: "Mrs A Khan".
  if (
    end === start + 1 &&
    text.charCodeAt(end) !== 46 &&
    !isApostrophe(text.charCodeAt(end)) &&
    !isHyphen(text.charCodeAt(end)) &&
    !(text.charCodeAt(end) === 32 && followsContext(start))
  )
    return end;
  let wordStart = start;
  if (start > 0) {
    const before = text.charCodeAt(start - 1);
    if (isLatinLetter(before)) {
      // A capital inside a word ("iPhone", "McDonald") is handled with the word it belongs to.
      passedOver += 1;
      return end;
    }
    if (isApostrophe(before) || isHyphen(before)) {
      // "d'Artagnan", "al-Rashid": a name behind a short glued particle; else part of a word.
      let particleStart = start - 1;
      while (particleStart > 0 && isLatinLetter(text.charCodeAt(particleStart - 1))) particleStart -= 1;
      if (
        start - 1 - particleStart > 2 ||
        particleStart === start - 1 ||
        (particleStart > 0 &&
          !isSpace(text.charCodeAt(particleStart - 1)) &&
          !isNewline(text.charCodeAt(particleStart - 1)))
      ) {
        passedOver += 1;
        return end;
      }
      wordStart = particleStart;
    }
  }
  // A capitalised word right after a window may continue a name cut at its end: "… Inigo | Montoya".
  const continuesWindow = tokenisedTo > 0 && wordStart - tokenisedTo <= 3 && onlySpaces(tokenisedTo, wordStart);
  if (!continuesWindow && !worthWindow(wordStart, start, end)) {
    passedOver += 1;
    return end;
  }
  return openWindow(wordStart, end);
}

/**
 * Could the capitalised word at [start, end) (its capital at capital) start a name, or follow a
 * context word? Most capitalised words in prose (sentence starts) are not and cost one hash.
 */
function worthWindow(start: number, capital: number, end: number): boolean {
  const text = tokens.text;
  const hash = hashRange(text, capital, end);
  // A listed given name that is not also a common word: "John Smith". Honorifics and trigger
  // words need no window of their own: the name after them is looked at with them in view.
  if (givenWord(capital, end, hash) && !(words.maskOf(text, capital, end, hash) & (needsContext | nonName)))
    return true;
  return followsContext(start);
}

/**
 * Does the word at start follow a word that ends a trigger or is an honorific ("my name is John",
 * "Dr. Haddad", "le docteur de Martin"), past a colon or a comma ("Name: John", "Regards, John"),
 * a line break ("Best regards,\nJohn") or lower-case particles? A dash at a line start signs off.
 */
function followsContext(start: number): boolean {
  const text = tokens.text;
  let before = start - 1;
  for (let particles = 0; particles < 3; particles += 1) {
    while (before >= 0 && (isSpace(text.charCodeAt(before)) || isNewline(text.charCodeAt(before)))) before -= 1;
    if (before < 0) return false;
    let character = text.charCodeAt(before);
    if ((character === 0x2014 || character === 0x2013) && lineStartAt(before)) return true;
    if (
      character === 58 ||
      character === 44 ||
      character === 0xff1a ||
      character === 0x60c ||
      character === 46 ||
      character === 33 ||
      character === 0x2014 ||
      character === 0x2013 ||
      (character === 45 && before > 0 && isSpace(text.charCodeAt(before - 1)))
    ) {
      // "Dr. Haddad", "Name: John", "Regards,\nJohn", "Cheers!\nJohn", "Contact - John"; not "3.5 Million".
      before -= 1;
      while (before >= 0 && isSpace(text.charCodeAt(before))) before -= 1;
      if (before < 0) return false;
      character = text.charCodeAt(before);
    }
    let wordStart = before;
    if (isArabicLetter(character)) {
      // "عزيزي John": an Arabic trigger before a Latin-script name.
      while (wordStart > 0 && isArabicLetter(text.charCodeAt(wordStart - 1))) wordStart -= 1;
      return marked(words.tailFilter, hashRange(text, wordStart, before + 1));
    }
    if (!isLatinLetter(character)) return false;
    while (
      wordStart > 0 &&
      (isLatinLetter(text.charCodeAt(wordStart - 1)) || isApostrophe(text.charCodeAt(wordStart - 1)))
    )
      wordStart -= 1;
    // First and last letters and length first: most words before a capital are no trigger.
    if (!words.tailShapes.mayHold(text, wordStart, before + 1)) return false;
    const hash = hashRange(text, wordStart, before + 1);
    if (marked(words.tailFilter, hash)) return true;
    // "Nom : de Gaulle", "Mr van der Merwe": look past lower-case particles.
    if (!marked(words.particleFilter, hash)) return false;
    before = wordStart - 1;
  }
  return false;
}

/** Only spaces between the start of the line and position. */
function lineStartAt(position: number): boolean {
  let before = position - 1;
  while (before >= 0 && isSpace(tokens.text.charCodeAt(before))) before -= 1;
  return before < 0 || isNewline(tokens.text.charCodeAt(before));
}

function onlySpaces(from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) if (!isSpace(tokens.text.charCodeAt(index))) return false;
  return true;
}

let nextIntroduction = Infinity;

/** Opens a window at each lower-case introduction phrase before position. */
function openIntroductionsBefore(position: number): void {
  while (nextIntroduction < position) {
    const at = nextIntroduction;
    if (at >= tokenisedTo) openWindow(at, at);
    lowerCaseIntroductions.lastIndex = Math.max(at, tokenisedTo);
    nextIntroduction = lowerCaseIntroductions.test(tokens.text) ? lowerCaseIntroductions.lastIndex : Infinity;
  }
}

/** Tokenises the text around [start, end) and scans it; returns the end of the window. */
function openWindow(start: number, end: number): number {
  const text = tokens.text;
  passedOver = 0;
  // Windows that join one another (text dense with triggers: "Mr Mr …", "السيد أحمد …"): reading
  // the rest at once costs less than opening them one by one.
  if (++joinedWindows > 32) {
    tokenizeRange(tokenisedTo, text.length, false);
    tokenisedTo = text.length;
    scanned = scanTokens(scanned, tokens.count, spans);
    return text.length;
  }
  let from = snapBack(text, start - windowBefore, tokenisedTo);
  // Close to the last window: continue it, so that both read as one stretch of text.
  if (from - tokenisedTo < windowBefore) from = tokenisedTo;
  else {
    joinedWindows = 0;
    closeWindow();
    if (start < tokenisedTo) return tokenisedTo;
    from = snapBack(text, start - windowBefore, tokenisedTo);
  }
  const to = snapForward(text, end + windowAfter);
  tokenizeRange(from, to, from > tokenisedTo);
  tokenisedTo = to;
  scanned = scanTokens(scanned, to >= text.length ? tokens.count : tokens.count - tailTokens, spans);
  return to;
}

/**
 * Scans the tail of the last window with the text after it in view (a name's last check looks a
 * few tokens ahead: "Dear Smith 75008" is no salutation), tokenising on while what follows could
 * still start a name.
 */
function closeWindow(): void {
  for (;;) {
    const end = tokens.count;
    if (tokenisedTo < tokens.text.length) {
      const to = snapForward(tokens.text, tokenisedTo + windowAfter);
      tokenizeRange(tokenisedTo, to, false);
      tokenisedTo = to;
    }
    scanned = scanTokens(scanned, end, spans);
    // Nothing added (the end of the text), or nothing added that could start a name: done.
    if (end === tokens.count || !anyWorthLooking(Math.max(scanned, end), tokens.count)) {
      scanned = Math.max(scanned, tokens.count);
      return;
    }
  }
}

/** Does any token in [from, to) pass the first test of the scan (could it start a name)? */
function anyWorthLooking(from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) if (worthLooking(index)) return true;
  return false;
}
