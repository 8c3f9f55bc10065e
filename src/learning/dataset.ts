// Dataset rows from captured calls and the feedback on them, in the shapes fine-tuning tools read: OpenAI's
// fine-tuning files, TRL's conversational datasets and LLaMA-Factory's ShareGPT. The Scrubber replaces what the
// policy's detectors find before a row leaves. Pure: the store read and the file written are the caller's.
import { createHash } from 'node:crypto';
import type { ChatMessage, ContentPart, ToolCall, ToolDefinition } from '../core/chat.js';
import { detect, type Span } from '../policy/detectors.js';
import { labelMatches } from '../policy/policy.js';
import { decodePayload } from '../policy/payloads.js';
import { decodedForms } from '../policy/text-forms.js';
import type { CapturedCall, FeedbackRecord, MetricDefinition } from './types.js';

export type ExportKind = 'sft' | 'dpo' | 'kto';
export type ExportFormat = 'openai' | 'trl' | 'sharegpt';

/** Which feedback makes a call an example; since and alias are applied by the store query, not here. */
export interface ExportFilter {
  metric?: string;
  /** For a float metric to maximise: the least latest value that qualifies (none: any value does). */
  min?: number;
  /** For a float metric to minimise (`optimize: min`): the greatest latest value that qualifies. */
  max?: number;
}

/**
 * One call with every feedback that applies to it: its own (captureId === call.id) and its episode's (captureId null,
 * same episodeId).
 */
export interface CallWithFeedback {
  call: CapturedCall;
  feedback: readonly FeedbackRecord[];
}

/** The formats each kind is written in. OpenAI's fine-tuning takes no unpaired (KTO) examples. */
export const exportFormats: Readonly<Record<ExportKind, readonly ExportFormat[]>> = {
  sft: ['openai', 'trl', 'sharegpt'],
  dpo: ['openai', 'trl', 'sharegpt'],
  kto: ['trl', 'sharegpt'],
};

type Metrics = Readonly<Record<string, MetricDefinition>>;

/** Throws a plain Error for a kind/format pair that has no such format, naming the formats that exist. */
export function checkFormat(kind: ExportKind, format: ExportFormat): void {
  const formats: readonly ExportFormat[] | undefined = Object.hasOwn(exportFormats, kind)
    ? exportFormats[kind]
    : undefined;
  if (formats === undefined)
    throw new Error(`There is no "${kind}" export: the kinds are ${Object.keys(exportFormats).join(', ')}.`);
  if (!formats.includes(format))
    throw new Error(`${kind} rows have no "${format}" format: the ${kind} formats are ${formats.join(', ')}.`);
}

/**
 * Throws a plain Error for a filter that cannot select rows of this kind, so that a mistyped metric is an error
 * before the store is read rather than an empty file. rowsOf checks it too.
 */
export function checkFilter(kind: ExportKind, filter: ExportFilter, metrics: Metrics): void {
  const { metric, min, max } = filter;
  if (min !== undefined && !Number.isFinite(min)) throw new Error(`The minimum value must be a number, not ${min}.`);
  if (max !== undefined && !Number.isFinite(max)) throw new Error(`The maximum value must be a number, not ${max}.`);
  if (metric === undefined) {
    if (min !== undefined || max !== undefined)
      throw new Error('A minimum or maximum value needs a metric to apply to.');
    if (kind === 'kto' && !Object.values(metrics).some((definition) => definition.type === 'boolean'))
      throw new Error('KTO rows come from boolean metrics, and the config declares none.');
    return;
  }
  if (kind === 'dpo')
    throw new Error('DPO pairs come from preference and demonstration feedback: a metric filter does not apply.');
  const definition = Object.hasOwn(metrics, metric) ? metrics[metric] : undefined;
  if (definition === undefined) {
    const declared = Object.keys(metrics).join(', ') || 'none';
    throw new Error(`"${metric}" is not a declared metric: the declared metrics are ${declared}.`);
  }
  if (definition.type === 'boolean' && (min !== undefined || max !== undefined))
    throw new Error(`"${metric}" is a boolean metric: a minimum or maximum value does not apply to it.`);
  // The bound must point the metric's way: a minimum of a metric to minimise would select the worst answers.
  if (definition.optimize === 'min' && min !== undefined)
    throw new Error(`"${metric}" is minimised (optimize: min): give the greatest value that qualifies (--max).`);
  if (definition.optimize !== 'min' && max !== undefined)
    throw new Error(`"${metric}" is maximised (optimize: max): give the least value that qualifies (--min).`);
  if (kind === 'kto' && definition.type !== 'boolean')
    throw new Error(`KTO rows come from boolean metrics, and "${metric}" is a ${definition.type} metric.`);
}

