// A ledger entry: the record of one call (or one event such as a key change), encoded as its
// RFC 8785 canonical JSON, which is the exact leaf the Merkle tree commits to. No prompt or answer
// text ever goes in: only SHA-256 digests of the exact bytes exchanged.
import { canonicalJson } from '../core/canonical-json.js';

export const entryVersion = 1;
/** Entries must stay under 64 KiB. */
export const maxEntryBytes = 64 * 1024;

/** The call an entry records; a stream has an opening and a closing entry. */
export type EntryKind = 'chat' | 'messages' | 'embeddings' | 'stream_open' | 'stream_close' | 'cut' | 'uncut' | 'action' | 'model_add' | 'model_remove';

export interface EntryRecord {
  v: number;
  kind: EntryKind;
  /** RFC 3339 with milliseconds, UTC. */
  time: string;
  request_id: string;
  tenant: string;
  endpoint: string;
  model_requested: string;
  provider: string | null;
  provider_model: string | null;
  jurisdiction: string | null;
  ownership: string | null;
  operator: string | null;
  labels: string[];
  policy_hash: string;
  outcome: 'ok' | 'error' | 'refused' | 'client_closed' | 'interrupted';
  status: number;
  error_code: string | null;
  request_sha256: string | null;
  response_sha256: string | null;
  /** The providers tried, in order, and how each attempt ended. */
  attempts: Array<{ provider: string; outcome: string }>;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  /** For a stream_close entry: the index of its stream_open entry. */
  open_index?: number;
  /** For a stream_close entry: bytes of SSE body delivered. */
  bytes_delivered?: number;
  /** Where the detectors found each label: JSON paths into the request as sent (keys that are data shown as `*`), never the values. At most 32. */
  findings?: Array<{ label: string; path: string; key?: true }>;
  /** How many more locations were found than `findings` lists. */
  findings_omitted?: number;
  /** Set when the model layer of the detectors read the request: its engine, and whether it found more (`found`), nothing more (`clear`), or could not finish (`incomplete`: owned providers only). */
  deep_scan?: { engine: string; outcome: string };
  /** Labels whose values were replaced by placeholders before the request left (policy redaction). */
  redacted_labels?: string[];
  /** For cut and uncut entries: what was cut off from routing, and until when (RFC 3339, or null). */
  cut?: { target: string; value: string; until: string | null };
  /** For model_add and model_remove entries: which weights entered or left the registry. */
  model?: { name: string; kind: string; sha256: string; size: number | null; manifest_sha256: string | null };
  /** For calls answered by a registered model: the SHA-256 of the exact weights that answered. */
  model_sha256?: string;
  /** …and of the LoRA adapter applied on top, if any. */
  adapter_sha256?: string;
  /** For action entries: one verdict of the action gate. */
  action?: ActionEntry;
}

/** An action gate verdict as the ledger records it: digests and decisions, never the params themselves. */
export interface ActionEntry {
  id: string | null;
  agent_id: string | null;
  action: string | null;
  amount: number | null;
  params_sha256: string | null;
  receipt_id: string | null;
  /** SHA-256 of the receipt's RFC 8785 JSON, as presented. */
  receipt_sha256: string | null;
  /** The key that signed the receipt (name+hexid), when it verified. */
  signer: string | null;
  verdict: 'ALLOW' | 'DENY' | 'HALTED';
  reason: string;
  /** Index of the matching rule, and what it requires. */
  rule: number | null;
  require: string | null;
  /** For the verdict that settles a held action: the index of its HALTED entry. */
  hold_index?: number;
  /** For an approval or rejection: who, and SHA-256 of the approval record's RFC 8785 JSON. */
  decided_by?: string;
  approval_sha256?: string;
  /** Set on every entry produced by a simulated (conformance drill) receipt. */
  simulated?: boolean;
}

export class EntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntryError';
  }
}

const knownKeys = new Set<string>(['attempts', 'bytes_delivered', 'cut', 'deep_scan', 'endpoint', 'error_code', 'findings', 'findings_omitted', 'jurisdiction', 'kind', 'labels', 'model_requested', 'open_index', 'operator', 'outcome', 'ownership', 'policy_hash', 'provider', 'provider_model', 'redacted_labels', 'request_id', 'request_sha256', 'response_sha256', 'status', 'tenant', 'time', 'usage', 'v']);

const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed?: () => boolean }).isWellFormed?.() ?? !/[\uD800-\uDFFF]/.test(text);

function plain(value: unknown): boolean {
  if (typeof value === 'string') return isWellFormed(value);
  if (typeof value === 'number') return Number.isFinite(value);
  return value === null || value === undefined || typeof value === 'boolean';
}

