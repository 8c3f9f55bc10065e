// A ledger entry record for tests: a plain answered chat call, with what a test cares about given as overrides; and
// the entries a store holds for one request id.
import { decodeEntry, type EntryRecord } from '../../src/ledger/entry.js';
import type { Store } from '../../src/store/store.js';

/** The ledger entries of one request id, in order (a stream has its opening and its closing entry). */
export async function entriesOf(gateway: { store: Store }, requestId: string): Promise<EntryRecord[]> {
  const rows = await gateway.store.ledgerEntries(0, Number.MAX_SAFE_INTEGER);
  return rows.map((row) => decodeEntry(row.leaf)).filter((entry) => entry.request_id === requestId);
}

export function chatEntryRecord(overrides: Partial<EntryRecord> = {}): EntryRecord {
  return {
    v: 1,
    kind: 'chat',
    time: '2026-11-23T00:00:00.000Z',
    request_id: 'r',
    tenant: 't',
    endpoint: 'chat',
    model_requested: 'default',
    provider: 'p',
    provider_model: 'm',
    jurisdiction: 'local',
    ownership: 'owned',
    operator: 'o',
    labels: [],
    policy_hash: '',
    outcome: 'ok',
    status: 200,
    error_code: null,
    request_sha256: null,
    response_sha256: null,
    attempts: [],
    usage: null,
    ...overrides,
  };
}

/** The record of call `index` as the receipt and proof tests build their trees from. */
export function receiptTestRecord(index: number, time: string): EntryRecord {
  return chatEntryRecord({
    time: time,
    request_id: `r${index}`,
    tenant: 'team-a',
    provider: 'local',
    provider_model: 'm1',
    operator: 'IT',
    request_sha256: 'a'.repeat(64),
    response_sha256: 'b'.repeat(64),
    attempts: [{ provider: 'local', outcome: 'ok' }],
    usage: { prompt_tokens: 1, completion_tokens: 2 },
  });
}
