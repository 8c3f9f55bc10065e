// The learning store over Kysely, for both engines. Captures are read a page at a time in
// (created_at, id) order, so an export of any size streams with bounded memory.
import type { Kysely, Selectable } from 'kysely';
import type { CaptureQuery, LearningStore, StoredCapture, StoredFeedback } from './learning-store.js';
import type { CapturesTable, Database, FeedbackTable } from './schema.js';

function captureOf(row: Selectable<CapturesTable>): StoredCapture {
  return {
    id: row.id,
    tenant: row.tenant,
    keyId: row.key_id,
    receipt: row.receipt === null ? null : Number(row.receipt),
    responseId: row.response_id,
    episodeId: row.episode_id,
    alias: row.alias,
    provider: row.provider,
    model: row.model,
    ownership: row.ownership,
    role: row.role === 'shadow' ? 'shadow' : 'primary',
    pairOf: row.pair_of,
    labels: JSON.parse(row.labels) as string[],
    promptSha256: row.prompt_sha256,
    latencyMs: Number(row.latency_ms),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cost: row.cost === null ? null : Number(row.cost),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    sealed: Buffer.from(row.sealed),
  };
}

function feedbackOf(row: Selectable<FeedbackTable>): StoredFeedback {
  return {
    id: row.id,
    tenant: row.tenant,
    keyId: row.key_id,
    metric: row.metric,
    captureId: row.capture_id,
    episodeId: row.episode_id,
    sealed: Buffer.from(row.sealed),
    ledgerIndex: Number(row.ledger_index),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export class KyselyLearningStore implements LearningStore {
  constructor(private readonly database: Kysely<Database>) {}

  async saveCapture(capture: StoredCapture): Promise<void> {
    await this.database
      .insertInto('learning_captures')
      .values({
        id: capture.id,
        tenant: capture.tenant,
        key_id: capture.keyId,
        receipt: capture.receipt,
        response_id: capture.responseId,
        episode_id: capture.episodeId,
        alias: capture.alias,
        provider: capture.provider,
        model: capture.model,
        ownership: capture.ownership,
        role: capture.role,
        pair_of: capture.pairOf,
        labels: JSON.stringify(capture.labels),
        prompt_sha256: capture.promptSha256,
        latency_ms: Math.round(capture.latencyMs),
        input_tokens: capture.inputTokens,
        output_tokens: capture.outputTokens,
        cost: capture.cost,
        created_at: capture.createdAt,
        expires_at: capture.expiresAt,
        sealed: capture.sealed,
      })
      .execute();
  }

  async captureBy(
    by: { receipt: number } | { responseId: string } | { id: string },
    tenant: string | undefined,
    now: number,
  ): Promise<StoredCapture | undefined> {
    let query = this.database.selectFrom('learning_captures').selectAll().where('expires_at', '>', now);
    if ('receipt' in by) query = query.where('receipt', '=', by.receipt).where('role', '=', 'primary');
    else if ('responseId' in by) query = query.where('response_id', '=', by.responseId).where('role', '=', 'primary');
    else query = query.where('id', '=', by.id);
    if (tenant !== undefined) query = query.where('tenant', '=', tenant);
    const row = await query.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    return row && captureOf(row);
  }

  async episodeExpiry(episodeId: string, tenant: string | undefined, now: number): Promise<number | undefined> {
    let query = this.database
      .selectFrom('learning_captures')
      .select('expires_at')
      .where('episode_id', '=', episodeId)
      .where('expires_at', '>', now);
    if (tenant !== undefined) query = query.where('tenant', '=', tenant);
    const row = await query.orderBy('expires_at', 'desc').limit(1).executeTakeFirst();
    return row === undefined ? undefined : Number(row.expires_at);
  }

  async shadowOf(captureId: string): Promise<StoredCapture | undefined> {
    const row = await this.database
      .selectFrom('learning_captures')
      .selectAll()
      .where('pair_of', '=', captureId)
      .limit(1)
      .executeTakeFirst();
    return row && captureOf(row);
  }

  async captures(
    query: CaptureQuery,
    after: { createdAt: number; id: string } | undefined,
    limit: number,
  ): Promise<StoredCapture[]> {
    let select = this.database.selectFrom('learning_captures').selectAll().where('expires_at', '>', query.now);
    if (query.since !== undefined) select = select.where('created_at', '>=', query.since);
    if (query.alias !== undefined) select = select.where('alias', '=', query.alias);
    if (query.role !== undefined) select = select.where('role', '=', query.role);
    if (query.paired)
      select = select.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('learning_captures as shadow')
            .select('shadow.id')
            .whereRef('shadow.pair_of', '=', 'learning_captures.id'),
        ),
      );
    if (after)
      select = select.where(({ eb, or, and }) =>
        or([
          eb('created_at', '>', after.createdAt),
          and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
        ]),
      );
    const rows = await select.orderBy('created_at').orderBy('id').limit(limit).execute();
    return rows.map(captureOf);
  }

  async saveFeedback(feedback: StoredFeedback): Promise<void> {
    await this.database
      .insertInto('learning_feedback')
      .values({
        id: feedback.id,
        tenant: feedback.tenant,
        key_id: feedback.keyId,
        metric: feedback.metric,
        capture_id: feedback.captureId,
        episode_id: feedback.episodeId,
        sealed: feedback.sealed,
        ledger_index: feedback.ledgerIndex,
        created_at: feedback.createdAt,
        expires_at: feedback.expiresAt,
      })
      .execute();
  }

  async setFeedbackIndex(id: string, ledgerIndex: number): Promise<void> {
    await this.database
      .updateTable('learning_feedback')
      .set({ ledger_index: ledgerIndex })
      .where('id', '=', id)
      .execute();
  }

  async deleteFeedback(id: string): Promise<void> {
    await this.database.deleteFrom('learning_feedback').where('id', '=', id).execute();
  }

  async feedbackFor(targets: {
    captureIds: readonly string[];
    episodeIds: readonly string[];
  }): Promise<StoredFeedback[]> {
    if (targets.captureIds.length === 0 && targets.episodeIds.length === 0) return [];
    const rows = await this.database
      .selectFrom('learning_feedback')
      .selectAll()
      .where(({ eb, or, and }) =>
        or([
          ...(targets.captureIds.length > 0 ? [eb('capture_id', 'in', [...targets.captureIds])] : []),
          ...(targets.episodeIds.length > 0
            ? [and([eb('capture_id', 'is', null), eb('episode_id', 'in', [...targets.episodeIds])])]
            : []),
        ]),
      )
      .where('ledger_index', '>=', 0)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(feedbackOf);
  }

  async expireCaptures(now: number): Promise<number> {
    const result = await this.database
      .deleteFrom('learning_captures')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    // Feedback goes with what it is on (a demonstration or a comment is text about the call).
    await this.database.deleteFrom('learning_feedback').where('expires_at', '<=', now).execute();
    return Number(result.numDeletedRows);
  }
}