/**
 * The rows one call gives. `lookup(captureId)` returns another capture (for preference feedback whose chosen or
 * rejected name other calls) or undefined. Rows are plain JSON values, not yet scrubbed.
 */
export function rowsOf(
  kind: ExportKind,
  format: ExportFormat,
  entry: CallWithFeedback,
  filter: ExportFilter,
  metrics: Metrics,
  lookup: (captureId: string) => CapturedCall | undefined,
): unknown[] {
  checkFormat(kind, format);
  checkFilter(kind, filter, metrics);
  const { call } = entry;
  const feedback = applicableFeedback(entry);
  const rows: unknown[] = [];
  const add = (row: unknown): void => {
    if (row !== undefined) rows.push(row);
  };
  if (kind === 'sft') {
    if (qualifies(feedback, filter, metrics)) add(sftRow(format, call, call.answer));
    // A demonstration is the answer someone wrote for this prompt: an example whatever the metric says.
    for (const demonstration of demonstrationsOn(call, feedback)) add(sftRow(format, call, demonstration));
  } else if (kind === 'dpo') {
    for (const pair of preferencePairs(call, feedback, lookup))
      add(dpoRow(format, pair.chosen, pair.chosen.answer, pair.rejected.answer));
    for (const demonstration of demonstrationsOn(call, feedback))
      if (!sameAnswer(demonstration, call.answer)) add(dpoRow(format, call, demonstration, call.answer));
  } else {
    const label = latestLabel(feedback, filter, metrics);
    if (label !== undefined) add(ktoRow(format, call, call.answer, label));
  }
  return rows;
}

/**
 * Deterministic train/validation split by episode, so that no episode is on both sides: SHA-256 of seed + episodeId,
 * its first 4 bytes over 2^32, below `fraction` (the share sent to validation) means validation.
 */
export function splitOf(episodeId: string, fraction: number, seed = ''): 'train' | 'validation' {
  if (!(fraction >= 0 && fraction <= 1))
    throw new Error(`The validation share must be between 0 and 1, not ${fraction}.`);
  if (fraction === 0) return 'train';
  const digest = createHash('sha256')
    .update(seed + episodeId)
    .digest();
  return digest.readUInt32BE(0) / 2 ** 32 < fraction ? 'validation' : 'train';
}

// Feedback.

/**
 * The feedback that applies to the call, oldest first. The tenant must match: an episode id can be the client's
 * own (x-sovereign-episode), and one tenant's feedback must not label another's calls.
 */
function applicableFeedback({ call, feedback }: CallWithFeedback): FeedbackRecord[] {
  return feedback
    .filter(
      (record) =>
        record.tenant === call.tenant &&
        (record.captureId === call.id || (record.captureId === null && record.episodeId === call.episodeId)),
    )
    .sort((a, b) => a.createdAt - b.createdAt || a.ledgerIndex - b.ledgerIndex);
}

function latestOf(
  feedback: readonly FeedbackRecord[],
  test: (record: FeedbackRecord) => boolean,
): FeedbackRecord | undefined {
  for (let index = feedback.length - 1; index >= 0; index -= 1) if (test(feedback[index]!)) return feedback[index];
  return undefined;
}

