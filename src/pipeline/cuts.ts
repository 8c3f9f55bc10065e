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

export function describeCut(cut: Pick<CutRecord, 'target' | 'value' | 'until'>): string {
  return `${cut.target} ${cut.value}${cut.until !== null ? ` until ${new Date(cut.until).toISOString()}` : ''}`;
}
