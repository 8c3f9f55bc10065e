// Redaction: detected values are replaced by stable placeholders (<EMAIL_1>, <CARD_1>…) before a
// request leaves, and put back into the answer, including across a stream where a placeholder can
// be split between chunks. The same value always gets the same placeholder within one request.
// Pure: no I/O.
import type { Span } from './detectors.js';

const kinds: Array<[string, string]> = [
  ['pii.email', 'EMAIL'],
  ['pii.phone', 'PHONE'],
  ['pii.card', 'CARD'],
  ['pii.iban', 'IBAN'],
  ['pii.national_id', 'NATIONAL_ID'],
  ['pii.ip', 'IP'],
  ['pii.name', 'NAME'],
  ['pii.address', 'ADDRESS'],
  ['secret', 'SECRET'],
  ['pii', 'PII'],
];

export function placeholderKind(label: string): string {
  for (const [prefix, kind] of kinds) if (label === prefix || label.startsWith(`${prefix}.`)) return kind;
  return 'REDACTED';
}

export class Placeholders {
  private readonly byValue = new Map<string, string>();
  readonly byPlaceholder = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  /**
   * `reserved`: placeholder-shaped text the request already holds, never handed out (it would be restored into the
   * answer as a value).
   */
  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  placeholderFor(label: string, value: string): string {
    const known = this.byValue.get(value);
    if (known) return known;
    const kind = placeholderKind(label);
    let number = this.counters.get(kind) ?? 0;
    let placeholder: string;
    do {
      number += 1;
      placeholder = `<${kind}_${number}>`;
    } while (this.reserved.has(placeholder));
    this.counters.set(kind, number);
    this.byValue.set(value, placeholder);
    this.byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  get size(): number {
    return this.byPlaceholder.size;
  }
}

/** The text with every span replaced by its placeholder. */
export function redactText(text: string, spans: readonly Span[], placeholders: Placeholders): string {
  let out = '';
  let cursor = 0;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < cursor) continue;
    out += text.slice(cursor, span.start) + placeholders.placeholderFor(span.label, text.slice(span.start, span.end));
    cursor = span.end;
  }
  return out + text.slice(cursor);
}

const placeholderPattern = /<([A-Z_]+)_(\d+)>/g;

/** Every placeholder-shaped text in some texts (to reserve them). */
export function placeholdersIn(texts: Iterable<string>): Set<string> {
  const found = new Set<string>();
  for (const text of texts)
    if (text.includes('<')) for (const match of text.matchAll(placeholderPattern)) found.add(match[0]);
  return found;
}

/** Puts the original values back wherever the answer repeats a placeholder. */
export function restoreText(text: string, placeholders: Placeholders): string {
  if (placeholders.size === 0 || !text.includes('<')) return text;
  return text.replace(placeholderPattern, (placeholder) => placeholders.byPlaceholder.get(placeholder) ?? placeholder);
}

/**
 * Restores placeholders in a text that arrives in pieces: a piece ending in what could be the
 * start of a placeholder (`<EMA`) holds that tail back until the next piece tells.
 */
export class StreamRestorer {
  private held = '';

  constructor(private readonly placeholders: Placeholders) {}

  push(piece: string): string {
    const text = this.held + piece;
    const open = text.lastIndexOf('<');
    if (open >= 0 && !text.includes('>', open) && /^<[A-Z_0-9]{0,40}$/.test(text.slice(open))) {
      this.held = text.slice(open);
      return restoreText(text.slice(0, open), this.placeholders);
    }
    this.held = '';
    return restoreText(text, this.placeholders);
  }

  flush(): string {
    const rest = this.held;
    this.held = '';
    return restoreText(rest, this.placeholders);
  }
}
