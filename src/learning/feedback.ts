// Feedback on captured calls: a declared metric (boolean or float, on a call or a whole episode),
// a comment, a demonstration (a corrected answer) or a preference between two answers to one
// prompt. Each feedback names exactly one target the key may see, is sealed at rest (comments and
// demonstrations are text), and is itself a ledger entry (the SHA-256 of its value, its author, the
// receipt index of the call it is on), so a dataset's provenance can be proved.
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import { GatewayError } from '../core/errors.js';
import type { EntryRecord } from '../ledger/entry.js';
import { learningEntry } from '../ledger/entry.js';
import { sha256Hex } from '../ledger/hash.js';
import type { LearningStore, StoredCapture, StoredFeedback } from '../store/learning-store.js';
import type { CaptureSealer } from './capture.js';
import type { FeedbackRecord, MetricDefinition } from './types.js';

/** Who gives or reads feedback: a key's tenant (captures and feedback are bound to it). */
export interface FeedbackAuthor {
  tenant: string;
  keyId: string | null;
}

export interface FeedbackServiceOptions {
  store: LearningStore;
  sealer: CaptureSealer;
  metrics: Readonly<Record<string, MetricDefinition>>;
  append: (record: EntryRecord, keyId: string | null) => Promise<number>;
  now: () => number;
  policyHash: string;
}

/** Feedback as the API shows it. */
export interface FeedbackView {
  id: string;
  object: 'feedback';
  created_at: number;
  metric: string;
  value: unknown;
  target: { receipt?: number; response_id?: string; episode_id: string; capture_id?: string };
  /** The ledger index of the feedback's own entry. */
  ledger_index: number;
}

const demonstrationLimit = 1 << 20;
const commentLimit = 64 * 1024;

const invalid = (message: string, param: string): GatewayError =>
  new GatewayError('invalid_request', message, { param });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A target as given: a receipt index, a response id or an episode id (exactly one). */
type Target = { receipt: number } | { response_id: string } | { episode_id: string };

const targetNames = ['receipt', 'response_id', 'episode_id'] as const;

/** A target as given at `prefix` ('' for the body's own, 'value.chosen.' inside a preference). */
function targetOf(raw: Record<string, unknown>, prefix: string): Target {
  const given = targetNames.filter((name) => raw[name] !== undefined);
  if (given.length !== 1)
    throw invalid(
      `Invalid target${prefix ? ` '${prefix.slice(0, -1)}'` : ''}: name exactly one of receipt (the x-sovereign-receipt of a call), response_id or episode_id.`,
      `${prefix}${given.length === 0 ? 'receipt' : given[1]!}`,
    );
  const name = given[0]!;
  const value = raw[name];
  if (name === 'receipt') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw invalid(
        `Invalid '${prefix}receipt': expected a ledger index (a non-negative integer).`,
        `${prefix}receipt`,
      );
    return { receipt: value };
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 256)
    throw invalid(`Invalid '${prefix}${name}': expected a non-empty string.`, `${prefix}${name}`);
  return name === 'response_id' ? { response_id: value } : { episode_id: value };
}

/** A tool call of a demonstration: a function's name and its arguments as a JSON text. */
function isToolCall(value: unknown): boolean {
  if (!isObject(value) || (value.type !== undefined && value.type !== 'function')) return false;
  if (value.id !== undefined && typeof value.id !== 'string') return false;
  const call = value.function;
  return (
    isObject(call) &&
    typeof call.name === 'string' &&
    call.name.length > 0 &&
    (typeof call.arguments === 'string' || isObject(call.arguments))
  );
}

export class FeedbackService {
  constructor(private readonly options: FeedbackServiceOptions) {}

  /** The metrics accepted: the declared ones and the reserved ones. */
  get metricNames(): string[] {
    return [...Object.keys(this.options.metrics), 'comment', 'demonstration', 'preference'];
  }

  private async capture(target: Target, author: FeedbackAuthor): Promise<StoredCapture | undefined> {
    const now = this.options.now();
    if ('receipt' in target) return this.options.store.captureBy({ receipt: target.receipt }, author.tenant, now);
    if ('response_id' in target)
      return this.options.store.captureBy({ responseId: target.response_id }, author.tenant, now);
    return undefined;
  }

  /** Resolves a target the author may see, or 404; with when what it is on expires (the feedback goes with it). */
  private async resolve(
    target: Target,
    author: FeedbackAuthor,
    prefix = '',
  ): Promise<{ capture?: StoredCapture; episode: string; expiresAt: number }> {
    if ('episode_id' in target) {
      const expiresAt = await this.options.store.episodeExpiry(target.episode_id, author.tenant, this.options.now());
      if (expiresAt === undefined)
        throw new GatewayError('feedback_target_not_found', 'No captured episode of this key has this episode_id.', {
          param: `${prefix}episode_id`,
        });
      return { episode: target.episode_id, expiresAt };
    }
    const capture = await this.capture(target, author);
    if (!capture)
      throw new GatewayError(
        'feedback_target_not_found',
        'receipt' in target
          ? 'No captured call of this key has this receipt index.'
          : 'No captured call of this key has this response_id.',
        { param: `${prefix}${'receipt' in target ? 'receipt' : 'response_id'}` },
      );
    return { capture, episode: capture.episodeId, expiresAt: capture.expiresAt };
  }

