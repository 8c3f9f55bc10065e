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

export interface CutsTable {
  id: string;
  target: string;
  value: string;
  until: number | null;
  created_at: number;
  created_by: string;
}

export interface Database {
  cuts: CutsTable;
  api_keys: ApiKeysTable;
  ledger_entries: LedgerEntriesTable;
  ledger_streams: { open_index: number; close_index: number | null };
  ledger_checkpoints: LedgerCheckpointsTable;
  /** Kept by Kysely's Migrator. */
  schema_migrations?: { name: string; timestamp: Generated<string> };
}
