// The forms a string can take that a model reads as other text: percent escapes, \u escapes, and
// Unicode that folds to plain letters (compatibility forms under NFKC, invisible format
// characters, tag characters that spell ASCII). Each function returns the text as read, or
// undefined when the form does not apply, so classification scans the decoded text as well as the
// raw one. Pure: no I/O.

const percentEscape = /%[0-9A-Fa-f]{2}/;
const unicodeEscape = /\\u[0-9A-Fa-f]{4}/;
const nonAscii = /[^\x00-\x7F]/;
// Unicode tag characters (U+E0020–U+E007E), written as surrogate pairs: invisible, and each one
// stands for an ASCII character ("ASCII smuggling").
const tagCharacters = /\uDB40[\uDC20-\uDC7E]/g;
// The format characters (\p{Cf}) written out as code units: with the u flag the scan of a long two-byte text costs
// several times more (1.5 ms against 0.3 ms for 1 MB). test/text-forms.test.ts checks it against \p{Cf}.
export const formatCharacters =
  /[\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890\u0891\u08E2\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uD804[\uDCBD\uDCCD]|\uD80D[\uDC30-\uDC3F]|\uD82F[\uDCA0-\uDCA3]|\uD834[\uDD73-\uDD7A]|\uDB40[\uDC01\uDC20-\uDC7F]/g;

/** Percent escapes decoded where they form UTF-8, left as they are elsewhere (a lone %ZZ is not an error here). */
export function percentDecoded(text: string): string {
  const spaced = /[?=&]/.test(text) ? text.replace(/\+/g, ' ') : text;
  return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return Buffer.from(run.replace(/%/g, ''), 'hex').toString('latin1');
    }
  });
}

export function percentForm(text: string): string | undefined {
  return percentEscape.test(text) ? percentDecoded(text) : undefined;
}

export function escapeForm(text: string): string | undefined {
  return unicodeEscape.test(text)
    ? text.replace(/\\u([0-9A-Fa-f]{4})/g, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : undefined;
}

/**
 * The text as its letters read: tag characters turned into the ASCII they stand for, compatibility
 * forms folded (full-width, small and circled forms, mathematical letters, presentation forms:
 * NFKC) and invisible format characters removed; undefined when that changes nothing. ASCII text
 * costs one test.
 */
export function unicodeForm(text: string): string | undefined {
  if (!nonAscii.test(text)) return undefined;
  const read = text
    .replace(tagCharacters, (pair) => String.fromCharCode(pair.charCodeAt(1) - 0xdc00))
    .normalize('NFKC')
    .replace(formatCharacters, '');
  return read === text ? undefined : read;
}

/** Every decoded form of a text, each decoded form also read as its letters (the decoders chain). */
export function decodedForms(text: string): Array<{ text: string; encoding: 'percent' | 'escape' | 'normalized' }> {
  const forms: Array<{ text: string; encoding: 'percent' | 'escape' | 'normalized' }> = [];
  for (const [decode, encoding] of [
    [percentForm, 'percent'],
    [escapeForm, 'escape'],
  ] as const) {
    const decoded = decode(text);
    if (decoded === undefined) continue;
    forms.push({ text: decoded, encoding });
    const read = unicodeForm(decoded);
    if (read !== undefined) forms.push({ text: read, encoding });
  }
  const read = unicodeForm(text);
  if (read !== undefined) forms.push({ text: read, encoding: 'normalized' });
  return forms;
}
