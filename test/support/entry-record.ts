// A ledger entry record for tests: a plain answered chat call, with what a test cares about given as overrides.
import type { EntryRecord } from '../../src/ledger/entry.js';

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