/**
 * The hot path: an entry whose members are all known is rebuilt as an object literal whose
 * members are in RFC 8785 order (UTF-16 code units; none is integer-like), which JSON.stringify
 * (whose primitives RFC 8785 adopts) then writes in that order: about 3× faster than the generic
 * encoder, and the tests check both give the same bytes. Anything else goes the generic way.
 */
function fastCanonical(record: EntryRecord): string | undefined {
  for (const key in record) if (!knownKeys.has(key)) return undefined;
  if (!Array.isArray(record.attempts) || !Array.isArray(record.labels)) return undefined;
  const attempts = record.attempts.map((attempt) => ({ outcome: attempt.outcome, provider: attempt.provider }));
  for (const attempt of attempts) if (typeof attempt.outcome !== 'string' || typeof attempt.provider !== 'string' || !plain(attempt.outcome) || !plain(attempt.provider)) return undefined;
  for (const label of record.labels) if (typeof label !== 'string' || !plain(label)) return undefined;
  if (record.redacted_labels !== undefined && (!Array.isArray(record.redacted_labels) || record.redacted_labels.some((label) => typeof label !== 'string' || !plain(label)))) return undefined;
  let cut: { target: string; until: string | null; value: string } | undefined;
  if (record.cut !== undefined) {
    const { target, until, value } = record.cut;
    if (!plain(target) || !plain(value) || !plain(until) || typeof target !== 'string' || typeof value !== 'string') return undefined;
    cut = { target, until, value };
  }
  let findings: Array<{ key?: true; label: string; path: string }> | undefined;
  if (record.findings !== undefined) {
    if (!Array.isArray(record.findings)) return undefined;
    findings = [];
    for (const finding of record.findings) {
      if (typeof finding !== 'object' || finding === null || typeof finding.label !== 'string' || typeof finding.path !== 'string' || !plain(finding.label) || !plain(finding.path)) return undefined;
      for (const key in finding) if (key !== 'key' && key !== 'label' && key !== 'path') return undefined;
      if (finding.key === undefined) findings.push({ label: finding.label, path: finding.path });
      else if (finding.key === true) findings.push({ key: true, label: finding.label, path: finding.path });
      else return undefined;
    }
  }
  let deepScan: { engine: string; outcome: string } | undefined;
  if (record.deep_scan !== undefined) {
    const { engine, outcome } = record.deep_scan;
    if (typeof engine !== 'string' || typeof outcome !== 'string' || !plain(engine) || !plain(outcome) || Object.keys(record.deep_scan).length !== 2) return undefined;
    deepScan = { engine, outcome };
  }
  const usage = record.usage === null ? null : { completion_tokens: record.usage.completion_tokens, prompt_tokens: record.usage.prompt_tokens };
  if (usage && (!plain(usage.completion_tokens) || !plain(usage.prompt_tokens))) return undefined;
  const ordered = {
    attempts,
    bytes_delivered: record.bytes_delivered,
    cut,
    deep_scan: deepScan,
    endpoint: record.endpoint,
    error_code: record.error_code,
    findings,
    findings_omitted: record.findings_omitted,
    jurisdiction: record.jurisdiction,
    kind: record.kind,
    labels: record.labels,
    model_requested: record.model_requested,
    open_index: record.open_index,
    operator: record.operator,
    outcome: record.outcome,
    ownership: record.ownership,
    policy_hash: record.policy_hash,
    provider: record.provider,
    provider_model: record.provider_model,
    redacted_labels: record.redacted_labels,
    request_id: record.request_id,
    request_sha256: record.request_sha256,
    response_sha256: record.response_sha256,
    status: record.status,
    tenant: record.tenant,
    time: record.time,
    usage,
    v: record.v,
  };
  for (const key in ordered) {
    const value = ordered[key as keyof typeof ordered];
    if (typeof value !== 'object' || value === null) {
      if (!plain(value)) return undefined;
    }
  }
  return JSON.stringify(ordered);
}

export function encodeEntry(record: EntryRecord): Buffer {
  let text: string;
  try {
    text = fastCanonical(record) ?? canonicalJson(record);
  } catch (error) {
    throw new EntryError(`the entry cannot be encoded as JSON: ${(error as Error).message}`);
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length >= maxEntryBytes) throw new EntryError(`the entry is ${bytes.length} bytes; entries must stay under ${maxEntryBytes}`);
  return bytes;
}

/** Parses leaf bytes and checks they are the canonical form of what they say (a non-canonical leaf was not written by this log). */
export function decodeEntry(leaf: Uint8Array): EntryRecord {
  let parsed: unknown;
  const text = Buffer.from(leaf).toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EntryError('the entry is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EntryError('the entry is not a JSON object');
  if (canonicalJson(parsed) !== text) throw new EntryError('the entry is not in RFC 8785 canonical form');
  return parsed as EntryRecord;
}
