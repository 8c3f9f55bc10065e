// Table shapes as Kysely sees them, shared by both dialects.
import type { Generated } from 'kysely';

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  /** Comma-separated scopes. */
  scopes: string;
  rpm: number | null;
  created_at: number;
  revoked_at: number | null;
}

export interface LedgerEntriesTable {
  idx: number;
  leaf: Uint8Array;
  leaf_hash: Uint8Array;
  key_id: string | null;
  created_at: number;
}

export interface LedgerCheckpointsTable {
  size: number;
  root: Uint8Array;
  note: string;
  created_at: number;
}

export interface ToolPinsTable {
  name: string;
  server: string;
  sha256: string;
  definition: string;
  status: string;
  pending_sha256: string | null;
  pending_definition: string | null;
  flag: string | null;
  pinned_at: number;
  changed_at: number | null;
}

export interface CutsTable {
  id: string;
  target: string;
  value: string;
  until: number | null;
  created_at: number;
  created_by: string;
}

export interface ActionsTable {
  id: string;
  endpoint: string;
  agent_id: string;
  action: string;
  amount: number | null;
  params_sha256: string;
  payload: string;
  receipt_id: string | null;
  receipt_sha256: string | null;
  signer: string | null;
  rule: number;
  requirement: string;
  simulated: number;
  status: string;
  reason: string;
  submitted_by: string;
  submitted_name: string;
  created_at: number;
  deadline_at: number | null;
  hold_index: number | null;
  verdict_index: number | null;
  decided_at: number | null;
  decided_by: string | null;
  approval: string | null;
  forward_state: string;
  downstream_status: number | null;
  downstream_error: string | null;
}

export interface ModelsTable {
  name: string;
  kind: string;
  path: string | null;
  size: number | null;
  sha256: string;
  metadata: string;
  envelope: string;
  added_by: string;
  added_at: number;
  verified_at: number | null;
  verified_size: number | null;
  verified_mtime_ms: number | null;
  verified_ino: string | null;
}

/** A stored response: its chain link, its labels, the response object sealed by state/. */
export interface StateResponsesTable {
  id: string;
  owner: string;
  created_at: number;
  expires_at: number | null;
  previous_response_id: string | null;
  conversation_id: string | null;
  /** JSON array of labels. */
  labels: string;
  sealed: Uint8Array;
}

export interface StateConversationsTable {
  id: string;
  owner: string;
  created_at: number;
  labels: string;
  next_position: number;
  /** The sealed metadata. */
  sealed: Uint8Array;
}

/** One item of a response (its input, then its output) or of a conversation, in order. */
export interface StateItemsTable {
  id: string;
  container: string;
  position: number;
  /** input or output: what the response's input_items list shows. */
  role: string;
  labels: string;
  created_at: number;
  sealed: Uint8Array;
}

/** A captured call of the learning loop: facts in the clear, text sealed. */
export interface CapturesTable {
  id: string;
  tenant: string;
  key_id: string | null;
  receipt: number | null;
  response_id: string | null;
  episode_id: string;
  alias: string;
  provider: string;
  model: string;
  ownership: string;
  role: string;
  pair_of: string | null;
  labels: string;
  prompt_sha256: string;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  cost: number | null;
  created_at: number;
  expires_at: number;
  sealed: Uint8Array;
}

export interface FeedbackTable {
  id: string;
  tenant: string;
  key_id: string | null;
  metric: string;
  capture_id: string | null;
  episode_id: string;
  sealed: Uint8Array;
  /** -1 until the feedback's ledger entry is durable (such a row is never read). */
  ledger_index: number;
  created_at: number;
  expires_at: number;
}

export interface Database {
  learning_captures: CapturesTable;
  learning_feedback: FeedbackTable;
  state_responses: StateResponsesTable;
  state_conversations: StateConversationsTable;
  state_items: StateItemsTable;
  models: ModelsTable;
  actions: ActionsTable;
  cuts: CutsTable;
  mcp_tool_pins: ToolPinsTable;
  api_keys: ApiKeysTable;
  ledger_entries: LedgerEntriesTable;
  ledger_streams: { open_index: number; close_index: number | null };
  ledger_checkpoints: LedgerCheckpointsTable;
  /** One row, rewritten to check that commits go through (readiness after a failed commit). */
  ledger_write_probe: { id: number; at: number };
  /** Kept by Kysely's Migrator. */
  schema_migrations?: { name: string; timestamp: Generated<string> };
}
