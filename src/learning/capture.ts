// Capture: the text of a call that passed through, kept for feedback and datasets, sealed at rest
// like stored responses. Opt-in (capture.enabled, globally or per alias), bound by the policy's
// labels (a call carrying an excluded label is never kept; values of redacted labels are replaced
// before storage), and off the answer's path: a capture is queued after the answer has left, stored
// by a bounded queue that drops (and counts) rather than grows, and never fails a call.
import { createHash, randomUUID } from 'node:crypto';
import type { ChatMessage, ToolDefinition } from '../core/chat.js';
import { canonicalJson } from '../core/canonical-json.js';
import { estimateTokens } from '../core/token-estimate.js';
import { detect } from '../policy/detectors.js';
import { labelMatches } from '../policy/policy.js';
import type { LearningStore, StoredCapture } from '../store/learning-store.js';
import { Scrubber } from './dataset.js';
import type { CapturedCall, CapturedText, CaptureRole, CaptureSummary } from './types.js';

export interface CaptureSettings {
  enabled: boolean;
  retentionDays: number;
  excludeLabels: readonly string[];
  redactLabels: readonly string[];
}

/** Seals and opens capture text with the gateway's state key; the row's id is bound in (see state/sealing.ts). */
export interface CaptureSealer {
  seal(plain: string, id: string): Buffer;
  open(sealed: Buffer, id: string): string;
}

/** One call to keep, as the pipeline hands it over after the answer left. */
export interface CaptureInput {
  tenant: string;
  keyId: string | null;
  receipt: number | null;
  responseId: string | null;
  /** A conversation id or the client's x-sovereign-episode; none: the capture is its own episode. */
  episodeId: string | undefined;
  alias: string;
  provider: string;
  model: string;
  ownership: string;
  role: CaptureRole;
  pairOf?: string;
  labels: readonly string[];
  messages: readonly ChatMessage[];
  tools?: readonly ToolDefinition[];
  answer: ChatMessage;
  latencyMs: number;
  /** null when the upstream reported no usage (a stream the client asked no usage of): estimated when stored. */
  inputTokens: number | null;
  outputTokens: number | null;
  /** The provider's prices per million tokens, for the cost. */
  prices?: { input: number; output: number };
  /** The id to store it under (a primary capture's id is known before it is stored, so its shadow can name it). */
  id?: string;
}

/** A label is covered by a listed one when it is that label or under it ("pii" covers "pii.email"). */
export function coveredBy(label: string, listed: readonly string[]): boolean {
  return listed.some((entry) => labelMatches(entry, label));
}

/** The prompt's digest: two answers to one prompt (a call and its shadow) share it. */
export function promptDigest(messages: readonly ChatMessage[], tools: readonly ToolDefinition[] | undefined): string {
  return createHash('sha256')
    .update(canonicalJson({ messages, tools: tools ?? [] }))
    .digest('hex');
}

/**
 * Every string of a value (keys, JSON texts such as tool-call arguments, decoded forms and files read as the
 * detectors read them) with the values of the given labels replaced by placeholders; the labels replaced.
 */
export function redactLabels<T>(value: T, labels: readonly string[]): { value: T; redacted: string[] } {
  const scrubber = new Scrubber({ labels, placeholder: (label, number) => `[redacted ${label} ${number}]` });
  const redacted = scrubber.scrub(value);
  return { value: redacted, redacted: Object.keys(scrubber.counts).sort() };
}

/** Labels the detectors find in an answer (an answer can carry what the prompt did not: a secret, an e-mail). */
export function answerLabels(answer: ChatMessage): string[] {
  const texts: string[] = [];
  if (typeof answer.content === 'string') texts.push(answer.content);
  else
    for (const part of answer.content ?? []) if ('text' in part && typeof part.text === 'string') texts.push(part.text);
  for (const call of answer.tool_calls ?? []) texts.push(call.function.name, call.function.arguments);
  return [...new Set(texts.flatMap((text) => detect(text).map((span) => span.label)))];
}

export interface CapturerOptions {
  store: LearningStore;
  sealer: CaptureSealer;
  now: () => number;
  /** The settings in force for an alias (the top-level ones, with the alias's overrides). */
  settingsFor: (alias: string) => CaptureSettings;
  maxPending: number;
  onError: (error: unknown) => void;
  /** Counts what happened to each capture: stored, dropped (queue full), failed, excluded. */
  onOutcome?: (outcome: 'stored' | 'dropped' | 'failed' | 'excluded') => void;
}

