// Cuts: an operator removes a provider, a whole operator or a whole jurisdiction from routing at
// run time (to rehearse sanctions, or react to a vendor incident). Kept in the store, so every
// replica and a restart see them; a cut may end by itself (`until`).
import type { ProviderDescription } from '../core/provider.js';
import type { CutRecord } from '../store/store.js';

export function cutApplies(cut: CutRecord, provider: ProviderDescription, now: number): boolean {
  if (cut.until !== null && cut.until <= now) return false;
  switch (cut.target) {
    case 'provider':
      return provider.id === cut.value;
    case 'operator':
      return provider.operator === cut.value;
    case 'jurisdiction':
      return provider.jurisdiction === cut.value;
  }
}

/**
 * Read defensively: a cut stored by an older version may carry an `until` no Date can hold
 * (9000000000000000 did), and GET /v1/providers describes every cut for every key.
 */
export function describeCut(cut: Pick<CutRecord, 'target' | 'value' | 'until'>): string {
  if (cut.until === null) return `${cut.target} ${cut.value}`;
  const until = new Date(cut.until);
  return `${cut.target} ${cut.value} until ${Number.isNaN(until.getTime()) ? String(cut.until) : until.toISOString()}`;
}
