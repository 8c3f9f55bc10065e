// The learning loop's shapes: a captured call as it is opened from the store, the feedback given on
// it, and what a dataset export and a judged comparison read. Pure types: no I/O.
import type { ChatMessage, ToolDefinition } from '../core/chat.js';

/** `primary`: the call the client made; `shadow`: the same prompt sent to an alias's shadow candidate. */
export type CaptureRole = 'primary' | 'shadow';

/** What a capture keeps in the clear beside its sealed text: enough to find, filter and pair it. */
export interface CaptureSummary {
  id: string;
  /** The tenant (key name) and key of the call: feedback and reads are bound to them. */
  tenant: string;
  keyId: string | null;
  /** The ledger index of the call's entry (its `x-sovereign-receipt`; a stream's opening entry). */
  receipt: number | null;
  responseId: string | null;
  /** A conversation id, or the client's `x-sovereign-episode`, else the capture's own id. */
  episodeId: string;
  alias: string;
  /** `provider/model` that answered. */
  provider: string;
  model: string;
  ownership: string;
  role: CaptureRole;
  /** For a shadow capture: the primary capture it shadows. */
  pairOf: string | null;
  labels: string[];
  /** SHA-256 of the canonical prompt (messages and tools): two answers to one prompt share it. */
  promptSha256: string;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Cost of the answer in the price unit of the provider's config, when it has prices. */
  cost: number | null;
  createdAt: number;
  expiresAt: number;
}

/** The sealed part of a capture: the text of the request and the answer, as the gateway saw them. */
export interface CapturedText {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /** The assistant's answer (content and tool calls). */
  answer: ChatMessage;
  /** Labels whose values were replaced by placeholders before storage (capture.redact_labels). */
  redacted?: string[];
}

export interface CapturedCall extends CaptureSummary, CapturedText {}

/** The metric types of `feedback.metrics`. */
export type MetricType = 'boolean' | 'float';

export interface MetricDefinition {
  type: MetricType;
  optimize: 'max' | 'min';
  /** `inference`: on one call; `episode`: on a whole episode. */
  level: 'inference' | 'episode';
}

/** The metrics every gateway knows, whatever its config. */
export const reservedMetrics = ['comment', 'demonstration', 'preference'] as const;
export type ReservedMetric = (typeof reservedMetrics)[number];

/** What a feedback is about: one call (by receipt index or response id) or one episode. */
export type FeedbackTarget = { receipt: number } | { response_id: string } | { episode_id: string };

export interface FeedbackRecord {
  id: string;
  tenant: string;
  keyId: string | null;
  metric: string;
  /**
   * The value as given: a boolean or a number for declared metrics, a string for `comment`, a string or an assistant
   * message for `demonstration`, `{ chosen, rejected }` capture ids for `preference`.
   */
  value: unknown;
  /** The capture the feedback is on (null for an episode-level feedback). */
  captureId: string | null;
  episodeId: string;
  /** The ledger index of the feedback's own entry. */
  ledgerIndex: number;
  createdAt: number;
}
