// Builds the ledger entry of one call from what the exchange learned, and appends it. Only
// digests of the exact bytes exchanged go in: never prompt or answer text.
import type { EntryKind, EntryRecord } from '../ledger/entry.js';
import { sha256Hex } from '../ledger/hash.js';
import type { LedgerLog } from '../pipeline/ledger-log.js';
import type { ExchangeOutcome } from './outcome.js';

export interface CallContext {
  requestId: string;
  tenantName: string;
  keyId: string | null;
  endpoint: string;
  /** The exact request bytes, or undefined when they were never read (e.g. too large). */
  body: Buffer | undefined;
  policyHash: string;
  now: () => number;
  /** The digests of the registered weights behind `provider/model`, if it is registered. */
  weights?: (name: string) => WeightsDigest | undefined;
}

export interface WeightsDigest {
  model_sha256: string;
  adapter_sha256?: string;
}

export type CallOutcome = EntryRecord['outcome'];

const clip = (text: string | undefined, length = 256): string => (text ?? '').slice(0, length);

export class CallRecorder {
  private requestDigest: string | null | undefined;

  constructor(
    private readonly ledger: LedgerLog,
    private readonly context: CallContext,
  ) {}

  private requestSha256(): string | null {
    if (this.requestDigest === undefined) this.requestDigest = this.context.body ? sha256Hex(this.context.body) : null;
    return this.requestDigest;
  }

  private base(kind: EntryKind, outcome: ExchangeOutcome): EntryRecord {
    const description = outcome.candidate?.provider.description;
    return {
      v: 1,
      kind,
      time: new Date(this.context.now()).toISOString(),
      request_id: this.context.requestId,
      tenant: clip(this.context.tenantName),
      endpoint: this.context.endpoint,
      model_requested: clip(outcome.alias),
      provider: description?.id ?? null,
      provider_model: outcome.candidate ? clip(outcome.candidate.upstreamModel) : null,
      jurisdiction: description?.jurisdiction ?? null,
      ownership: description?.ownership ?? null,
      operator: description ? clip(description.operator) : null,
      labels: [...(outcome.labels ?? [])],
      policy_hash: this.context.policyHash,
      outcome: 'ok',
      status: 200,
      error_code: null,
      request_sha256: this.requestSha256(),
      response_sha256: null,
      attempts: (outcome.attempts ?? []).slice(0, 32).map((attempt) => ({ provider: attempt.provider, outcome: attempt.outcome })),
      ...(outcome.findings && outcome.findings.locations.length > 0 ? { findings: outcome.findings.locations.map((location) => ({ ...location })) } : {}),
      ...(outcome.findings && outcome.findings.omitted > 0 ? { findings_omitted: outcome.findings.omitted } : {}),
      ...(outcome.deepScan ? { deep_scan: { engine: outcome.deepScan.engine, outcome: outcome.deepScan.outcome } } : {}),
      ...(outcome.redactedLabels ? { redacted_labels: [...outcome.redactedLabels] } : {}),
      ...(outcome.candidate && this.context.weights ? this.context.weights(outcome.candidate.name) : {}),
      usage: outcome.usage ? { prompt_tokens: outcome.usage.prompt_tokens ?? 0, completion_tokens: outcome.usage.completion_tokens ?? 0 } : null,
    };
  }

  /** One entry for a whole non-streamed call (answers, refusals and errors alike). */
  call(kind: EntryKind, outcome: ExchangeOutcome, result: { status: number; outcome: CallOutcome; errorCode: string | null; responseBody: string | Buffer }): Promise<number> {
    return this.ledger.append(
      { ...this.base(kind, outcome), outcome: result.outcome, status: result.status, error_code: result.errorCode, response_sha256: sha256Hex(result.responseBody) },
      { keyId: this.context.keyId },
    );
  }

  /** A stream's opening entry, durable before its headers leave. */
  open(outcome: ExchangeOutcome): Promise<number> {
    return this.ledger.append({ ...this.base('stream_open', outcome), usage: null }, { keyId: this.context.keyId, opensStream: true });
  }

  /** A stream's closing entry: the digest of every SSE byte delivered, in order. */
  close(openIndex: number, outcome: ExchangeOutcome, result: { outcome: CallOutcome; errorCode: string | null; responseSha256: string; bytesDelivered: number }): Promise<number> {
    return this.ledger.append(
      {
        ...this.base('stream_close', outcome),
        outcome: result.outcome,
        error_code: result.errorCode,
        response_sha256: result.responseSha256,
        open_index: openIndex,
        bytes_delivered: result.bytesDelivered,
      },
      { keyId: this.context.keyId, closesStream: openIndex },
    );
  }
}