const isFloat = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Whether the call itself is an SFT example under the filter. */
function qualifies(feedback: readonly FeedbackRecord[], filter: ExportFilter, metrics: Metrics): boolean {
  const { metric, min, max } = filter;
  if (metric === undefined) return true;
  const definition = metrics[metric]!;
  if (definition.type === 'boolean')
    return (
      latestOf(feedback, (record) => record.metric === metric && typeof record.value === 'boolean')?.value ===
      desirable(definition)
    );
  const latest = latestOf(feedback, (record) => record.metric === metric && isFloat(record.value));
  if (latest === undefined) return false;
  const value = latest.value as number;
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

/** The KTO label of the call: the latest value of the filter's boolean metric, or of any boolean metric. */
function latestLabel(feedback: readonly FeedbackRecord[], filter: ExportFilter, metrics: Metrics): boolean | undefined {
  const names = new Set(
    filter.metric !== undefined
      ? [filter.metric]
      : Object.entries(metrics)
          .filter(([, definition]) => definition.type === 'boolean')
          .map(([name]) => name),
  );
  const latest = latestOf(feedback, (record) => names.has(record.metric) && typeof record.value === 'boolean');
  // Desirable or not: `true` of a metric to minimise ("hallucinated") is an undesirable answer.
  return latest === undefined ? undefined : latest.value === desirable(metrics[latest.metric]!);
}

/** The boolean value that marks a good answer: true, or false for a metric to minimise. */
const desirable = (definition: MetricDefinition): boolean => definition.optimize !== 'min';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The demonstrations given on this call (an episode-level one names no call whose answer it replaces). */
function demonstrationsOn(call: CapturedCall, feedback: readonly FeedbackRecord[]): ChatMessage[] {
  const demonstrations: ChatMessage[] = [];
  for (const record of feedback) {
    if (record.metric !== 'demonstration' || record.captureId !== call.id) continue;
    const message = demonstrationOf(record.value);
    if (message) demonstrations.push(message);
  }
  return demonstrations;
}

/** A demonstration's value as an assistant message: a string, or { role: 'assistant', content, tool_calls? }. */
function demonstrationOf(value: unknown): ChatMessage | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : { role: 'assistant', content: value };
  if (!isRecord(value) || value.role !== 'assistant') return undefined;
  const { content } = value;
  const parts = Array.isArray(content) && content.every((part) => isRecord(part) && typeof part.type === 'string');
  if (!(content === undefined || content === null || typeof content === 'string' || parts)) return undefined;
  const message: ChatMessage = { role: 'assistant', content: (content ?? null) as ChatMessage['content'] };
  if (value.tool_calls !== undefined) {
    if (!Array.isArray(value.tool_calls)) return undefined;
    const calls: ToolCall[] = [];
    for (const [index, call] of value.tool_calls.entries()) {
      const written = toolCallOf(call, index);
      if (!written) return undefined;
      calls.push(written);
    }
    if (calls.length > 0) message.tool_calls = calls;
  }
  return isEmpty(message) ? undefined : message;
}

/** A tool call as someone wrote it in a demonstration: the id may be left out, the arguments given as an object. */
function toolCallOf(value: unknown, index: number): ToolCall | undefined {
  if (!isRecord(value) || !isRecord(value.function) || typeof value.function.name !== 'string') return undefined;
  const { arguments: given } = value.function;
  const written = typeof given === 'string' ? given : isRecord(given) ? JSON.stringify(given) : undefined;
  if (written === undefined) return undefined;
  const id = typeof value.id === 'string' && value.id !== '' ? value.id : `call_${index + 1}`;
  return { id, type: 'function', function: { name: value.function.name, arguments: written } };
}

/**
 * The preference pairs this call gives. A pair is emitted from the call its feedback is on, or, for an episode-level
 * feedback (seen by every call of the episode), from the chosen call only: so each pair is emitted once. The two
 * answers must be to the same prompt, and of the feedback's tenant.
 */
function preferencePairs(
  call: CapturedCall,
  feedback: readonly FeedbackRecord[],
  lookup: (captureId: string) => CapturedCall | undefined,
): Array<{ chosen: CapturedCall; rejected: CapturedCall }> {
  const pairs: Array<{ chosen: CapturedCall; rejected: CapturedCall }> = [];
  const find = (id: string): CapturedCall | undefined => (id === call.id ? call : lookup(id));
  for (const record of feedback) {
    if (record.metric !== 'preference' || !isRecord(record.value)) continue;
    const { chosen: chosenId, rejected: rejectedId } = record.value;
    if (typeof chosenId !== 'string' || typeof rejectedId !== 'string' || chosenId === rejectedId) continue;
    if ((record.captureId ?? chosenId) !== call.id) continue;
    const chosen = find(chosenId);
    const rejected = find(rejectedId);
    if (!chosen || !rejected || chosen.promptSha256 !== rejected.promptSha256) continue;
    if (chosen.tenant !== record.tenant || rejected.tenant !== record.tenant) continue;
    pairs.push({ chosen, rejected });
  }
  return pairs;
}

