// The state store over Kysely, for both engines. Conversation appends take their positions from
// the conversation row in the same UPDATE … RETURNING, so two replicas appending at once each get
// their own range, never the same position.
import BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { ItemPage, NewItem, StateStore, StoredConversation, StoredItem, StoredResponse } from './state-store.js';

type Executor = Kysely<Database> | Transaction<Database>;

type SaveResponse = StateStore['saveResponse'];

class MissingConversation extends Error {}

/** Sets a response's sealed object, only while it is still `expected` when that is given. */
async function replaceSealed(
  executor: Executor,
  owner: string,
  id: string,
  sealed: Buffer,
  expected: Buffer | undefined,
): Promise<boolean> {
  let query = executor.updateTable('state_responses').set({ sealed }).where('id', '=', id).where('owner', '=', owner);
  if (expected) query = query.where('sealed', '=', expected);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export class KyselyStateStore implements StateStore {
  constructor(
    private readonly database: Kysely<Database>,
    /** A faster way to store a response, where the engine has one (SQLite, below). */
    private readonly fastSave?: (...args: Parameters<SaveResponse>) => boolean,
  ) {}

  async saveResponse(
    response: StoredResponse,
    items: readonly NewItem[],
    conversation?: { items: readonly NewItem[]; labels: readonly string[] },
  ): Promise<boolean> {
    if (this.fastSave) return this.fastSave(response, items, conversation);
    return this.saveResponseInTransaction(response, items, conversation);
  }

  private async saveResponseInTransaction(
    response: StoredResponse,
    items: readonly NewItem[],
    conversation?: { items: readonly NewItem[]; labels: readonly string[] },
  ): Promise<boolean> {
    return this.database.transaction().execute(async (transaction) => {
      if (conversation && response.conversationId) {
        const appended = await append(
          transaction,
          response.owner,
          response.conversationId,
          conversation.items,
          conversation.labels,
        );
        if (!appended) return false;
      }
      await transaction
        .insertInto('state_responses')
        .values({
          id: response.id,
          owner: response.owner,
          created_at: response.createdAt,
          expires_at: response.expiresAt,
          previous_response_id: response.previousResponseId,
          conversation_id: response.conversationId,
          labels: JSON.stringify(response.labels),
          sealed: response.sealed,
        })
        .execute();
      await insertItems(transaction, response.id, 0, items);
      return true;
    });
  }

  async response(owner: string, id: string, now: number): Promise<StoredResponse | undefined> {
    const row = await this.database
      .selectFrom('state_responses')
      .selectAll()
      .where('id', '=', id)
      .where('owner', '=', owner)
      .executeTakeFirst();
    if (!row || (row.expires_at !== null && Number(row.expires_at) <= now)) return undefined;
    return {
      id: row.id,
      owner: row.owner,
      createdAt: Number(row.created_at),
      expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      previousResponseId: row.previous_response_id,
      conversationId: row.conversation_id,
      labels: JSON.parse(row.labels) as string[],
      sealed: Buffer.from(row.sealed),
    };
  }

  async updateResponse(owner: string, id: string, sealed: Buffer, expected?: Buffer): Promise<boolean> {
    return replaceSealed(this.database, owner, id, sealed, expected);
  }

  async finishResponse(
    owner: string,
    id: string,
    update: { sealed: Buffer; expected: Buffer; items: readonly NewItem[]; position: number },
    conversation?: { id: string; items: readonly NewItem[]; labels: readonly string[] },
  ): Promise<'saved' | 'changed' | 'no_conversation'> {
    return this.database
      .transaction()
      .execute(async (transaction) => {
        if (!(await replaceSealed(transaction, owner, id, update.sealed, update.expected))) return 'changed';
        await insertItems(transaction, id, update.position, update.items);
        if (conversation) {
          const appended = await append(transaction, owner, conversation.id, conversation.items, conversation.labels);
          // Rolls the whole finish back: the response is not left finished without its conversation's items.
          if (!appended) throw new MissingConversation();
        }
        return 'saved' as const;
      })
      .catch((error: unknown) => {
        if (error instanceof MissingConversation) return 'no_conversation' as const;
        throw error;
      });
  }

  deleteResponse(owner: string, id: string): Promise<boolean> {
    return this.deleteWithItems('state_responses', owner, id);
  }

  /** Removes an owner's response or conversation and, in the same transaction, its items (their text with them). */
  private deleteWithItems(
    table: 'state_responses' | 'state_conversations',
    owner: string,
    id: string,
  ): Promise<boolean> {
    return this.database.transaction().execute(async (transaction) => {
      const result = await transaction
        .deleteFrom(table)
        .where('id', '=', id)
        .where('owner', '=', owner)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await transaction.deleteFrom('state_items').where('container', '=', id).execute();
      return true;
    });
  }

  async itemsOf(containers: readonly string[]): Promise<StoredItem[]> {
    if (containers.length === 0) return [];
    const rows = await this.database
      .selectFrom('state_items')
      .selectAll()
      .where('container', 'in', [...containers])
      .orderBy('position')
      .execute();
    const order = new Map(containers.map((container, index) => [container, index]));
    return rows
      .map(toItem)
      .sort((a, b) => order.get(a.container)! - order.get(b.container)! || a.position - b.position);
  }

  async itemPage(
    container: string,
    options: { after?: string; limit: number; order: 'asc' | 'desc'; role?: string },
  ): Promise<ItemPage> {
    let query = this.database.selectFrom('state_items').selectAll().where('container', '=', container);
    if (options.role) query = query.where('role', '=', options.role);
    if (options.after) {
      const cursor = await this.database
        .selectFrom('state_items')
        .select('position')
        .where('container', '=', container)
        .where('id', '=', options.after)
        .executeTakeFirst();
      // An unknown cursor gives an empty page rather than the first one again (a client would loop).
      if (!cursor) return { items: [], hasMore: false };
      query = query.where('position', options.order === 'asc' ? '>' : '<', Number(cursor.position));
    }
    const rows = await query
      .orderBy('position', options.order)
      .limit(options.limit + 1)
      .execute();
    return { items: rows.slice(0, options.limit).map(toItem), hasMore: rows.length > options.limit };
  }

  async itemsById(owner: string, ids: readonly string[]): Promise<StoredItem[]> {
    if (ids.length === 0) return [];
    const rows = await this.database
      .selectFrom('state_items')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    const containers = [...new Set(rows.map((row) => row.container))];
    if (containers.length === 0) return [];
    const [responses, conversations] = await Promise.all([
      this.database
        .selectFrom('state_responses')
        .select('id')
        .where('id', 'in', containers)
        .where('owner', '=', owner)
        .execute(),
      this.database
        .selectFrom('state_conversations')
        .select('id')
        .where('id', 'in', containers)
        .where('owner', '=', owner)
        .execute(),
    ]);
    const owned = new Set([...responses, ...conversations].map((row) => row.id));
    return rows.filter((row) => owned.has(row.container)).map(toItem);
  }

  async createConversation(conversation: StoredConversation, items: readonly NewItem[]): Promise<void> {
    await this.database.transaction().execute(async (transaction) => {
      await transaction
        .insertInto('state_conversations')
        .values({
          id: conversation.id,
          owner: conversation.owner,
          created_at: conversation.createdAt,
          labels: JSON.stringify(conversation.labels),
          next_position: items.length,
          sealed: conversation.sealed,
        })
        .execute();
      await insertItems(transaction, conversation.id, 0, items);
    });
  }

  async conversation(owner: string, id: string): Promise<StoredConversation | undefined> {
    const row = await this.database
      .selectFrom('state_conversations')
      .selectAll()
      .where('id', '=', id)
      .where('owner', '=', owner)
      .executeTakeFirst();
    return row && toConversation(row);
  }

  async updateConversation(owner: string, id: string, sealed: Buffer): Promise<StoredConversation | undefined> {
    await this.database
      .updateTable('state_conversations')
      .set({ sealed })
      .where('id', '=', id)
      .where('owner', '=', owner)
      .execute();
    return this.conversation(owner, id);
  }

  deleteConversation(owner: string, id: string): Promise<boolean> {
    return this.deleteWithItems('state_conversations', owner, id);
  }

  async appendConversationItems(
    owner: string,
    id: string,
    items: readonly NewItem[],
  ): Promise<StoredItem[] | undefined> {
    return this.database.transaction().execute((transaction) =>
      append(
        transaction,
        owner,
        id,
        items,
        items.flatMap((item) => item.labels),
      ),
    );
  }

  async deleteConversationItem(owner: string, conversationId: string, itemId: string): Promise<boolean> {
    if (!(await this.conversation(owner, conversationId))) return false;
    const result = await this.database
      .deleteFrom('state_items')
      .where('container', '=', conversationId)
      .where('id', '=', itemId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async purgeExpiredResponses(now: number): Promise<number> {
    return this.database.transaction().execute(async (transaction) => {
      const expired = await transaction
        .selectFrom('state_responses')
        .select('id')
        .where('expires_at', '<=', now)
        .execute();
      if (expired.length === 0) return 0;
      const ids = expired.map((row) => row.id);
      await transaction.deleteFrom('state_items').where('container', 'in', ids).execute();
      await transaction.deleteFrom('state_responses').where('id', 'in', ids).execute();
      return ids.length;
    });
  }
}

/**
 * Takes the next positions from the conversation row itself, then inserts; undefined when this owner has no such
 * conversation.
 */
async function append(
  executor: Executor,
  owner: string,
  id: string,
  items: readonly NewItem[],
  labels: readonly string[],
): Promise<StoredItem[] | undefined> {
  const reserved = await executor
    .updateTable('state_conversations')
    .set((update) => ({ next_position: update('next_position', '+', items.length) }))
    .where('id', '=', id)
    .where('owner', '=', owner)
    .returning(['next_position', 'labels'])
    .executeTakeFirst();
  if (!reserved) return undefined;
  const merged = mergedLabels(reserved.labels, labels);
  if (merged !== undefined)
    await executor
      .updateTable('state_conversations')
      .set({ labels: JSON.stringify(merged) })
      .where('id', '=', id)
      .execute();
  const start = Number(reserved.next_position) - items.length;
  return insertItems(executor, id, start, items);
}

/** A conversation's stored labels (JSON) with `added` taken in, or undefined when they add nothing. */
function mergedLabels(stored: string, added: readonly string[]): string[] | undefined {
  const known = JSON.parse(stored) as string[];
  const merged = [...new Set([...known, ...added])].sort();
  return merged.length === known.length ? undefined : merged;
}

async function insertItems(
  executor: Executor,
  container: string,
  start: number,
  items: readonly NewItem[],
): Promise<StoredItem[]> {
  const stored = items.map((item, index) => ({ ...item, container, position: start + index }));
  if (stored.length > 0) {
    await executor
      .insertInto('state_items')
      .values(
        stored.map((item) => ({
          id: item.id,
          container,
          position: item.position,
          role: item.role,
          labels: JSON.stringify(item.labels),
          created_at: item.createdAt,
          sealed: item.sealed,
        })),
      )
      .execute();
  }
  return stored;
}

function toItem(row: {
  id: string;
  container: string;
  position: number;
  role: string;
  labels: string;
  created_at: number;
  sealed: Uint8Array;
}): StoredItem {
  return {
    id: row.id,
    container: row.container,
    position: Number(row.position),
    role: row.role,
    labels: JSON.parse(row.labels) as string[],
    createdAt: Number(row.created_at),
    sealed: Buffer.from(row.sealed),
  };
}

function toConversation(row: {
  id: string;
  owner: string;
  created_at: number;
  labels: string;
  sealed: Uint8Array;
}): StoredConversation {
  return {
    id: row.id,
    owner: row.owner,
    createdAt: Number(row.created_at),
    labels: JSON.parse(row.labels) as string[],
    sealed: Buffer.from(row.sealed),
  };
}

/**
 * Storing a response on SQLite, on its own connection with synchronous=NORMAL: the transaction
 * writes the WAL without syncing it. A stored response is always followed by its call's ledger
 * entry, whose append fdatasyncs the same WAL (createSqliteLedgerAppender): the response is on disk
 * before a non-streamed answer leaves, and by a stream's closing entry (it is committed, visible to
 * every connection, before the terminal event), without a second sync per call. Measured:
 * Kysely's transaction with synchronous=FULL added ~2 ms to each Responses call (1.8–2.4× a chat call's
 * added latency); this way the Responses call costs about what a chat call does.
 */
export function sqliteResponseWriter(file: string): {
  save: (...args: Parameters<SaveResponse>) => boolean;
  close(): void;
} {
  let database: BetterSqlite3.Database | undefined;
  let save: ((...args: Parameters<SaveResponse>) => boolean) | undefined;
  const prepare = (): ((...args: Parameters<SaveResponse>) => boolean) => {
    database = new BetterSqlite3(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    const insertResponse = database.prepare(
      'INSERT INTO state_responses (id, owner, created_at, expires_at, previous_response_id, conversation_id, labels, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertItem = database.prepare(
      'INSERT INTO state_items (id, container, position, role, labels, created_at, sealed) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const reserve = database.prepare<[number, string, string], { next_position: number; labels: string }>(
      'UPDATE state_conversations SET next_position = next_position + ? WHERE id = ? AND owner = ? RETURNING next_position, labels',
    );
    const setLabels = database.prepare('UPDATE state_conversations SET labels = ? WHERE id = ?');
    const transaction = database.transaction(
      (...[response, items, conversation]: Parameters<SaveResponse>): boolean => {
        if (conversation && response.conversationId) {
          const reserved = reserve.get(conversation.items.length, response.conversationId, response.owner);
          if (!reserved) return false;
          const merged = mergedLabels(reserved.labels, conversation.labels);
          if (merged !== undefined) setLabels.run(JSON.stringify(merged), response.conversationId);
          const start = reserved.next_position - conversation.items.length;
          conversation.items.forEach((item, index) => {
            insertItem.run(
              item.id,
              response.conversationId,
              start + index,
              item.role,
              JSON.stringify(item.labels),
              item.createdAt,
              item.sealed,
            );
          });
        }
        insertResponse.run(
          response.id,
          response.owner,
          response.createdAt,
          response.expiresAt,
          response.previousResponseId,
          response.conversationId,
          JSON.stringify(response.labels),
          response.sealed,
        );
        items.forEach((item, index) => {
          insertItem.run(
            item.id,
            response.id,
            index,
            item.role,
            JSON.stringify(item.labels),
            item.createdAt,
            item.sealed,
          );
        });
        return true;
      },
    );
    return (...args) => transaction.immediate(...args);
  };
  return {
    save(...args) {
      save ??= prepare();
      return save(...args);
    },
    close() {
      database?.close();
    },
  };
}
