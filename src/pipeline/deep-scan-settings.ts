// What both engines of the deep scan share: the settings' defaults, the entity → label map, the
// size limit checked before any model runs, and the error a scan that cannot complete throws.
import type { NerSettings } from '../config/schema.js';

/**
 * Why a deep scan did not complete, or why a scanner could not be created (`configuration`). The
 * message never holds the scanned text or what the model said of it: both may be personal data.
 */
export class DeepScanError extends Error {
  constructor(
    readonly code: 'configuration' | 'too_much_text' | 'aborted' | 'model_failed' | 'closed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeepScanError';
  }
}

export const deepScanDefaults = { min_score: 0.5, max_scan_bytes: 65_536, timeout_ms: 10_000, threads: 1 } as const;

/**
 * Entity names (B-/I- prefixes stripped, upper case) → labels, used when `labels` is not set. Every other entity (ORG,
 * LOC, MISC, DATE…) is ignored.
 */
export const defaultEntityLabels: Readonly<Record<string, string>> = Object.freeze({
  PER: 'pii.name',
  PERSON: 'pii.name',
  GIVENNAME: 'pii.name',
  SURNAME: 'pii.name',
  FIRSTNAME: 'pii.name',
  LASTNAME: 'pii.name',
  NAME: 'pii.name',
  ADDRESS: 'pii.address',
  STREET: 'pii.address',
  STREETADDRESS: 'pii.address',
  BUILDINGNUM: 'pii.address',
  ZIPCODE: 'pii.address',
  POSTCODE: 'pii.address',
});

/** "B-PER" → "PER": the entity an IOB/IOBES tag belongs to. */
export function entityOf(tag: string): string {
  return /^[BIES]-/i.test(tag) ? tag.slice(2) : tag;
}

/** The label map in force: `labels` (keys normalised like entities) replaces the default one, it does not extend it. */
export function entityLabels(settings: Pick<NerSettings, 'labels'>): Record<string, string> {
  if (!settings.labels) return { ...defaultEntityLabels };
  return Object.fromEntries(
    Object.entries(settings.labels).map(([entity, label]) => [entityOf(entity).toUpperCase(), label]),
  );
}

/** Total text of one scan in UTF-16 code units, refused past the limit before any model runs. */
export function assertScanSize(texts: readonly string[], maxScanBytes: number): void {
  let total = 0;
  for (const text of texts) total += text.length;
  if (total > maxScanBytes)
    throw new DeepScanError(
      'too_much_text',
      `the deep scan reads at most ${maxScanBytes} characters (policy.detectors.ner.max_scan_bytes); this request has ${total}`,
    );
}

export function abortedError(): DeepScanError {
  return new DeepScanError('aborted', 'the deep scan was cancelled');
}