  /** Checks a value against its metric; the value as stored. */
  private valueOf(metric: string, value: unknown, level: 'inference' | 'episode'): unknown {
    if (metric === 'comment') {
      if (typeof value !== 'string' || value.length === 0 || value.length > commentLimit)
        throw invalid(
          `Invalid 'value': a comment is a non-empty string of at most ${commentLimit} characters.`,
          'value',
        );
      return value;
    }
    if (metric === 'demonstration') {
      if (level === 'episode')
        throw invalid('A demonstration is on one call: name its receipt or response_id.', 'metric');
      if (typeof value === 'string' && value.trim().length > 0 && value.length <= demonstrationLimit) return value;
      const text = isObject(value) && typeof value.content === 'string' && value.content.trim().length > 0;
      const calls =
        isObject(value) &&
        Array.isArray(value.tool_calls) &&
        value.tool_calls.length > 0 &&
        value.tool_calls.every(isToolCall);
      if (
        isObject(value) &&
        value.role === 'assistant' &&
        (typeof value.content === 'string' || value.content === null || value.content === undefined) &&
        (value.tool_calls === undefined || calls) &&
        (text || calls) &&
        JSON.stringify(value).length <= demonstrationLimit
      )
        return {
          role: 'assistant',
          content: value.content ?? null,
          ...(value.tool_calls ? { tool_calls: value.tool_calls } : {}),
        };
      throw invalid(
        'Invalid \'value\': a demonstration is the corrected answer, as text or as an assistant message ({"role": "assistant", "content": …}).',
        'value',
      );
    }
    const definition = Object.hasOwn(this.options.metrics, metric) ? this.options.metrics[metric] : undefined;
    if (!definition)
      throw invalid(
        `Unknown metric '${metric}': declare it under feedback.metrics (accepted: ${this.metricNames.join(', ')}).`,
        'metric',
      );
    if (definition.level !== level)
      throw invalid(
        `The metric '${metric}' is given on ${definition.level === 'episode' ? 'an episode: name its episode_id' : 'one call: name its receipt or response_id'}.`,
        definition.level === 'episode' ? 'episode_id' : 'receipt',
      );
    if (definition.type === 'boolean' && typeof value !== 'boolean')
      throw invalid(`Invalid 'value': the metric '${metric}' is boolean (true or false).`, 'value');
    if (definition.type === 'float' && (typeof value !== 'number' || !Number.isFinite(value)))
      throw invalid(`Invalid 'value': the metric '${metric}' is a number.`, 'value');
    return value;
  }

  /** POST /v1/feedback. */
  async give(author: FeedbackAuthor, body: unknown): Promise<FeedbackView> {
    if (!isObject(body)) throw invalid('The request body must be a JSON object.', 'body');
    const metric = body.metric;
    if (typeof metric !== 'string' || metric.length === 0)
      throw invalid("Missing required parameter: 'metric'.", 'metric');
    if (!('value' in body)) throw invalid("Missing required parameter: 'value'.", 'value');
    for (const key of Object.keys(body))
      if (!['metric', 'value', 'receipt', 'response_id', 'episode_id'].includes(key))
        throw invalid(`Unknown parameter: '${key}'.`, key);
    let stored: unknown;
    let resolved: { capture?: StoredCapture; episode: string; expiresAt: number };
    if (metric === 'preference') {
      const stray = targetNames.find((name) => body[name] !== undefined);
      if (stray)
        throw invalid(
          'A preference names its two answers in value.chosen and value.rejected, and no other target.',
          stray,
        );
      ({ stored, resolved } = await this.preference(author, body));
    } else {
      const target = targetOf(body, '');
      resolved = await this.resolve(target, author);
      stored = this.valueOf(metric, body.value, 'episode_id' in target ? 'episode' : 'inference');
    }
    const id = `fb_${randomUUID().replaceAll('-', '')}`;
    const createdAt = this.options.now();
    const record: StoredFeedback = {
      id,
      tenant: author.tenant,
      keyId: author.keyId,
      metric,
      captureId: resolved.capture?.id ?? null,
      episodeId: resolved.episode,
      sealed: this.options.sealer.seal(JSON.stringify(stored), id),
      ledgerIndex: -1,
      createdAt,
      expiresAt: resolved.expiresAt,
    };
    // Stored first, unread until its entry is durable: an entry never names a feedback that was lost, and a feedback
    // whose entry failed is removed again (the client is told to retry).
    await this.options.store.saveFeedback(record);
    let ledgerIndex: number;
    try {
      ledgerIndex = await this.options.append(
        learningEntry('feedback', {
          time: createdAt,
          requestId: id,
          tenant: author.tenant,
          policyHash: this.options.policyHash,
          learning: {
            feedback_id: id,
            metric,
            value_sha256: sha256Hex(canonicalJson(stored)),
            target_index: resolved.capture?.receipt ?? null,
          },
        }),
        author.keyId,
      );
    } catch (error) {
      await this.options.store.deleteFeedback(id);
      throw new GatewayError('ledger_unavailable', 'The ledger could not record this feedback, so it was not kept.', {
        cause: error,
        retryAfterSeconds: 1,
      });
    }
    await this.options.store.setFeedbackIndex(id, ledgerIndex);
    return viewOf(this.open({ ...record, ledgerIndex }), resolved.capture);
  }

