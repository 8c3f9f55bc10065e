// A ledger entry: the record of one call (or one event such as a key change), encoded as its
// RFC 8785 canonical JSON, which is the exact leaf the Merkle tree commits to. No prompt or answer
// text ever goes in: only SHA-256 digests of the exact bytes exchanged.
import { canonicalJson } from '../core/canonical-json.js';

export const entryVersion = 1;
/** Entries must stay under 64 KiB. */
export const maxEntryBytes = 64 * 1024;

/** The call an entry records; a stream has an opening and a closing entry. */
export type EntryKind =
  | 'chat'
  | 'messages'
  | 'embeddings'
  | 'responses'
  | 'count_tokens'
  | 'tool_call'
  | 'tool_pin'
  | 'tool_quarantine'
  | 'tool_accept'
  | 'stream_open'
  | 'stream_close'
  | 'cut'
  | 'uncut'
  | 'action'
  | 'model_add'
  | 'model_remove'
  | 'feedback'
  | 'dataset_export'
  | 'eval_report';

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
  /**
   * How the call ended: `client_closed` the client went away first, `deadline` a bound the gateway enforces cut it (an
   * attempt deadline, a stream's idle time or routing.max_stream_s), `shutdown` the gateway stopped first, `interrupted`
   * a stream a crash left open (closed at the next start).
   */
  outcome: 'ok' | 'error' | 'refused' | 'client_closed' | 'deadline' | 'shutdown' | 'interrupted';
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
  /**
   * Where the detectors found each label: JSON paths into the request as sent (keys that are data shown as `*`), never
   * the values. At most 32.
   */
  findings?: Array<{ label: string; path: string; key?: true }>;
  /** How many more locations were found than `findings` lists. */
  findings_omitted?: number;
  /**
   * Set when the model layer of the detectors read the request: its engine, and whether it found more (`found`),
   * nothing more (`clear`), or could not finish (`incomplete`: owned providers only).
   */
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
  /** For tool_call entries: one MCP tool call through the gateway. */
  tool?: ToolEntry;
  /**
   * For tool_pin, tool_quarantine and tool_accept entries: a tool definition first seen (pinned), changed by its
   * server (quarantined until accepted), or accepted by an admin.
   */
  tool_definition?: { name: string; server: string; sha256: string; previous_sha256?: string; flag?: string };
  /** For Responses calls: the response's id, and what it continues (so an auditor can rebuild a chain from the log). */
  response_id?: string;
  previous_response_id?: string;
  conversation_id?: string;
  /** Set on a shadow call's entry (the learning loop): the same prompt sent to an alias's shadow candidate. */
  shadow?: true;
  /** …and the receipt index of the call it shadows. */
  shadow_of?: number;
  /** For feedback, dataset_export and eval_report entries: what the learning loop recorded, as digests. */
  learning?: LearningEntry;
}

/** The learning loop's own entries: digests and counts, never the text. */
export interface LearningEntry {
  /** feedback: its id and metric, the SHA-256 of its RFC 8785 value, and the receipt index of the call it is on. */
  feedback_id?: string;
  metric?: string;
  value_sha256?: string;
  target_index?: number | null;
  /** dataset_export and eval_report: the SHA-256 of the file written and of its manifest. */
  file_sha256?: string;
  manifest_sha256?: string;
  kind?: string;
  format?: string;
  rows?: number;
  /** The receipt indices of the calls the file was made from (at most 4096; `sources_omitted` counts the rest). */
  sources?: number[];
  sources_omitted?: number;
  judge?: string;
  pairs?: number;
  win_rate?: number;
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

/** An MCP tool call as the ledger records it: digests and decisions, never the arguments or the result. */
export interface ToolEntry {
  /** The prefixed name (`files__read_file`). */
  name: string;
  server: string;
  /** The agent's MCP session (the gateway's id for it). */
  session: string;
  /** SHA-256 of the tool's canonical definition, as pinned. */
  definition_sha256: string | null;
  /** SHA-256 of the RFC 8785 JSON of the arguments, and of the result returned. */
  arguments_sha256: string;
  result_sha256: string | null;
  verdict: 'ALLOW' | 'DENY' | 'HALTED';
  /** Why: `policy`, `no_rule`, `rejected`, `timeout`, a receipt's deny reason, `allowed`, `receipt`, `approved`… */
  reason: string;
  /** The action gate's record of it (held, approved), when it went through the gate. */
  action_id?: string;
  approval_sha256?: string;
  /** Labels the detectors found in the result. */
  result_labels?: string[];
}

export class EntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntryError';
  }
}

const isWellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed?: () => boolean }).isWellFormed?.() ?? !/[\uD800-\uDFFF]/.test(text);

/** What a call's entry records, as the pipeline knows it. */
export interface CallFacts {
  /** Milliseconds since the epoch, on the gateway's clock. */
  time: number;
  requestId: string;
  tenant: string;
  endpoint: string;
  modelRequested: string;
  provider: { id: string; jurisdiction: string; ownership: string; operator: string } | undefined;
  providerModel: string | null;
  labels: readonly string[];
  findings?: { locations: ReadonlyArray<{ label: string; path: string; key?: true }>; omitted: number };
  deepScan?: { engine: string; outcome: string };
  redactedLabels?: readonly string[];
  policyHash: string;
  outcome: EntryRecord['outcome'];
  status: number;
  errorCode: string | null;
  requestSha256: string | null;
  responseSha256: string | null;
  attempts: ReadonlyArray<{ provider: string; outcome: string }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | undefined;
  weights?: { model_sha256: string; adapter_sha256?: string } | undefined;
  /** For a stream's closing entry. */
  openIndex?: number;
  bytesDelivered?: number;
  /** For Responses calls. */
  state?: { responseId?: string; previousResponseId?: string; conversationId?: string };
  /** For a shadow call: the receipt index of the call it shadows (null when unknown). */
  shadowOf?: number | null;
}

const clip = (text: string | undefined, length = 256): string => (text ?? '').slice(0, length);

/**
 * Marks entries built by `callEntry`, whose members are in canonical order already. A symbol-keyed member rather
 * than a WeakSet: JSON.stringify and for…in skip it, and it costs the garbage collector nothing (a WeakSet holding
 * every call's entry made each collection walk them).
 */
const ordered: unique symbol = Symbol('canonical order');

/**
 * The entry of a call (chat, messages, embeddings, a stream's opening or closing). Its members are
 * written in RFC 8785 order (UTF-16 code units; none is integer-like), nested ones too, so
 * JSON.stringify (whose primitives RFC 8785 adopts) writes the canonical form: the hot path of
 * every call, about 3× faster than the generic encoder; a test checks both give the same bytes.
 * This literal is the one list of a call entry's members.
 */
export function callEntry(kind: EntryKind, facts: CallFacts): EntryRecord {
  const locations = facts.findings?.locations ?? [];
  const record = {
    adapter_sha256: facts.weights?.adapter_sha256,
    attempts: facts.attempts
      .slice(0, 32)
      .map((attempt) => ({ outcome: String(attempt.outcome), provider: String(attempt.provider) })),
    bytes_delivered: facts.bytesDelivered,
    conversation_id: facts.state?.conversationId,
    deep_scan: facts.deepScan ? { engine: facts.deepScan.engine, outcome: facts.deepScan.outcome } : undefined,
    endpoint: facts.endpoint,
    error_code: facts.errorCode,
    findings:
      locations.length > 0
        ? locations.map((location) =>
            location.key
              ? { key: true as const, label: location.label, path: location.path }
              : { label: location.label, path: location.path },
          )
        : undefined,
    findings_omitted: facts.findings && facts.findings.omitted > 0 ? facts.findings.omitted : undefined,
    jurisdiction: facts.provider?.jurisdiction ?? null,
    kind,
    labels: [...facts.labels],
    model_requested: clip(facts.modelRequested),
    model_sha256: facts.weights?.model_sha256,
    open_index: facts.openIndex,
    operator: facts.provider ? clip(facts.provider.operator) : null,
    outcome: facts.outcome,
    ownership: facts.provider?.ownership ?? null,
    policy_hash: facts.policyHash,
    previous_response_id: facts.state?.previousResponseId,
    provider: facts.provider?.id ?? null,
    provider_model: facts.providerModel === null ? null : clip(facts.providerModel),
    redacted_labels: facts.redactedLabels ? [...facts.redactedLabels] : undefined,
    request_id: facts.requestId,
    request_sha256: facts.requestSha256,
    response_id: facts.state?.responseId,
    response_sha256: facts.responseSha256,
    shadow: facts.shadowOf !== undefined ? (true as const) : undefined,
    shadow_of: facts.shadowOf ?? undefined,
    status: facts.status,
    tenant: clip(facts.tenant),
    time: new Date(facts.time).toISOString(),
    usage: facts.usage
      ? { completion_tokens: facts.usage.completion_tokens ?? 0, prompt_tokens: facts.usage.prompt_tokens ?? 0 }
      : null,
    v: entryVersion,
  } satisfies EntryRecord;
  (record as { [ordered]?: true })[ordered] = true;
  // Frozen: a member added later would break the order JSON.stringify relies on.
  return Object.freeze(record);
}

