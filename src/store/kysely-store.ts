// The Store over Kysely: one query layer for both engines; only connection set-up and migrations differ.
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { KyselyLearningStore } from './kysely-learning-store.js';
import { KyselyStateStore, sqliteResponseWriter } from './kysely-state-store.js';
import { migrationsFor } from './migrations/index.js';
import type { ActionsTable, ApiKeysTable, Database, LedgerEntriesTable, ModelsTable } from './schema.js';
import {
  StoreError,
  type ActionProgress,
  type ActionRecord,
  type ActionSettlement,
  type ActionStatus,
  type ApiKeyRecord,
  type ModelRecord,
  type CutRecord,
  type ToolPin,
  type AppendedBatch,
  type NewApiKey,
  type NewLedgerEntry,
  type Scope,
  type Store,
  type StoredCheckpoint,
  type StoredLedgerEntry,
} from './store.js';

/** Appends a batch of ledger entries in one transaction; each engine has its own way (see below). */
type LedgerAppender = (entries: readonly NewLedgerEntry[]) => Promise<AppendedBatch>;

/** Ledger appends, and the one-row write that checks the same path without appending. */
interface LedgerWriter {
  append: LedgerAppender;
  probe(at: number): Promise<void>;
}

class KyselyStore implements Store {
  readonly state: KyselyStateStore;
  readonly learning: KyselyLearningStore;

  constructor(
    readonly dialect: 'sqlite' | 'postgres',
    private readonly database: Kysely<Database>,
    private readonly writer: LedgerWriter,
    private readonly onClose: () => Promise<void> = async () => {},
    saveResponse?: ConstructorParameters<typeof KyselyStateStore>[1],
  ) {
    this.state = new KyselyStateStore(database, saveResponse);
    this.learning = new KyselyLearningStore(database);
  }

  async migrate(): Promise<void> {
    const provider: MigrationProvider = { getMigrations: async () => migrationsFor(this.dialect) };
    const migrator = new Migrator({
      db: this.database,
      provider,
      migrationTableName: 'schema_migrations',
      migrationLockTableName: 'schema_migrations_lock',
    });
    const { error } = await migrator.migrateToLatest();
    if (error)
      throw new StoreError('unavailable', `migrating the ${this.dialect} store failed: ${String(error)}`, {
        cause: error,
      });
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
      if (isUniqueViolation(error))
        throw new StoreError('duplicate_name', `an active key named "${key.name}" already exists`, { cause: error });
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

  appendLedgerEntries(entries: readonly NewLedgerEntry[]): Promise<AppendedBatch> {
    return this.writer.append(entries);
  }

  probeWrite(at: number): Promise<void> {
    return this.writer.probe(at);
  }

  async ledgerSize(): Promise<number> {
    const row = await this.database
      .selectFrom('ledger_entries')
      .select((select) => select.fn.max('idx').as('last'))
      .executeTakeFirst();
    return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
  }

  async ledgerEntries(start: number, end: number): Promise<StoredLedgerEntry[]> {
    const rows = await this.database
      .selectFrom('ledger_entries')
      .selectAll()
      .where('idx', '>=', start)
      .where('idx', '<', end)
      .orderBy('idx')
      .execute();
    return rows.map(toStoredEntry);
  }

  async ledgerEntriesOfKey(keyId: string, start: number, end: number, limit: number): Promise<StoredLedgerEntry[]> {
    const rows = await this.database
      .selectFrom('ledger_entries')
      .selectAll()
      .where('key_id', '=', keyId)
      .where('idx', '>=', start)
      .where('idx', '<', end)
      .orderBy('idx')
      .limit(limit)
      .execute();
    return rows.map(toStoredEntry);
  }

  async openStreamIndexes(): Promise<number[]> {
    const rows = await this.database
      .selectFrom('ledger_streams')
      .select('open_index')
      .where('close_index', 'is', null)
      .orderBy('open_index')
      .execute();
    return rows.map((row) => Number(row.open_index));
  }

  async streamCloseIndex(openIndex: number): Promise<number | null> {
    const row = await this.database
      .selectFrom('ledger_streams')
      .select('close_index')
      .where('open_index', '=', openIndex)
      .executeTakeFirst();
    return row?.close_index === null || row?.close_index === undefined ? null : Number(row.close_index);
  }

  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.database
      .insertInto('ledger_checkpoints')
      .values({ size: checkpoint.size, root: checkpoint.root, note: checkpoint.note, created_at: checkpoint.createdAt })
      .onConflict((conflict) => conflict.column('size').doNothing())
      .execute();
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const row = await this.database
      .selectFrom('ledger_checkpoints')
      .selectAll()
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row
      ? { size: Number(row.size), root: Buffer.from(row.root), note: row.note, createdAt: Number(row.created_at) }
      : undefined;
  }