export class Capturer {
  private pending = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: CapturerOptions) {}

  /** The settings in force for an alias. */
  settingsFor(alias: string): CaptureSettings {
    return this.options.settingsFor(alias);
  }

  /** Whether a call of this alias carrying these labels is captured at all. */
  wants(alias: string, labels: readonly string[]): boolean {
    const settings = this.options.settingsFor(alias);
    if (!settings.enabled) return false;
    if (labels.some((label) => coveredBy(label, settings.excludeLabels))) {
      this.options.onOutcome?.('excluded');
      return false;
    }
    return true;
  }

  /** A new capture id (for a primary capture its shadow will name). */
  newId(): string {
    return `cap_${randomUUID().replaceAll('-', '')}`;
  }

  /**
   * Queues a capture; returns its id, or undefined when the queue is full (the capture is dropped, the call is not
   * touched). The work starts on a later turn of the event loop, after the answer has been written.
   */
  enqueue(input: CaptureInput): string | undefined {
    if (this.pending >= this.options.maxPending) {
      this.options.onOutcome?.('dropped');
      return undefined;
    }
    const id = input.id ?? this.newId();
    this.pending += 1;
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.store(id, input))
      .then(
        (stored) => this.options.onOutcome?.(stored ? 'stored' : 'excluded'),
        (error: unknown) => {
          this.options.onOutcome?.('failed');
          this.options.onError(error);
        },
      )
      .finally(() => {
        this.pending -= 1;
        this.inFlight.delete(work);
      });
    this.inFlight.add(work);
    return id;
  }

  /** Resolves once every queued capture is stored (or has failed): at shutdown, and in tests. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async store(id: string, input: CaptureInput): Promise<boolean> {
    const settings = this.options.settingsFor(input.alias);
    // The answer is read here, off the call's path: one carrying an excluded label (a secret the model wrote) is not
    // kept either, and its labels join the capture's.
    const found = answerLabels(input.answer);
    if (found.some((label) => coveredBy(label, settings.excludeLabels))) return false;
    const labels = [...new Set([...input.labels, ...found])].sort();
    let { inputTokens, outputTokens } = input;
    if (inputTokens === null || outputTokens === null) {
      // No usage from the upstream: OpenAI's encoding as an estimate, so a pair's token and cost figures mean something.
      const estimate = await estimateTokens({
        model: input.model,
        messages: [...input.messages, input.answer],
        tools: input.tools ? [...input.tools] : undefined,
        stream: false,
        includeUsage: false,
        extra: {},
      });
      outputTokens ??= estimate.messages.at(-1) ?? 0;
      inputTokens ??= estimate.total - outputTokens;
    }
    const cost = input.prices ? (inputTokens * input.prices.input + outputTokens * input.prices.output) / 1e6 : null;
    const now = this.options.now();
    let text: CapturedText = {
      messages: [...input.messages],
      ...(input.tools && input.tools.length > 0 ? { tools: [...input.tools] } : {}),
      answer: input.answer,
    };
    if (settings.redactLabels.length > 0) {
      const { value, redacted } = redactLabels(text, settings.redactLabels);
      text = redacted.length > 0 ? { ...value, redacted } : value;
    }
    const capture: StoredCapture = {
      id,
      tenant: input.tenant,
      keyId: input.keyId,
      receipt: input.receipt,
      responseId: input.responseId,
      episodeId: input.episodeId ?? id,
      alias: input.alias,
      provider: input.provider,
      model: input.model,
      ownership: input.ownership,
      role: input.role,
      pairOf: input.pairOf ?? null,
      labels,
      // Of the prompt as sent (before any redaction for storage): a call and its shadow share it.
      promptSha256: promptDigest(input.messages, input.tools),
      latencyMs: input.latencyMs,
      inputTokens,
      outputTokens,
      cost,
      createdAt: now,
      expiresAt: now + settings.retentionDays * 86_400_000,
      sealed: this.options.sealer.seal(JSON.stringify(text), id),
    };
    await this.options.store.saveCapture(capture);
    return true;
  }
}

/** A stored capture with its text opened. */
export function openCapture(stored: StoredCapture, sealer: CaptureSealer): CapturedCall {
  const text = JSON.parse(sealer.open(stored.sealed, stored.id)) as CapturedText;
  const { sealed: _sealed, ...summary } = stored;
  return { ...(summary satisfies CaptureSummary), ...text };
}
