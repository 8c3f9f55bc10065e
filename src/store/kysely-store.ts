// The Store over Kysely: one query layer for both engines; only connection set-up and migrations differ.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { migrationsFor } from './migrations/index.js';
import type { ApiKeysTable, Database } from './schema.js';
import { StoreError, type ApiKeyRecord, type NewApiKey, type Scope, type Store } from './store.js';

class KyselyStore implements Store {
  constructor(
    readonly dialect: 'sqlite' | 'postgres',
    private readonly database: Kysely<Database>,
  ) {}

  async migrate(): Promise<void> {
    const provider: MigrationProvider = { getMigrations: async () => migrationsFor(this.dialect) };
    const migrator = new Migrator({
      db: this.database,
      provider,
      migrationTableName: 'schema_migrations',
      migrationLockTableName: 'schema_migrations_lock',
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw new StoreError('unavailable', `migrating the ${this.dialect} store failed: ${String(error)}`, { cause: error });
  }

  async createKey(key: NewApiKey): Promise<ApiKeyRecord> {
    try {
      await this.database
        .insertInto('api_keys')
        .values({
          id: key.id,
          name: key.name,
          key_hash: key.keyHash,
          key_prefix: key.keyPrefix,
          scopes: key.scopes.join(','),
          rpm: key.rpm,
          created_at: key.createdAt,
          revoked_at: null,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreError('duplicate_name', `an active key named "${key.name}" already exists`, { cause: error });
      throw error;
    }
    return { ...key, revokedAt: null };
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.database.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  async activeKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.database.selectFrom('api_keys').selectAll().where('revoked_at', 'is', null).execute();
    return rows.map(toRecord);
  }

  async revokeKey(idOrName: string, at: number): Promise<ApiKeyRecord> {
    const row = await this.database
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('revoked_at', 'is', null)
      .where((where) => where.or([where('id', '=', idOrName), where('name', '=', idOrName)]))
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new StoreError('not_found', `no active key with id or name "${idOrName}"`);
    return toRecord(row);
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.database);
  }

  async close(): Promise<void> {
    await this.database.destroy();
  }
}

function toRecord(row: ApiKeysTable): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    scopes: row.scopes === '' ? [] : (row.scopes.split(',') as Scope[]),
    rpm: row.rpm,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** The embedded store: one SQLite file in WAL mode under the data directory, shared safely with the CLI. */
export function openSqliteStore(dataDirectory: string): Store {
  mkdirSync(dataDirectory, { recursive: true, mode: 0o700 });
  const database = new BetterSqlite3(join(dataDirectory, 'sovereign.db'));
  database.pragma('journal_mode = WAL');
  // FULL: a committed write survives power loss, which the ledger's receipts depend on.
  database.pragma('synchronous = FULL');
  // The CLI and the gateway write the same file; wait for the other's lock instead of failing.
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new KyselyStore('sqlite', new Kysely<Database>({ dialect: new SqliteDialect({ database }) }));
}

/** The shared store for several replicas: PostgreSQL at DATABASE_URL. */
export function openPostgresStore(connectionString: string): Store {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // BIGINT (oid 20) holds millisecond times, well inside Number's exact range.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  return new KyselyStore('postgres', new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }));
}

/** DATABASE_URL=postgres://… selects PostgreSQL; otherwise the embedded SQLite store in the data directory. */
export function openStore(options: { dataDirectory: string; databaseUrl?: string }): Store {
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgresStore(url);
  return openSqliteStore(options.dataDirectory);
}