// Messages.

/** The text of a content: text parts joined by a line break; other parts (images) have none. */
function textOf(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is { type: 'text'; text: string } => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}

/** An answer with no text, no other part and no tool call teaches nothing (a call that failed, an empty stream). */
function isEmpty(message: ChatMessage): boolean {
  if (message.tool_calls !== undefined && message.tool_calls.length > 0) return false;
  const { content } = message;
  if (content === null) return true;
  if (typeof content === 'string') return content.trim() === '';
  return content.every((part) => part.type === 'text' && textOf([part]).trim() === '');
}

function sameAnswer(a: ChatMessage, b: ChatMessage): boolean {
  const shape = (message: ChatMessage): string =>
    JSON.stringify([textOf(message.content), (message.tool_calls ?? []).map((call) => call.function)]);
  return shape(a) === shape(b);
}

// OpenAI and TRL: messages in OpenAI's chat shape.

interface WireMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/** JSON values only, shared with nothing: a row is written (and scrubbed) apart from the capture it came from. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * A message as OpenAI's fine-tuning files and TRL's conversational datasets take it. `developer` is OpenAI's newer
 * name for the system role, which chat templates know as `system`.
 */
function wireMessage(message: ChatMessage): WireMessage {
  const wire: WireMessage = {
    role: message.role === 'developer' ? 'system' : message.role,
    content: typeof message.content === 'string' || message.content === null ? message.content : plain(message.content),
  };
  if (message.name !== undefined) wire.name = message.name;
  if (message.tool_calls !== undefined && message.tool_calls.length > 0) wire.tool_calls = plain(message.tool_calls);
  if (message.tool_call_id !== undefined) wire.tool_call_id = message.tool_call_id;
  return wire;
}

const answerMessage = (answer: ChatMessage): WireMessage => wireMessage({ ...answer, role: 'assistant' });

function toolsOf(call: CapturedCall): { tools?: ToolDefinition[] } {
  return call.tools !== undefined && call.tools.length > 0 ? { tools: plain(call.tools) } : {};
}

// ShareGPT, as LLaMA-Factory reads it (data/README.md there): human and observation turns at even places, gpt and
// function_call turns at odd ones; the system prompt and the tools beside the conversation.

interface ShareGptTurn {
  from: 'human' | 'gpt' | 'function_call' | 'observation';
  value: string;
}

interface ShareGptPrompt {
  turns: ShareGptTurn[];
  /** The `system` and `tools` fields of the row, when there are any. */
  extras: { system?: string; tools?: string };
}

