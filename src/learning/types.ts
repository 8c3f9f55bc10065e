// The learning loop's shapes: a captured call as it is opened from the store, the feedback given on
// it, and what a dataset export and a judged comparison read. Pure types: no I/O.
import type { ChatMessage, ToolDefinition } from '../core/chat.js';
import type { StoredCapture, StoredFeedback } from '../store/learning-store.js';

export type CaptureRole = StoredCapture['role'];

/** What a capture keeps in the clear beside its sealed text (the store's row, without the sealed bytes). */
export type CaptureSummary = Omit<StoredCapture, 'sealed'>;

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

/** A feedback as read: the store's row with its value opened. */
export type FeedbackRecord = Omit<StoredFeedback, 'sealed' | 'expiresAt'> & {
  /**
   * The value as given: a boolean or a number for declared metrics, a string for `comment`, a string or an assistant
   * message for `demonstration`, `{ chosen, rejected }` capture ids for `preference`.
   */
  value: unknown;
};
