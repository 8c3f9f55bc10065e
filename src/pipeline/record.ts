// The record stage: the ledger entry of one call, built from what the call learned, appended before
// its answer leaves (a stream gets an opening entry before its headers and a closing entry at its
// end). Only digests of the exact bytes exchanged go in: never prompt or answer text.
import type { Usage } from '../core/chat.js';
import { callEntry, type CallFacts, type EntryKind } from '../ledger/entry.js';
import { sha256Hex } from '../ledger/hash.js';
import type { Candidate } from './catalog.js';
import type { LedgerLog } from './ledger-log.js';

/** What a call learns as it goes, owned by the pipeline; the API reads its summary for metrics and logs. */
export interface CallState {
  /**
   * The model asked for, when this gateway serves it (a name it does not serve is never recorded: it could be data).
   */
  alias?: string;
  labels?: readonly string[];
  /** The labels the caller declared (header, metadata.labels, or carried from earlier turns of a conversation). */
  declaredLabels?: readonly string[];
  findings?: { locations: ReadonlyArray<{ label: string; path: string; key?: true }>; omitted: number };
  deepScan?: { engine: string; outcome: string };
  redactedLabels?: readonly string[];
  candidate?: Candidate;
  attempts?: ReadonlyArray<{ provider: string; outcome: string }>;
  usage?: Usage;
  stream?: boolean;
  /** The error code the call ended with (also one a stream ended with after its headers left). */
  error?: string;
  /** A Responses call: its response id and what it continues, for the ledger. */
  responses?: { responseId?: string; previousResponseId?: string; conversationId?: string };
}

export interface RecordContext {
  requestId: string;
  tenantName: string;
  keyId: string | null;
  endpoint: string;
  /** The exact request bytes, or undefined when they were never read (e.g. too large). */
  body: Buffer | undefined;
  policyHash: string;
  now: () => number;
  /** The digests of the registered weights behind `provider/model`, if it is registered. */
  weights?: (name: string) => { model_sha256: string; adapter_sha256?: string } | undefined;
}

export type CallOutcome = CallFacts['outcome'];

export class CallRecorder {
  private requestDigest: string | null | undefined;

  constructor(
    private readonly ledger: LedgerLog,
    private readonly context: RecordContext,
  ) {}

  private requestSha256(): string | null {
    if (this.requestDigest === undefined) this.requestDigest = this.context.body ? sha256Hex(this.context.body) : null;
    return this.requestDigest;
  }

  /** The facts of one entry, built in one object literal (no spreads: this runs on every call). */
  private facts(
    state: CallState,
    result: { outcome: CallOutcome; status: number; errorCode: string | null; responseSha256: string | null },
    usage: CallState['usage'],
  ): CallFacts {
    const candidate = state.candidate;
    return {
      time: this.context.now(),
      requestId: this.context.requestId,
      tenant: this.context.tenantName,
      endpoint: this.context.endpoint,
      modelRequested: state.alias ?? '',
      provider: candidate?.provider.description,
      providerModel: candidate?.upstreamModel ?? null,
      labels: state.labels ?? [],
      findings: state.findings,
      deepScan: state.deepScan,
      redactedLabels: state.redactedLabels,
      policyHash: this.context.policyHash,
      outcome: result.outcome,
      status: result.status,
      errorCode: result.errorCode,
      requestSha256: this.requestSha256(),
      responseSha256: result.responseSha256,
      attempts: state.attempts ?? [],
      usage,
      weights: candidate && this.context.weights ? this.context.weights(candidate.name) : undefined,
      state: state.responses,
    };
  }

  /** One entry for a whole non-streamed call (answers, refusals and errors alike). */
  call(
    kind: EntryKind,
    state: CallState,
    result: {
      status: number;
      outcome: CallOutcome;
      errorCode: string | null;
      /** The bytes the client is sent; undefined when it is sent nothing (it went away), so no digest is recorded. */
      responseBody: string | Buffer | undefined;
      /** For a shadow call (the learning loop): the receipt index of the call it shadows. */
      shadowOf?: number;
    },
  ): Promise<number> {
    const facts = this.facts(
      state,
      {
        outcome: result.outcome,
        status: result.status,
        errorCode: result.errorCode,
        responseSha256: result.responseBody === undefined ? null : sha256Hex(result.responseBody),
      },
      state.usage,
    );
    if (result.shadowOf !== undefined) facts.shadowOf = result.shadowOf;
    return this.ledger.append(callEntry(kind, facts), { keyId: this.context.keyId });
  }

  /** A stream's opening entry, durable before its headers leave. */
  open(state: CallState): Promise<number> {
    const facts = this.facts(state, { outcome: 'ok', status: 200, errorCode: null, responseSha256: null }, undefined);
    return this.ledger.append(callEntry('stream_open', facts), { keyId: this.context.keyId, opensStream: true });
  }

  /** A stream's closing entry: the digest of every SSE byte delivered, in order. */
  close(
    openIndex: number,
    state: CallState,
    result: { outcome: CallOutcome; errorCode: string | null; responseSha256: string; bytesDelivered: number },
  ): Promise<number> {
    const facts = this.facts(
      state,
      { outcome: result.outcome, status: 200, errorCode: result.errorCode, responseSha256: result.responseSha256 },
      state.usage,
    );
    facts.openIndex = openIndex;
    facts.bytesDelivered = result.bytesDelivered;
    return this.ledger.append(callEntry('stream_close', facts), { keyId: this.context.keyId, closesStream: openIndex });
  }
}
