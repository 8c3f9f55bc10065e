// The one storage interface. Two real engines implement it through Kysely: SQLite (embedded default)
// and PostgreSQL (DATABASE_URL). Only this folder speaks SQL.

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
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  createKey(key: NewApiKey): Promise<ApiKeyRecord>;
  /** Every key, revoked ones included, oldest first. */
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Keys that may authenticate now. */
  activeKeys(): Promise<ApiKeyRecord[]>;
  /** Revokes the active key with this id or name; returns it, or throws StoreError('not_found'). */
  revokeKey(idOrName: string, at: number): Promise<ApiKeyRecord>;
  /** A cheap round trip, for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