  async checkpointRoots(): Promise<Array<{ size: number; root: Buffer }>> {
    const rows = await this.database
      .selectFrom('ledger_checkpoints')
      .select(['size', 'root'])
      .orderBy('size')
      .execute();
    return rows.map((row) => ({ size: Number(row.size), root: Buffer.from(row.root) }));
  }

  async addCut(cut: CutRecord): Promise<void> {
    await this.database
      .insertInto('cuts')
      .values({
        id: cut.id,
        target: cut.target,
        value: cut.value,
        until: cut.until,
        created_at: cut.createdAt,
        created_by: cut.createdBy,
      })
      .execute();
  }

  async removeCut(id: string): Promise<void> {
    await this.database.deleteFrom('cuts').where('id', '=', id).execute();
  }

  async removeCuts(target: CutRecord['target'], value: string): Promise<number> {
    const result = await this.database
      .deleteFrom('cuts')
      .where('target', '=', target)
      .where('value', '=', value)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async toolPins(): Promise<ToolPin[]> {
    const rows = await this.database.selectFrom('mcp_tool_pins').selectAll().orderBy('name').execute();
    return rows.map(toolPinOf);
  }

  async pinTool(pin: ToolPin): Promise<boolean> {
    const result = await this.database
      .insertInto('mcp_tool_pins')
      .values({
        name: pin.name,
        server: pin.server,
        sha256: pin.sha256,
        definition: pin.definition,
        status: pin.status,
        pending_sha256: pin.pending?.sha256 ?? null,
        pending_definition: pin.pending?.definition ?? null,
        flag: pin.flag,
        pinned_at: pin.pinnedAt,
        changed_at: pin.changedAt,
      })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async quarantineTool(
    name: string,
    pending: { sha256: string; definition: string; flag: string | null; at: number },
  ): Promise<void> {
    await this.database
      .updateTable('mcp_tool_pins')
      .set({
        status: 'quarantined',
        pending_sha256: pending.sha256,
        pending_definition: pending.definition,
        flag: pending.flag,
        changed_at: pending.at,
      })
      .where('name', '=', name)
      .execute();
  }

  async acceptTool(name: string, at: number): Promise<ToolPin | undefined> {
    return this.database.transaction().execute(async (transaction) => {
      const row = await transaction
        .selectFrom('mcp_tool_pins')
        .selectAll()
        .where('name', '=', name)
        .where('status', '=', 'quarantined')
        .executeTakeFirst();
      if (!row) return undefined;
      const accepted = {
        sha256: row.pending_sha256 ?? row.sha256,
        definition: row.pending_definition ?? row.definition,
        status: 'pinned',
        pending_sha256: null,
        pending_definition: null,
        flag: null,
        changed_at: at,
      };
      await transaction.updateTable('mcp_tool_pins').set(accepted).where('name', '=', name).execute();
      return toolPinOf({ ...row, ...accepted });
    });
  }

  async cuts(): Promise<CutRecord[]> {
    const rows = await this.database.selectFrom('cuts').selectAll().orderBy('created_at').execute();
    return rows.map((row) => ({
      id: row.id,
      target: row.target as CutRecord['target'],
      value: row.value,
      until: row.until === null ? null : Number(row.until),
      createdAt: Number(row.created_at),
      createdBy: row.created_by,
    }));
  }

  async insertAction(action: ActionRecord): Promise<{ inserted: true } | { inserted: false; duplicateOf: string }> {
    try {
      await this.database.insertInto('actions').values(toActionRow(action)).execute();
      return { inserted: true };
    } catch (error) {
      if (!isUniqueViolation(error) || action.receiptId === null) throw error;
      const row = await this.database
        .selectFrom('actions')
        .select('id')
        .where('receipt_id', '=', action.receiptId)
        .executeTakeFirst();
      if (!row) throw error;
      return { inserted: false, duplicateOf: row.id };
    }
  }

  async action(id: string): Promise<ActionRecord | undefined> {
    const row = await this.database.selectFrom('actions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAction(row) : undefined;
  }

  async actionsWithStatus(status: ActionStatus, limit: number): Promise<ActionRecord[]> {
    const rows = await this.database
      .selectFrom('actions')
      .selectAll()
      .where('status', '=', status)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toAction);
  }

  async actionsToRecover(): Promise<ActionRecord[]> {
    const rows = await this.database
      .selectFrom('actions')
      .selectAll()
      .where((where) =>
        where.or([
          where('status', '=', 'held'),
          where('verdict_index', 'is', null),
          where.and([where('status', '=', 'allowed'), where('forward_state', 'in', ['pending', 'sending'])]),
        ]),
      )
      .orderBy('created_at')
      .execute();
    return rows.map(toAction);
  }

  async settleAction(id: string, settlement: ActionSettlement): Promise<boolean> {
    const result = await this.database
      .updateTable('actions')
      .set({
        status: settlement.status,
        reason: settlement.reason,
        decided_at: settlement.decidedAt,
        decided_by: settlement.decidedBy,
        approval: settlement.approval,
        forward_state: settlement.forwardState,
      })
      .where('id', '=', id)
      .where('status', '=', 'held')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async updateAction(id: string, progress: ActionProgress): Promise<void> {
    const set: Partial<ActionsTable> = {};
    if (progress.holdIndex !== undefined) set.hold_index = progress.holdIndex;
    if (progress.verdictIndex !== undefined) set.verdict_index = progress.verdictIndex;
    if (progress.forwardState !== undefined) set.forward_state = progress.forwardState;
    if (progress.downstreamStatus !== undefined) set.downstream_status = progress.downstreamStatus;
    if (progress.downstreamError !== undefined) set.downstream_error = progress.downstreamError;
    if (Object.keys(set).length > 0) await this.database.updateTable('actions').set(set).where('id', '=', id).execute();
  }

  async claimForward(id: string): Promise<boolean> {
    const result = await this.database
      .updateTable('actions')
      .set({ forward_state: 'sending' })
      .where('id', '=', id)
      .where('forward_state', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async addModel(model: ModelRecord): Promise<void> {
    try {
      await this.database
        .insertInto('models')
        .values({
          name: model.name,
          kind: model.kind,
          path: model.path,
          size: model.size,
          sha256: model.sha256,
          metadata: model.metadata,
          envelope: model.envelope,
          added_by: model.addedBy,
          added_at: model.addedAt,
          verified_at: model.verifiedAt,
          verified_size: model.verifiedSize,
          verified_mtime_ms: model.verifiedMtimeMs,
          verified_ino: model.verifiedIno,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new StoreError('duplicate_name', `a model named "${model.name}" is already registered`, { cause: error });
      throw error;
    }
  }

  async models(): Promise<ModelRecord[]> {
    return (await this.database.selectFrom('models').selectAll().orderBy('name').execute()).map(toModel);
  }

  async model(name: string): Promise<ModelRecord | undefined> {
    const row = await this.database.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toModel(row) : undefined;
  }

  async removeModel(name: string): Promise<boolean> {
    const result = await this.database.deleteFrom('models').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async recordVerification(
    name: string,
    verification: { at: number; size: number; mtimeMs: number; ino: string },
  ): Promise<void> {
    await this.database
      .updateTable('models')
      .set({
        verified_at: verification.at,
        verified_size: verification.size,
        verified_mtime_ms: Math.floor(verification.mtimeMs),
        verified_ino: verification.ino,
      })
      .where('name', '=', name)
      .execute();
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.database);
  }

  async close(): Promise<void> {
    await this.onClose();
    await this.database.destroy();
  }
}

function toStoredEntry(row: LedgerEntriesTable): StoredLedgerEntry {
  return {
    index: Number(row.idx),
    leaf: Buffer.from(row.leaf),
    leafHash: Buffer.from(row.leaf_hash),
    keyId: row.key_id,
    createdAt: Number(row.created_at),
  };
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

function toActionRow(action: ActionRecord): ActionsTable {
  return {
    id: action.id,
    endpoint: action.endpoint,
    agent_id: action.agentId,
    action: action.action,
    amount: action.amount,
    params_sha256: action.paramsSha256,
    payload: action.payload,
    receipt_id: action.receiptId,
    receipt_sha256: action.receiptSha256,
    signer: action.signer,
    rule: action.rule,
    requirement: action.requirement,
    simulated: action.simulated ? 1 : 0,
    status: action.status,
    reason: action.reason,
    submitted_by: action.submittedBy,
    submitted_name: action.submittedName,
    created_at: action.createdAt,
    deadline_at: action.deadlineAt,
    hold_index: action.holdIndex,
    verdict_index: action.verdictIndex,
    decided_at: action.decidedAt,
    decided_by: action.decidedBy,
    approval: action.approval,
    forward_state: action.forwardState,
    downstream_status: action.downstreamStatus,
    downstream_error: action.downstreamError,
  };
}

const orNull = (value: number | null): number | null => (value === null ? null : Number(value));

function toAction(row: ActionsTable): ActionRecord {
  return {
    id: row.id,
    endpoint: row.endpoint as ActionRecord['endpoint'],
    agentId: row.agent_id,
    action: row.action,
    amount: row.amount === null ? null : Number(row.amount),
    paramsSha256: row.params_sha256,
    payload: row.payload,
    receiptId: row.receipt_id,
    receiptSha256: row.receipt_sha256,
    signer: row.signer,
    rule: Number(row.rule),
    requirement: row.requirement,
    simulated: Number(row.simulated) === 1,
    status: row.status as ActionStatus,
    reason: row.reason,
    submittedBy: row.submitted_by,
    submittedName: row.submitted_name,
    createdAt: Number(row.created_at),
    deadlineAt: orNull(row.deadline_at),
    holdIndex: orNull(row.hold_index),
    verdictIndex: orNull(row.verdict_index),
    decidedAt: orNull(row.decided_at),
    decidedBy: row.decided_by,
    approval: row.approval,
    forwardState: row.forward_state as ActionRecord['forwardState'],
    downstreamStatus: orNull(row.downstream_status),
    downstreamError: row.downstream_error,
  };
}

function toModel(row: ModelsTable): ModelRecord {
  return {
    name: row.name,
    kind: row.kind as ModelRecord['kind'],
    path: row.path,
    size: orNull(row.size),
    sha256: row.sha256,
    metadata: row.metadata,
    envelope: row.envelope,
    addedBy: row.added_by,
    addedAt: Number(row.added_at),
    verifiedAt: orNull(row.verified_at),
    verifiedSize: orNull(row.verified_size),
    verifiedMtimeMs: orNull(row.verified_mtime_ms),
    verifiedIno: row.verified_ino,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** The embedded store: one SQLite file in WAL mode under the data directory, shared safely with the CLI. */
export function openSqliteStore(dataDirectory: string): Store {
  mkdirSync(dataDirectory, { recursive: true, mode: 0o700 });
  const file = join(dataDirectory, 'sovereign.db');
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  // FULL: a committed write survives power loss. Ledger appends take the faster road below, with the same guarantee.
  database.pragma('synchronous = FULL');
  // The CLI and the gateway write the same file; wait for the other's lock instead of failing.
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const ledger = createSqliteLedgerAppender(file);
  const responses = sqliteResponseWriter(file);
  return new KyselyStore(
    'sqlite',
    new Kysely<Database>({ dialect: new SqliteDialect({ database }) }),
    ledger,
    async () => {
      ledger.close();
      responses.close();
    },
    responses.save,
  );
}

/**
 * Ledger appends on SQLite: the batch is inserted in one IMMEDIATE transaction with synchronous=NORMAL
 * (in WAL mode that writes the WAL without syncing it), then the WAL file is fdatasync'ed on libuv's
 * thread pool before the batch is acknowledged. That is synchronous=FULL's guarantee (the WAL is on
 * disk at every acknowledged commit) without blocking the event loop for the sync (1–2 ms here);
 * entries that arrive meanwhile form the next batch. Measured against the alternatives: FULL on the
 * main thread stalls every request for each sync, and a worker thread owning the connection paid
 * 30–130 µs per message on this machine's cross-thread wake-ups.
 */
function createSqliteLedgerAppender(file: string): LedgerWriter & { close(): void } {
  let walDescriptor: number | undefined;
  let database: BetterSqlite3.Database | undefined;
  let prepared: ((entries: readonly NewLedgerEntry[]) => number) | undefined;
  let probeStatement: BetterSqlite3.Statement<[number]> | undefined;
  // Its own connection, opened on first use (commands that never append open none).
  const prepare = (): ((entries: readonly NewLedgerEntry[]) => number) => {
    database = new BetterSqlite3(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    const last = database.prepare<[], { last: number | null }>('SELECT max(idx) AS last FROM ledger_entries');
    const insert = database.prepare(
      'INSERT INTO ledger_entries (idx, leaf, leaf_hash, key_id, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    const open = database.prepare('INSERT INTO ledger_streams (open_index, close_index) VALUES (?, NULL)');
    const close = database.prepare('UPDATE ledger_streams SET close_index = ? WHERE open_index = ?');
    const transaction = database.transaction((entries: readonly NewLedgerEntry[]) => {
      const row = last.get();
      const first = row?.last === null || row?.last === undefined ? 0 : row.last + 1;
      entries.forEach((entry, offset) => {
        insert.run(first + offset, entry.leaf, entry.leafHash, entry.keyId, entry.createdAt);
        if (entry.opensStream) open.run(first + offset);
        if (entry.closesStream !== undefined) close.run(first + offset, entry.closesStream);
      });
      return first;
    });
    probeStatement = database.prepare('INSERT OR REPLACE INTO ledger_write_probe (id, at) VALUES (1, ?)');
    return (entries) => transaction.immediate(entries);
  };
  // fsync acts on the file, whichever descriptor names it: syncing our own descriptor of the
  // WAL makes SQLite's writes to it durable.
  const syncWal = async (): Promise<void> => {
    walDescriptor ??= openSync(`${file}-wal`, 'r');
    await new Promise<void>((resolve, reject) =>
      fdatasync(walDescriptor!, (error) => (error ? reject(error) : resolve())),
    );
  };
  return {
    async append(entries) {
      prepared ??= prepare();
      const first = prepared(entries);
      await syncWal();
      return { first };
    },
    async probe(at) {
      prepared ??= prepare();
      probeStatement!.run(at);
      await syncWal();
    },
    close() {
      if (walDescriptor !== undefined) closeSync(walDescriptor);
      database?.close();
    },
  };
}

/** The shared store for several replicas: PostgreSQL at DATABASE_URL. */
export function openPostgresStore(connectionString: string): Store {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // BIGINT (oid 20) holds millisecond times, well inside Number's exact range.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled connection the server closes (a restart, a failover, an administrator) must not
  // crash the process: pg emits that on the pool, and with no listener it would be an uncaught
  // exception. The pool drops the connection; the next query opens a new one or reports the outage.
  pool.on('error', () => undefined);
  const database = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // PostgreSQL orders the log for every replica: a transaction-scoped advisory lock serialises
  // appenders, so indexes are dense (a sequence would leave holes on rollback).
  const append: LedgerAppender = (entries) =>
    database.transaction().execute(async (transaction) => {
      await sql`SELECT pg_advisory_xact_lock(6962)`.execute(transaction);
      const row = await transaction
        .selectFrom('ledger_entries')
        .select((select) => select.fn.max('idx').as('last'))
        .executeTakeFirst();
      const first = row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
      await transaction
        .insertInto('ledger_entries')
        .values(
          entries.map((entry, offset) => ({
            idx: first + offset,
            leaf: entry.leaf,
            leaf_hash: entry.leafHash,
            key_id: entry.keyId,
            created_at: entry.createdAt,
          })),
        )
        .execute();
      const opened = entries.flatMap((entry, offset) =>
        entry.opensStream ? [{ open_index: first + offset, close_index: null }] : [],
      );
      if (opened.length > 0) await transaction.insertInto('ledger_streams').values(opened).execute();
      for (const [offset, entry] of entries.entries()) {
        if (entry.closesStream !== undefined)
          await transaction
            .updateTable('ledger_streams')
            .set({ close_index: first + offset })
            .where('open_index', '=', entry.closesStream)
            .execute();
      }
      return { first };
    });
  const probe = async (at: number): Promise<void> => {
    await database
      .insertInto('ledger_write_probe')
      .values({ id: 1, at })
      .onConflict((conflict) => conflict.column('id').doUpdateSet({ at }))
      .execute();
  };
  return new KyselyStore('postgres', database, { append, probe });
}

/** DATABASE_URL=postgres://… selects PostgreSQL; otherwise the embedded SQLite store in the data directory. */
export function openStore(options: { dataDirectory: string; databaseUrl?: string }): Store {
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgresStore(url);
  return openSqliteStore(options.dataDirectory);
}

function toolPinOf(row: {
  name: string;
  server: string;
  sha256: string;
  definition: string;
  status: string;
  pending_sha256: string | null;
  pending_definition: string | null;
  flag: string | null;
  pinned_at: number | string | bigint;
  changed_at: number | string | bigint | null;
}): ToolPin {
  return {
    name: row.name,
    server: row.server,
    sha256: row.sha256,
    definition: row.definition,
    status: row.status === 'quarantined' ? 'quarantined' : 'pinned',
    pending:
      row.pending_sha256 !== null && row.pending_definition !== null
        ? { sha256: row.pending_sha256, definition: row.pending_definition }
        : null,
    flag: row.flag,
    pinnedAt: Number(row.pinned_at),
    changedAt: row.changed_at === null ? null : Number(row.changed_at),
  };
}
