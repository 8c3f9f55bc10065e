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

export interface Database {
  api_keys: ApiKeysTable;
  /** Kept by Kysely's Migrator. */
  schema_migrations?: { name: string; timestamp: Generated<string> };
}