/** The members every entry carries, for the entries that record an event rather than a call (cuts, models, actions). */
function eventBase(
  kind: EntryKind,
  facts: { time: number; requestId: string; tenant: string; endpoint: string; policyHash: string },
): EntryRecord {
  return {
    v: entryVersion,
    kind,
    time: new Date(facts.time).toISOString(),
    request_id: facts.requestId,
    tenant: clip(facts.tenant),
    endpoint: facts.endpoint,
    model_requested: '',
    provider: null,
    provider_model: null,
    jurisdiction: null,
    ownership: null,
    operator: null,
    labels: [],
    policy_hash: facts.policyHash,
    outcome: 'ok',
    status: 200,
    error_code: null,
    request_sha256: null,
    response_sha256: null,
    attempts: [],
    usage: null,
  };
}

/** A feedback, a dataset export or a judged comparison of the learning loop. */
export function learningEntry(
  kind: 'feedback' | 'dataset_export' | 'eval_report',
  facts: { time: number; requestId: string; tenant: string; policyHash: string; learning: LearningEntry },
): EntryRecord {
  return {
    ...eventBase(kind, { ...facts, endpoint: kind === 'feedback' ? 'feedback' : 'learning' }),
    learning: { ...facts.learning },
  };
}

/** A cut or an uncut of a provider, operator or jurisdiction. */
export function cutEntry(
  kind: 'cut' | 'uncut',
  facts: {
    time: number;
    requestId: string;
    tenant: string;
    policyHash: string;
    target: string;
    value: string;
    until: number | null;
  },
): EntryRecord {
  return {
    ...eventBase(kind, { ...facts, endpoint: 'admin' }),
    cut: {
      target: facts.target,
      value: facts.value,
      until: facts.until === null ? null : new Date(facts.until).toISOString(),
    },
  };
}

/** Weights entering or leaving the registry. */
export function modelEntry(
  kind: 'model_add' | 'model_remove',
  facts: { time: number; by: string; model: NonNullable<EntryRecord['model']> },
): EntryRecord {
  return {
    ...eventBase(kind, {
      time: facts.time,
      requestId: `${kind}-${facts.model.name}`,
      tenant: facts.by,
      endpoint: 'models',
      policyHash: '',
    }),
    model: { ...facts.model },
  };
}

/** One verdict of the action gate. */
export function actionEntry(facts: {
  time: number;
  requestId: string;
  tenant: string;
  endpoint: string;
  policyHash: string;
  outcome: EntryRecord['outcome'];
  status: number;
  errorCode: string | null;
  requestSha256: string | null;
  action: ActionEntry;
}): EntryRecord {
  return {
    ...eventBase('action', facts),
    outcome: facts.outcome,
    status: facts.status,
    error_code: facts.errorCode,
    request_sha256: facts.requestSha256,
    action: { ...facts.action },
  };
}

