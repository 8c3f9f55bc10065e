// What the store keeps for the learning loop: captured calls (their text sealed by the caller, the
// facts to find, filter and pair them in the clear) and feedback on them. Every read names the
// tenant, except the exports, which an operator runs over the whole store.

/** A captured call: what is kept in the clear beside its sealed text, enough to find, filter and pair it. */
export interface StoredCapture {
  id: string;
  /** The tenant (key name) and key of the call: feedback and reads are bound to them. */
  tenant: string;
  keyId: string | null;
  /** The ledger index of the call's entry (its `x-sovereign-receipt`; a stream's opening entry). */
  receipt: number | null;
  responseId: string | null;
  /** A conversation id, or the client's `x-sovereign-episode`, else the capture's own id. */
  episodeId: string;
  alias: string;
  /** The provider and its model that answered. */
  provider: string;
  model: string;
  ownership: string;
  /** `primary`: the call the client made; `shadow`: the same prompt sent to an alias's shadow candidate. */
  role: 'primary' | 'shadow';
  /** For a shadow capture: the primary capture it shadows. */
  pairOf: string | null;
  labels: string[];
  /** SHA-256 of the canonical prompt (messages and tools): two answers to one prompt share it. */
  promptSha256: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Cost of the answer in the price unit of the provider's config, when it has prices. */
  cost: number | null;
  createdAt: number;
  expiresAt: number;
  /** The request and answer text, sealed. */
  sealed: Buffer;
}

export interface StoredFeedback {
  id: string;
  tenant: string;
  keyId: string | null;
  metric: string;
  captureId: string | null;
  episodeId: string;
  /** The value as JSON, sealed (comments and demonstrations are text). */
  sealed: Buffer;
  /** -1 until its ledger entry is durable: such a row is never read. */
  ledgerIndex: number;
  createdAt: number;
  /** Kept as long as what it is on: the capture's expiry, or the episode's latest. */
  expiresAt: number;
}

/** Which captures an export or a comparison reads. */
export interface CaptureQuery {
  since?: number;
  alias?: string;
  role?: 'primary' | 'shadow';
  /** Only captures that have a shadow pair (for `eval shadow`). */
  paired?: boolean;
  now: number;
}

export interface LearningStore {
  saveCapture(capture: StoredCapture): Promise<void>;
  /** A capture of this tenant (any, when tenant is undefined) that has not expired at now. */
  captureBy(
    by: { receipt: number } | { responseId: string } | { id: string },
    tenant: string | undefined,
    now: number,
  ): Promise<StoredCapture | undefined>;
  /** When this tenant's last capture in the episode expires; undefined when it has none. */
  episodeExpiry(episodeId: string, tenant: string | undefined, now: number): Promise<number | undefined>;
  /** The shadow capture of a primary one. */
  shadowOf(captureId: string): Promise<StoredCapture | undefined>;
  /** Captures in creation order, a page at a time (never all rows at once). */
  captures(
    query: CaptureQuery,
    after: { createdAt: number; id: string } | undefined,
    limit: number,
  ): Promise<StoredCapture[]>;
  /** Stores a feedback before its ledger entry exists (ledgerIndex -1), so that an entry never names a lost row. */
  saveFeedback(feedback: StoredFeedback): Promise<void>;
  /** The feedback's ledger entry is durable: the row is now read. */
  setFeedbackIndex(id: string, ledgerIndex: number): Promise<void>;
  /** A feedback whose entry could not be recorded. */
  deleteFeedback(id: string): Promise<void>;
  /** Feedback on captures (by id) or episodes whose entry is recorded, oldest first. */
  feedbackFor(targets: { captureIds: readonly string[]; episodeIds: readonly string[] }): Promise<StoredFeedback[]>;
  /** Removes captures and feedback past their expiry; how many captures. */
  expireCaptures(now: number): Promise<number>;
}
