// pii.email: the spans of the pattern below, found from each '@' rather than by running the pattern
// from every position of the text. The pattern tried at every position costs a look-behind and up
// to 64 characters of local part at each one (11 µs on a 2 KB prompt, 15 ms on 1 MB of prose);
// found from the '@', a text costs one native indexOf plus the addresses it holds. Pure: no I/O.
import type { Span } from './span.js';

/** The pattern whose leftmost, non-overlapping matches are the spans (it states what an address is). */
export const emailPattern =
  /(?<![\p{L}\p{N}])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![\p{L}\p{N}])/gu;
/** The part of the pattern after the '@', tried where it stands (sticky). */
const domain = /[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![\p{L}\p{N}])/uy;
const letterOrNumber = /^[\p{L}\p{N}]$/u;
const longestLocalPart = 64;

/** A character the local part may hold: A–Z a–z 0–9 . _ % + - */
function isLocalCharacter(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 46 ||
    code === 95 ||
    code === 37 ||
    code === 43 ||
    code === 45
  );
}

/** Does a letter or a number (a whole code point, as the pattern's look-behind reads it) end just before position? */
function letterOrNumberBefore(text: string, position: number): boolean {
  if (position === 0) return false;
  const code = text.charCodeAt(position - 1);
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
  const pair = code >= 0xdc00 && code <= 0xdfff && position >= 2 && (text.charCodeAt(position - 2) & 0xfc00) === 0xd800;
  return letterOrNumber.test(text.slice(pair ? position - 2 : position - 1, position));
}

/**
 * The matches of emailPattern, exactly. A match holds one '@' and its local part is the run of
 * local characters that ends there (the pattern cannot skip the '@', which is no local character),
 * so for each '@' in turn: the domain is tried after it, and the match starts at the leftmost place
 * in that run, at most 64 before the '@' and not before the end of the last match, that no letter
 * or number precedes.
 */
export function findEmails(text: string): Span[] {
  const spans: Span[] = [];
  let lastEnd = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    if (at === 0 || !isLocalCharacter(text.charCodeAt(at - 1))) continue;
    domain.lastIndex = at + 1;
    if (!domain.test(text)) continue;
    const earliest = Math.max(lastEnd, at - longestLocalPart);
    // The last match ends right at this '@': no local part is left before it.
    if (at - 1 < earliest) continue;
    let runStart = at - 1;
    while (runStart > earliest && isLocalCharacter(text.charCodeAt(runStart - 1))) runStart -= 1;
    for (let start = runStart; start < at; start += 1) {
      if (letterOrNumberBefore(text, start)) continue;
      spans.push({ start, end: domain.lastIndex, label: 'pii.email' });
      lastEnd = domain.lastIndex;
      break;
    }
  }
  return spans;
}