/** One MCP tool call through the gateway: the server it went to (as described), the verdict, the digests. */
export function toolCallEntry(facts: {
  time: number;
  requestId: string;
  tenant: string;
  policyHash: string;
  server: { id: string; jurisdiction: string; ownership: string; operator: string };
  labels: readonly string[];
  findings?: EntryRecord['findings'];
  outcome: EntryRecord['outcome'];
  errorCode: string | null;
  tool: ToolEntry;
}): EntryRecord {
  return {
    ...eventBase('tool_call', { ...facts, endpoint: 'mcp' }),
    model_requested: clip(facts.tool.name),
    provider: facts.server.id,
    jurisdiction: facts.server.jurisdiction,
    ownership: facts.server.ownership,
    operator: clip(facts.server.operator),
    labels: [...facts.labels],
    ...(facts.findings && facts.findings.length > 0 ? { findings: facts.findings } : {}),
    outcome: facts.outcome,
    status: facts.outcome === 'ok' ? 200 : facts.outcome === 'refused' ? 403 : 500,
    error_code: facts.errorCode,
    request_sha256: facts.tool.arguments_sha256,
    response_sha256: facts.tool.result_sha256,
    tool: { ...facts.tool, name: clip(facts.tool.name) },
  };
}

/** A tool definition pinned, quarantined or accepted. */
export function toolDefinitionEntry(
  kind: 'tool_pin' | 'tool_quarantine' | 'tool_accept',
  facts: { time: number; by: string; policyHash: string; definition: NonNullable<EntryRecord['tool_definition']> },
): EntryRecord {
  return {
    ...eventBase(kind, {
      time: facts.time,
      requestId: `${kind}-${facts.definition.sha256.slice(0, 16)}`,
      tenant: facts.by,
      endpoint: 'mcp',
      policyHash: facts.policyHash,
    }),
    provider: facts.definition.server,
    tool_definition: { ...facts.definition, name: clip(facts.definition.name) },
  };
}

/**
 * The closing entry a restart writes for a stream a stopped process left open: the opening entry's facts,
 * `interrupted`.
 */
export function interruptedClose(
  opened: EntryRecord | undefined,
  facts: { time: number; openIndex: number },
): EntryRecord {
  return {
    ...(opened ??
      eventBase('stream_close', { time: facts.time, requestId: '', tenant: '', endpoint: '', policyHash: '' })),
    kind: 'stream_close',
    time: new Date(facts.time).toISOString(),
    outcome: 'interrupted',
    status: opened?.status ?? 0,
    error_code: 'interrupted',
    response_sha256: null,
    usage: null,
    open_index: facts.openIndex,
  };
}

/**
 * Every string well-formed and every number finite, all the way down: what JSON.stringify writes then is RFC 8785's
 * form.
 */
function plain(value: unknown): boolean {
  if (typeof value === 'string') return isWellFormed(value);
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || value === undefined || typeof value === 'boolean') return true;
  if (Array.isArray(value)) return value.every(plain);
  if (typeof value === 'object') {
    for (const key in value) if (!plain((value as Record<string, unknown>)[key])) return false;
    return true;
  }
  return false;
}

export function encodeEntry(record: EntryRecord): Buffer {
  let text: string;
  try {
    text =
      (record as { [ordered]?: true })[ordered] === true && plain(record)
        ? JSON.stringify(record)
        : canonicalJson(record);
  } catch (error) {
    throw new EntryError(`the entry cannot be encoded as JSON: ${(error as Error).message}`);
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length >= maxEntryBytes)
    throw new EntryError(`the entry is ${bytes.length} bytes; entries must stay under ${maxEntryBytes}`);
  return bytes;
}

/**
 * Parses leaf bytes and checks they are the canonical form of what they say (a non-canonical leaf was not written by
 * this log).
 */
export function decodeEntry(leaf: Uint8Array): EntryRecord {
  let parsed: unknown;
  const text = Buffer.from(leaf).toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EntryError('the entry is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new EntryError('the entry is not a JSON object');
  if (canonicalJson(parsed) !== text) throw new EntryError('the entry is not in RFC 8785 canonical form');
  return parsed as EntryRecord;
}