/** Tool-call arguments as the structure they spell: LLaMA-Factory writes `arguments` out again with json.dumps. */
function argumentsOf(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const callsOf = (message: ChatMessage): Array<{ name: string; arguments: unknown }> =>
  (message.tool_calls ?? []).map((call) => ({
    name: call.function.name,
    arguments: argumentsOf(call.function.arguments),
  }));

/**
 * An assistant message as one turn: its tool calls as a function_call turn ({name, arguments}, a list for parallel
 * calls), else its text. A turn holds one or the other, so the text beside tool calls is left out.
 */
function answerTurn(message: ChatMessage): ShareGptTurn {
  const calls = callsOf(message);
  if (calls.length === 0) return { from: 'gpt', value: textOf(message.content) };
  return { from: 'function_call', value: JSON.stringify(calls.length === 1 ? calls[0] : calls) };
}

/**
 * A call's prompt as ShareGPT turns, or undefined when it cannot be written so that LLaMA-Factory reads it (which
 * skips an example whose turns do not alternate). System messages go to the system field, wherever they stood;
 * consecutive turns of one kind (parallel tool results, two user messages) are merged.
 */
function shareGptPrompt(call: CapturedCall): ShareGptPrompt | undefined {
  const system: string[] = [];
  const turns: ShareGptTurn[] = [];
  let pendingCalls: Array<{ name: string; arguments: unknown }> = [];
  for (const message of call.messages) {
    if (message.role === 'system' || message.role === 'developer') {
      system.push(textOf(message.content));
      continue;
    }
    const turn: ShareGptTurn =
      message.role === 'assistant'
        ? answerTurn(message)
        : { from: message.role === 'tool' ? 'observation' : 'human', value: textOf(message.content) };
    const last = turns[turns.length - 1];
    if (last?.from === turn.from && turn.from === 'function_call') {
      pendingCalls = [...pendingCalls, ...callsOf(message)];
      last.value = JSON.stringify(pendingCalls);
    } else if (last?.from === turn.from) {
      last.value = `${last.value}\n${turn.value}`;
    } else {
      turns.push(turn);
      pendingCalls = turn.from === 'function_call' ? callsOf(message) : [];
    }
  }
  const even = (turn: ShareGptTurn): boolean => turn.from === 'human' || turn.from === 'observation';
  if (turns.length % 2 === 0 || !turns.every((turn, index) => even(turn) === (index % 2 === 0))) return undefined;
  const extras: ShareGptPrompt['extras'] = {};
  if (system.length > 0) extras.system = system.join('\n');
  // LLaMA-Factory's tools field: a JSON text of the function definitions themselves.
  if (call.tools !== undefined && call.tools.length > 0)
    extras.tools = JSON.stringify(call.tools.map((tool) => tool.function));
  return { turns, extras };
}

// Rows.

function sftRow(format: ExportFormat, call: CapturedCall, answer: ChatMessage): unknown {
  if (isEmpty(answer) || call.messages.length === 0) return undefined;
  if (format === 'sharegpt') {
    const prompt = shareGptPrompt(call);
    if (!prompt) return undefined;
    return { conversations: [...prompt.turns, answerTurn(answer)], ...prompt.extras };
  }
  // OpenAI's chat fine-tuning format and TRL's conversational language-modelling format are the same shape.
  return { messages: [...call.messages.map(wireMessage), answerMessage(answer)], ...toolsOf(call) };
}

function dpoRow(format: ExportFormat, call: CapturedCall, chosen: ChatMessage, rejected: ChatMessage): unknown {
  if (isEmpty(chosen) || isEmpty(rejected) || call.messages.length === 0) return undefined;
  if (format === 'sharegpt') {
    const prompt = shareGptPrompt(call);
    if (!prompt) return undefined;
    return {
      conversations: prompt.turns,
      chosen: answerTurn(chosen),
      rejected: answerTurn(rejected),
      ...prompt.extras,
    };
  }
  const messages = call.messages.map(wireMessage);
  if (format === 'openai')
    return {
      input: { messages, ...toolsOf(call) },
      preferred_output: [answerMessage(chosen)],
      non_preferred_output: [answerMessage(rejected)],
    };
  return { prompt: messages, chosen: [answerMessage(chosen)], rejected: [answerMessage(rejected)], ...toolsOf(call) };
}

function ktoRow(format: ExportFormat, call: CapturedCall, answer: ChatMessage, label: boolean): unknown {
  if (isEmpty(answer) || call.messages.length === 0) return undefined;
  if (format === 'sharegpt') {
    const prompt = shareGptPrompt(call);
    if (!prompt) return undefined;
    return { conversations: [...prompt.turns, answerTurn(answer)], kto_tag: label, ...prompt.extras };
  }
  return { prompt: call.messages.map(wireMessage), completion: [answerMessage(answer)], label, ...toolsOf(call) };
}

// Scrubbing.

/** Bytes of a file (data: URL, base64 blob) decoded for the detectors. */
const payloadBudget = 16 * 1024 * 1024;
const looksLikeJson = /^\s*[[{][\s\S]*[\]}]\s*$/;

/**
 * Replaces every value the policy's detectors find, in every string of a row, with a placeholder stable for the whole
 * export: the same value gets the same placeholder, "[pii.email 1]" (the label, then a counter of that label).
 * A capture stored with redact_labels holds placeholders of another form ("[redacted pii.card 1]", numbered per
 * call), so that an export's placeholders are never read as the same values.
 */
export class Scrubber {
  /**
   * `labels`: replace only values of these labels (or labels under them), as capture's redact_labels asks; default
   * every value the detectors find.
   */
  constructor(
    private readonly options: {
      labels?: readonly string[];
      /** The placeholder's form (default "[label n]"); capture's redaction writes its own, so the two never mix. */
      placeholder?: (label: string, number: number) => string;
    } = {},
  ) {}

  private readonly byValue = new Map<string, { placeholder: string; label: string }>();
  private readonly numbers = new Map<string, number>();
  private readonly replaced = new Map<string, number>();
  /** The labels of the replacements in the row being scrubbed, counted once it is done. */
  private readonly pending: string[] = [];

  /** Replacements made so far, by label. */
  get counts(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.replaced);
  }

  /**
   * A copy of the row with every value found replaced, in keys too: the rows' own keys are fixed names, but keys
   * inside a tool's parameter schema or a tool call's arguments are the caller's text.
   */
  scrub<T>(row: T): T {
    try {
      const scrubbed = this.value(row) as T;
      for (const label of this.pending) this.replaced.set(label, (this.replaced.get(label) ?? 0) + 1);
      return scrubbed;
    } finally {
      this.pending.length = 0;
    }
  }

  private value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value === 'number') return this.number(value);
    if (Array.isArray(value)) return value.map((item) => this.value(item));
    // fromEntries defines each key as its own property, so a "__proto__" key read from JSON stays a key.
    if (isRecord(value))
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.text(key), this.value(item)]));
    return value;
  }

  /** A number with the digits of an identifier (a card sent as a JSON number in tool-call arguments). */
  private number(value: number): unknown {
    if (!Number.isFinite(value) || (Number.isInteger(value) && Math.abs(value) < 1e6)) return value;
    const written = String(value);
    const found = this.found(written)[0];
    return found ? this.placeholder(found.label, written) : value;
  }

  private text(original: string): string {
    if (original === '') return original;
    const start = this.pending.length;
    // A file cannot be cut at a span (and its bytes would hold random look-alikes): one whose readable text holds
    // anything is replaced whole; an image the detectors cannot read is left as it is.
    const payload = decodePayload(original, payloadBudget);
    if (payload !== undefined) return this.whole(original, [payload.text], start);
    // A JSON text (tool-call arguments) is read as the structure it spells, its escapes resolved; keys and anything
    // the structure splits are then found in the text itself.
    const text = this.spans(looksLikeJson.test(original) ? this.jsonText(original) : original);
    // A value found only once the text is decoded (percent or \u escapes, letters in disguise) cannot be replaced
    // in place: the whole text goes.
    const forms = decodedForms(text);
    if (forms.length === 0) return text;
    return this.whole(
      original,
      forms.map((form) => form.text),
      start,
      text,
    );
  }

  private jsonText(text: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return text;
    }
    if (parsed === null || typeof parsed !== 'object') return text;
    const before = this.pending.length;
    const scrubbed = this.value(parsed);
    // Written again (compact) only when something was replaced: other texts keep their bytes.
    return this.pending.length === before ? text : JSON.stringify(scrubbed);
  }

  /** The spans to replace in a text: every one found, or those of the labels asked for. */
  private found(text: string): Span[] {
    const spans = detect(text);
    const { labels } = this.options;
    if (labels === undefined || spans.length === 0) return spans;
    return spans.filter((span) => labels.some((label) => labelMatches(label, span.label)));
  }

  private spans(text: string): string {
    const spans = this.found(text);
    if (spans.length === 0) return text;
    // detect's spans are in order and do not overlap.
    let out = '';
    let cursor = 0;
    for (const span of spans) {
      out += text.slice(cursor, span.start) + this.placeholder(span.label, text.slice(span.start, span.end));
      cursor = span.end;
    }
    return out + text.slice(cursor);
  }

  /**
   * One placeholder for the whole of `original` when the detectors find anything in `readings` (the replacements
   * made in it since `start` then no longer count), else `kept`.
   */
  private whole(original: string, readings: readonly string[], start: number, kept = original): string {
    for (const reading of readings) {
      const found = this.found(reading)[0];
      if (!found) continue;
      this.pending.length = start;
      return this.placeholder(found.label, original);
    }
    return kept;
  }

  private placeholder(label: string, value: string): string {
    let known = this.byValue.get(value);
    if (known === undefined) {
      const number = (this.numbers.get(label) ?? 0) + 1;
      this.numbers.set(label, number);
      known = { placeholder: this.options.placeholder?.(label, number) ?? `[${label} ${number}]`, label };
      this.byValue.set(value, known);
    }
    this.pending.push(known.label);
    return known.placeholder;
  }
}
