// The one storage interface. Two real engines implement it through Kysely: SQLite (embedded default)
// and PostgreSQL (DATABASE_URL). Only this folder speaks SQL.
import type { LearningStore } from './learning-store.js';
import type { StateStore } from './state-store.js';

export type Scope = 'admin' | 'auditor' | 'approver';
export const allScopes: readonly Scope[] = ['admin', 'auditor', 'approver'];

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** SHA-256 (hex) of the key; the key itself is never stored. */
  keyHash: string;
  /** The first characters of the key, to recognise it in listings. */
  keyPrefix: string;
  scopes: Scope[];
  /** Requests per minute; null = the config's default. */
  rpm: number | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface NewApiKey {
  id: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  scopes: Scope[];
  rpm: number | null;
  createdAt: number;
}

export interface NewLedgerEntry {
  /** The exact entry bytes (canonical JSON). */
  leaf: Uint8Array;
  /** SHA-256(0x00 ‖ leaf). */
  leafHash: Uint8Array;
  /** The API key that made the call, so its receipt can be served to it. */
  keyId: string | null;
  createdAt: number;
  /** A stream's opening entry: remembered until its closing entry arrives. */
  opensStream?: boolean;
  /** A stream's closing entry: the index of the opening entry it closes. */
  closesStream?: number;
}

export interface AppendedBatch {
  /** Index of the batch's first entry; the others follow in order. */
  first: number;
}

export interface StoredLedgerEntry {
  index: number;
  leaf: Buffer;
  leafHash: Buffer;
  keyId: string | null;
  createdAt: number;
}

export interface StoredCheckpoint {
  size: number;
  root: Buffer;
  /** The signed note. */
  note: string;
  createdAt: number;
}

/** An MCP tool's definition as first seen (or last accepted), and a change waiting for an admin. */
export interface ToolPin {
  /** The prefixed name. */
  name: string;
  server: string;
  sha256: string;
  /** The canonical definition (RFC 8785 JSON). */
  definition: string;
  status: 'pinned' | 'quarantined';
  pending: { sha256: string; definition: string } | null;
  /** Why the definition was held at discovery (instruction-like text), or null. */
  flag: string | null;
  pinnedAt: number;
  changedAt: number | null;
}

export interface CutRecord {
  id: string;
  target: 'provider' | 'operator' | 'jurisdiction';
  value: string;
  /** Milliseconds since epoch, or null for a cut that lasts until it is lifted. */
  until: number | null;
  createdAt: number;
  createdBy: string;
}

/** Where an action stands: held for a receipt or an approval, or settled (once, for good). */
export type ActionStatus = 'held' | 'allowed' | 'rejected' | 'timed_out';
/** Forwarding of an allowed action to the downstream: `sending` is claimed by exactly one process. */
export type ForwardState = 'none' | 'pending' | 'sending' | 'done';

export interface ActionRecord {
  id: string;
  /**
   * The endpoint it came through: `actions` (POST /v1/actions), `veritas` (the compatibility endpoint) or `mcp` (a tool
   * call at /mcp, its `action` the prefixed tool name and its params the arguments).
   */
  endpoint: 'actions' | 'veritas' | 'mcp';
  agentId: string;
  action: string;
  amount: number | null;
  paramsSha256: string;
  /** JSON of what the downstream receives ({params, amount} as sent). */
  payload: string;
  /** The verified receipt's id (used once), or null. */
  receiptId: string | null;
  receiptSha256: string | null;
  /** The key that signed the receipt (name+hexid), or null. */
  signer: string | null;
  /** Index of the rule that matched. */
  rule: number;
  requirement: string;
  simulated: boolean;
  status: ActionStatus;
  reason: string;
  /** The API key that submitted it, which can never approve it. */
  submittedBy: string;
  submittedName: string;
  createdAt: number;
  /** When a held action times out. */
  deadlineAt: number | null;
  /** Ledger index of the HALTED entry, for an action that was held. */
  holdIndex: number | null;
  /** Ledger index of the final verdict (ALLOW, DENY after rejection, HALTED on timeout). */
  verdictIndex: number | null;
  decidedAt: number | null;
  decidedBy: string | null;
  /** The approval record (JSON), for actions an approver settled. */
  approval: string | null;
  forwardState: ForwardState;
  downstreamStatus: number | null;
  downstreamError: string | null;
}

export type ActionSettlement = Pick<
  ActionRecord,
  'status' | 'reason' | 'decidedAt' | 'decidedBy' | 'approval' | 'forwardState'
>;
export type ActionProgress = Partial<
  Pick<ActionRecord, 'holdIndex' | 'verdictIndex' | 'forwardState' | 'downstreamStatus' | 'downstreamError'>
>;

