// Migrations per dialect, side by side: each step exists once for SQLite and once for PostgreSQL,
// under the same name, so both engines always have the same schema version.
import { sql, type Kysely, type Migration } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

const steps: Record<string, Record<Dialect, Migration>> = {
  '001-api-keys': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE api_keys (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          key_hash TEXT NOT NULL UNIQUE,
          key_prefix TEXT NOT NULL,
          scopes TEXT NOT NULL DEFAULT '',
          rpm INTEGER,
          created_at INTEGER NOT NULL,
          revoked_at INTEGER
        ) STRICT`.execute(database);
        await sql`CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL`.execute(
          database,
        );
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE api_keys (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          key_hash TEXT NOT NULL UNIQUE,
          key_prefix TEXT NOT NULL,
          scopes TEXT NOT NULL DEFAULT '',
          rpm INTEGER,
          created_at BIGINT NOT NULL,
          revoked_at BIGINT
        )`.execute(database);
        await sql`CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL`.execute(
          database,
        );
      },
    },
  },
  '002-ledger': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE ledger_entries (
          idx INTEGER PRIMARY KEY,
          leaf BLOB NOT NULL,
          leaf_hash BLOB NOT NULL,
          key_id TEXT,
          created_at INTEGER NOT NULL
        ) STRICT`.execute(database);
        await sql`CREATE TABLE ledger_streams (open_index INTEGER PRIMARY KEY, close_index INTEGER) STRICT`.execute(
          database,
        );
        await sql`CREATE INDEX ledger_streams_open ON ledger_streams(open_index) WHERE close_index IS NULL`.execute(
          database,
        );
        await sql`CREATE TABLE ledger_checkpoints (
          size INTEGER PRIMARY KEY,
          root BLOB NOT NULL,
          note TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT`.execute(database);
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE ledger_entries (
          idx BIGINT PRIMARY KEY,
          leaf BYTEA NOT NULL,
          leaf_hash BYTEA NOT NULL,
          key_id TEXT,
          created_at BIGINT NOT NULL
        )`.execute(database);
        await sql`CREATE TABLE ledger_streams (open_index BIGINT PRIMARY KEY, close_index BIGINT)`.execute(database);
        await sql`CREATE INDEX ledger_streams_open ON ledger_streams(open_index) WHERE close_index IS NULL`.execute(
          database,
        );
        await sql`CREATE TABLE ledger_checkpoints (
          size BIGINT PRIMARY KEY,
          root BYTEA NOT NULL,
          note TEXT NOT NULL,
          created_at BIGINT NOT NULL
        )`.execute(database);
      },
    },
  },
  '003-cuts': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE cuts (id TEXT PRIMARY KEY, target TEXT NOT NULL, value TEXT NOT NULL, until INTEGER, created_at INTEGER NOT NULL, created_by TEXT NOT NULL) STRICT`.execute(
          database,
        );
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE cuts (id TEXT PRIMARY KEY, target TEXT NOT NULL, value TEXT NOT NULL, until BIGINT, created_at BIGINT NOT NULL, created_by TEXT NOT NULL)`.execute(
          database,
        );
      },
    },
  },
  '004-actions': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE actions (${sql.raw(actionColumns('INTEGER', 'REAL'))}) STRICT`.execute(database);
        await sql`CREATE INDEX actions_held ON actions(status) WHERE status = 'held'`.execute(database);
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE actions (${sql.raw(actionColumns('BIGINT', 'DOUBLE PRECISION'))})`.execute(database);
        await sql`CREATE INDEX actions_held ON actions(status) WHERE status = 'held'`.execute(database);
      },
    },
  },
  '005-models': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE models (${sql.raw(modelColumns('INTEGER'))}) STRICT`.execute(database);
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE models (${sql.raw(modelColumns('BIGINT'))})`.execute(database);
      },
    },
  },
  '006-state': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        for (const statement of stateTables('INTEGER', 'BLOB', ' STRICT')) await sql.raw(statement).execute(database);
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        for (const statement of stateTables('BIGINT', 'BYTEA', '')) await sql.raw(statement).execute(database);
      },
    },
  },
  '007-tool-pins': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE mcp_tool_pins (${sql.raw(toolPinColumns('INTEGER'))}) STRICT`.execute(database);
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE mcp_tool_pins (${sql.raw(toolPinColumns('BIGINT'))})`.execute(database);
      },
    },
  },
  '008-learning': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        for (const statement of learningTables('INTEGER', 'REAL', 'BLOB', ' STRICT'))
          await sql.raw(statement).execute(database);
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        for (const statement of learningTables('BIGINT', 'DOUBLE PRECISION', 'BYTEA', ''))
          await sql.raw(statement).execute(database);
      },
    },
  },
  // Readiness checks that a commit goes through again with a one-row write, not a ledger entry.
  '009-ledger-tenancy': {
    sqlite: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE ledger_write_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL) STRICT`.execute(
          database,
        );
      },
    },
    postgres: {
      async up(database: Kysely<unknown>) {
        await sql`CREATE TABLE ledger_write_probe (id INTEGER PRIMARY KEY, at BIGINT NOT NULL)`.execute(database);
      },
    },
  },
};

/**
 * The learning loop: captured calls (text sealed by learning/, facts in the clear to find and pair them) and
 * feedback on them, found by receipt, response id, episode and time.
 */
function learningTables(integer: string, real: string, bytes: string, strict: string): string[] {
  return [
    `CREATE TABLE learning_captures (
      id TEXT PRIMARY KEY,
      tenant TEXT NOT NULL,
      key_id TEXT,
      receipt ${integer},
      response_id TEXT,
      episode_id TEXT NOT NULL,
      alias TEXT NOT NULL,
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      ownership TEXT NOT NULL,
      role TEXT NOT NULL,
      pair_of TEXT,
      labels TEXT NOT NULL,
      prompt_sha256 TEXT NOT NULL,
      latency_ms ${integer} NOT NULL,
      input_tokens ${integer} NOT NULL,
      output_tokens ${integer} NOT NULL,
      cost ${real},
      created_at ${integer} NOT NULL,
      expires_at ${integer} NOT NULL,
      sealed ${bytes} NOT NULL
    )${strict}`,
    'CREATE INDEX learning_captures_receipt ON learning_captures(receipt) WHERE receipt IS NOT NULL',
    'CREATE INDEX learning_captures_response ON learning_captures(response_id) WHERE response_id IS NOT NULL',
    'CREATE INDEX learning_captures_episode ON learning_captures(episode_id)',
    'CREATE INDEX learning_captures_created ON learning_captures(created_at, id)',
    'CREATE INDEX learning_captures_pair ON learning_captures(pair_of) WHERE pair_of IS NOT NULL',
    'CREATE INDEX learning_captures_expires ON learning_captures(expires_at)',
    `CREATE TABLE learning_feedback (
      id TEXT PRIMARY KEY,
      tenant TEXT NOT NULL,
      key_id TEXT,
      metric TEXT NOT NULL,
      capture_id TEXT,
      episode_id TEXT NOT NULL,
      sealed ${bytes} NOT NULL,
      ledger_index ${integer} NOT NULL,
      created_at ${integer} NOT NULL,
      expires_at ${integer} NOT NULL
    )${strict}`,
    'CREATE INDEX learning_feedback_expires ON learning_feedback(expires_at)',
    'CREATE INDEX learning_feedback_capture ON learning_feedback(capture_id) WHERE capture_id IS NOT NULL',
    'CREATE INDEX learning_feedback_episode ON learning_feedback(episode_id)',
  ];
}

/**
 * Conversation state kept by the gateway (Responses and Conversations): the item text is sealed
 * (AES-256-GCM, by state/), labels stay readable so a later turn inherits them without opening
 * every item. Items belong to one container (a response or a conversation), in order.
 */
function stateTables(integer: string, bytes: string, strict: string): string[] {
  return [
    `CREATE TABLE state_responses (
      id TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      created_at ${integer} NOT NULL,
      expires_at ${integer},
      previous_response_id TEXT,
      conversation_id TEXT,
      labels TEXT NOT NULL,
      sealed ${bytes} NOT NULL
    )${strict}`,
    'CREATE INDEX state_responses_expiry ON state_responses(expires_at)',
    `CREATE TABLE state_conversations (
      id TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      created_at ${integer} NOT NULL,
      labels TEXT NOT NULL,
      next_position ${integer} NOT NULL,
      sealed ${bytes} NOT NULL
    )${strict}`,
    `CREATE TABLE state_items (
      id TEXT NOT NULL,
      container TEXT NOT NULL,
      position ${integer} NOT NULL,
      role TEXT NOT NULL,
      labels TEXT NOT NULL,
      created_at ${integer} NOT NULL,
      sealed ${bytes} NOT NULL,
      PRIMARY KEY (container, id)
    )${strict}`,
    'CREATE UNIQUE INDEX state_items_order ON state_items(container, position)',
    'CREATE INDEX state_items_id ON state_items(id)',
  ];
}

/** The action gate's table; a receipt id can be used once (UNIQUE: the replay guard, shared by replicas). */
function actionColumns(integer: string, real: string): string {
  return `id TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action TEXT NOT NULL,
    amount ${real},
    params_sha256 TEXT NOT NULL,
    payload TEXT NOT NULL,
    receipt_id TEXT UNIQUE,
    receipt_sha256 TEXT,
    signer TEXT,
    rule ${integer} NOT NULL,
    requirement TEXT NOT NULL,
    simulated ${integer} NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_name TEXT NOT NULL,
    created_at ${integer} NOT NULL,
    deadline_at ${integer},
    hold_index ${integer},
    verdict_index ${integer},
    decided_at ${integer},
    decided_by TEXT,
    approval TEXT,
    forward_state TEXT NOT NULL,
    downstream_status ${integer},
    downstream_error TEXT`;
}

/** The weights registry: one row per registered file (or external engine's model), with its signed manifest. */
function modelColumns(integer: string): string {
  return `name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    path TEXT,
    size ${integer},
    sha256 TEXT NOT NULL,
    metadata TEXT NOT NULL,
    envelope TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at ${integer} NOT NULL,
    verified_at ${integer},
    verified_size ${integer},
    verified_mtime_ms ${integer},
    verified_ino TEXT`;
}

/**
 * MCP tool definitions as first seen (pinned), and a changed one waiting for an admin (quarantined): the SHA-256 of
 * the canonical definition, and the definition itself, to show what changed.
 */
function toolPinColumns(integer: string): string {
  return `name TEXT PRIMARY KEY,
    server TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    definition TEXT NOT NULL,
    status TEXT NOT NULL,
    pending_sha256 TEXT,
    pending_definition TEXT,
    flag TEXT,
    pinned_at ${integer} NOT NULL,
    changed_at ${integer}`;
}

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return Object.fromEntries(Object.entries(steps).map(([name, byDialect]) => [name, byDialect[dialect]]));
}