  /** A preference: two answers to one prompt, both the author's; the chosen one is the feedback's target. */
  private async preference(
    author: FeedbackAuthor,
    body: Record<string, unknown>,
  ): Promise<{ stored: unknown; resolved: { capture: StoredCapture; episode: string; expiresAt: number } }> {
    const value = body.value;
    if (!isObject(value) || !isObject(value.chosen) || !isObject(value.rejected))
      throw invalid(
        'Invalid \'value\': a preference is {"chosen": <target>, "rejected": <target>}, each target a receipt or a response_id.',
        'value',
      );
    const sides: StoredCapture[] = [];
    for (const side of ['chosen', 'rejected'] as const) {
      const target = targetOf(value[side] as Record<string, unknown>, `value.${side}.`);
      if ('episode_id' in target)
        throw invalid(
          `Invalid 'value.${side}': a preference is between two calls, not episodes.`,
          `value.${side}.episode_id`,
        );
      const { capture } = await this.resolve(target, author, `value.${side}.`);
      sides.push(capture!);
    }
    const [chosen, rejected] = sides as [StoredCapture, StoredCapture];
    if (chosen.id === rejected.id) throw invalid('A preference needs two different answers.', 'value.rejected');
    if (chosen.promptSha256 !== rejected.promptSha256)
      throw invalid('A preference is between two answers to the same prompt; these answer different prompts.', 'value');
    return {
      stored: { chosen: chosen.id, rejected: rejected.id },
      // Kept as long as both answers are.
      resolved: {
        capture: chosen,
        episode: chosen.episodeId,
        expiresAt: Math.min(chosen.expiresAt, rejected.expiresAt),
      },
    };
  }

  /** GET /v1/feedback?receipt=…|response_id=…|episode_id=… (or target=…): the author's feedback on that target. */
  async list(author: FeedbackAuthor, query: URLSearchParams): Promise<FeedbackView[]> {
    const raw: Record<string, unknown> = {};
    const target = query.get('target');
    const named = targetNames.filter((name) => query.has(name));
    if ((target !== null ? 1 : 0) + named.length !== 1)
      throw invalid(
        'Name exactly one target: receipt, response_id, episode_id (or target= with any of them).',
        named[target !== null ? 0 : 1] ?? 'target',
      );
    if (target !== null) {
      if (/^\d+$/.test(target)) raw.receipt = Number(target);
      else if (target.startsWith('resp_')) raw.response_id = target;
      else raw.episode_id = target;
    }
    for (const name of ['response_id', 'episode_id'] as const) if (query.has(name)) raw[name] = query.get(name);
    if (query.has('receipt')) {
      const text = query.get('receipt')!;
      raw.receipt = /^\d+$/.test(text) ? Number(text) : text;
    }
    const resolved = await this.resolve(targetOf(raw, ''), author);
    const rows = await this.options.store.feedbackFor(
      resolved.capture
        ? { captureIds: [resolved.capture.id], episodeIds: [] }
        : { captureIds: [], episodeIds: [resolved.episode] },
    );
    return rows.filter((row) => row.tenant === author.tenant).map((row) => viewOf(this.open(row), resolved.capture));
  }

  /** A stored feedback with its value opened. */
  open(row: StoredFeedback): FeedbackRecord {
    const { sealed, ...rest } = row;
    return { ...rest, value: JSON.parse(this.options.sealer.open(sealed, row.id)) as unknown };
  }
}

function viewOf(record: FeedbackRecord, capture: StoredCapture | undefined): FeedbackView {
  return {
    id: record.id,
    object: 'feedback',
    created_at: Math.floor(record.createdAt / 1000),
    metric: record.metric,
    value: record.value,
    target: {
      ...(capture?.receipt !== null && capture?.receipt !== undefined ? { receipt: capture.receipt } : {}),
      ...(capture?.responseId ? { response_id: capture.responseId } : {}),
      episode_id: record.episodeId,
      ...(record.captureId ? { capture_id: record.captureId } : {}),
    },
    ledger_index: record.ledgerIndex,
  };
}