/** A registered model: a GGUF file, a LoRA adapter, or a model an external engine serves (by digest). */
export interface ModelRecord {
  name: string;
  kind: 'gguf' | 'lora' | 'external';
  /** Absolute path of the file; null for external models. */
  path: string | null;
  size: number | null;
  /** Hex SHA-256 of the file (or the engine's manifest digest for external models). */
  sha256: string;
  /** JSON: what the file says of itself, and what the operator said (licence, source). */
  metadata: string;
  /** JSON: the DSSE envelope of the signed manifest. */
  envelope: string;
  addedBy: string;
  addedAt: number;
  /** The last verification, and the file identity it held for (a changed identity means re-hashing). */
  verifiedAt: number | null;
  verifiedSize: number | null;
  verifiedMtimeMs: number | null;
  verifiedIno: string | null;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'duplicate_name' | 'not_found' | 'unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Conversation state (Responses and Conversations), sealed by state/. */
  readonly state: StateStore;
  /** Captured calls and feedback (the learning loop), their text sealed by learning/. */
  readonly learning: LearningStore;
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  createKey(key: NewApiKey): Promise<ApiKeyRecord>;
  /** Every key, revoked ones included, oldest first. */
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Keys that may authenticate now. */
  activeKeys(): Promise<ApiKeyRecord[]>;
  /** Revokes the active key with this id or name; returns it, or throws StoreError('not_found'). */
  revokeKey(idOrName: string, at: number): Promise<ApiKeyRecord>;
  /**
   * Appends entries durably, in one transaction, at the next indexes of the log (the store is the
   * single source of order, shared by every process that appends). Resolves once committed.
   */
  appendLedgerEntries(entries: readonly NewLedgerEntry[]): Promise<AppendedBatch>;
  ledgerSize(): Promise<number>;
  /** Entries with start ≤ index < end, in order. */
  ledgerEntries(start: number, end: number): Promise<StoredLedgerEntry[]>;
  /** The entries one API key made with start ≤ index < end, in order, at most `limit` of them. */
  ledgerEntriesOfKey(keyId: string, start: number, end: number, limit: number): Promise<StoredLedgerEntry[]>;
  /**
   * A small durable write on the path ledger appends take (on SQLite: the same connection, then the
   * WAL synced), changing no ledger data: after a failed commit, tells when commits go through again.
   */
  probeWrite(at: number): Promise<void>;
  /** Opening entries of streams whose closing entry has not been written. */
  openStreamIndexes(): Promise<number[]>;
  /** The closing entry of the stream opened at `openIndex`, or null while it is open (or if it is no stream). */
  streamCloseIndex(openIndex: number): Promise<number | null>;
  /** Keeps a signed checkpoint; a second one for the same size is ignored. */
  saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  /** Every checkpoint ever signed (size and root), oldest first. */
  checkpointRoots(): Promise<Array<{ size: number; root: Buffer }>>;
  addCut(cut: CutRecord): Promise<void>;
  /** Removes one cut by id (a cut whose ledger entry could not be written is taken back). */
  removeCut(id: string): Promise<void>;
  /** Lifts the cuts of this target and value; returns how many were lifted. */
  removeCuts(target: CutRecord['target'], value: string): Promise<number>;
  cuts(): Promise<CutRecord[]>;
  /** Every pinned MCP tool definition. */
  toolPins(): Promise<ToolPin[]>;
  /** Pins a tool seen for the first time; false when another replica pinned it first (read it again). */
  pinTool(pin: ToolPin): Promise<boolean>;
  /** Quarantines a pinned tool whose definition changed (to `pending`), until an admin accepts it. */
  quarantineTool(
    name: string,
    pending: { sha256: string; definition: string; flag: string | null; at: number },
  ): Promise<void>;
  /** Accepts a quarantined tool's pending definition as its pin; false when it is not quarantined. */
  acceptTool(name: string, at: number): Promise<ToolPin | undefined>;
  /** Stores a new action; a receipt id already used makes it a replay, answered with the action that used it. */
  insertAction(action: ActionRecord): Promise<{ inserted: true } | { inserted: false; duplicateOf: string }>;
  action(id: string): Promise<ActionRecord | undefined>;
  /** Actions in this status, oldest first. */
  actionsWithStatus(status: ActionStatus, limit: number): Promise<ActionRecord[]>;
  /** Actions whose ledger entries or forwarding a crash may have left unfinished. */
  actionsToRecover(): Promise<ActionRecord[]>;
  /** Settles a held action; false if it was no longer held (someone else settled it first). */
  settleAction(id: string, settlement: ActionSettlement): Promise<boolean>;
  updateAction(id: string, progress: ActionProgress): Promise<void>;
  /** Claims the forwarding of an allowed action (pending → sending); true for exactly one caller. */
  claimForward(id: string): Promise<boolean>;
  /** Registers a model; a name already registered is a StoreError('duplicate_name'). */
  addModel(model: ModelRecord): Promise<void>;
  models(): Promise<ModelRecord[]>;
  model(name: string): Promise<ModelRecord | undefined>;
  /** Removes a model; false if there was none by that name. */
  removeModel(name: string): Promise<boolean>;
  recordVerification(
    name: string,
    verification: { at: number; size: number; mtimeMs: number; ino: string },
  ): Promise<void>;
  /** A cheap round trip, for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
