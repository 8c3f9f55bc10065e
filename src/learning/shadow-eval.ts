// A judged comparison of shadow pairs: each primary answer and its shadow answer are shown to a
// judge twice, in both orders, and the verdicts summarised (eval-stats.ts). The judge is a port: the
// CLI asks it through the gateway, so the judge obeys the policy like any call (a pair it may not
// see is skipped and counted, never sent elsewhere). Pairs are read a page at a time.
import type { ChatMessage } from '../core/chat.js';
import type { LearningStore } from '../store/learning-store.js';
import { type CaptureSealer, openCapture } from './capture.js';
import { type EvalReport, type JudgedPair, type SideFacts, summarise, type Verdict } from './eval-stats.js';
import type { CapturedCall } from './types.js';

/** Asks the judge about one ordering; rejects when the judge cannot be asked (refused, failed). */
export type Judge = (messages: ChatMessage[]) => Promise<Verdict | undefined>;

/** The JSON schema of the judge's answer: one verdict. */
export const verdictSchema = {
  type: 'object',
  properties: { verdict: { type: 'string', enum: ['A', 'B', 'tie'] } },
  required: ['verdict'],
  additionalProperties: false,
} as const;

/** A judge's answer as text, read as a verdict (undefined when it is not one). */
export function verdictIn(text: string | null | undefined): Verdict | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { verdict?: unknown };
    return parsed.verdict === 'A' || parsed.verdict === 'B' || parsed.verdict === 'tie' ? parsed.verdict : undefined;
  } catch {
    return undefined;
  }
}

const textOf = (message: ChatMessage): string => {
  const content =
    typeof message.content === 'string'
      ? message.content
      : (message.content ?? [])
          .map((part) => ('text' in part && typeof part.text === 'string' ? part.text : ''))
          .join('\n');
  const calls = (message.tool_calls ?? []).map(
    (call) => `[tool call ${call.function.name} ${call.function.arguments}]`,
  );
  return [content, ...calls].filter((piece) => piece !== '').join('\n');
};

/** What the judge is shown: the conversation, then two answers, and the question. */
export function judgeMessages(call: CapturedCall, first: ChatMessage, second: ChatMessage): ChatMessage[] {
  const conversation = call.messages.map((message) => `${message.role}: ${textOf(message)}`).join('\n\n');
  return [
    {
      role: 'system',
      content:
        'You compare two answers to the same conversation. Judge which answer better serves the last request: correct, complete, safe and to the point. Length is not a merit in itself. Answer with JSON: {"verdict": "A"}, {"verdict": "B"} or {"verdict": "tie"}.',
    },
    {
      role: 'user',
      content: `Conversation:\n${conversation}\n\nAnswer A:\n${textOf(first)}\n\nAnswer B:\n${textOf(second)}\n\nWhich answer is better?`,
    },
  ];
}

export interface ShadowEvalOptions {
  store: LearningStore;
  sealer: CaptureSealer;
  judge: Judge;
  now: () => number;
  since?: number;
  alias?: string;
  /** Pairs judged at once. */
  concurrency?: number;
  pageSize?: number;
  seed?: number;
  /** Told of each pair as it is judged (progress). */
  onPair?: (done: number) => void;
}

export interface ShadowEvalResult {
  report: EvalReport;
  /** The receipt indices of the primary calls of the pairs judged. */
  sources: number[];
  /** Pairs the judge could not be asked about (refused by the policy, failed): left out of the report. */
  skipped: number;
  /** Pairs left out because a judge answer was no verdict (not JSON of the schema). */
  unreadable: number;
  /** Why the first skipped pair's judge call failed (for the operator; never pair text). */
  firstFailure?: string;
}

const factsOf = (call: CapturedCall): SideFacts => ({
  latencyMs: call.latencyMs,
  inputTokens: call.inputTokens,
  outputTokens: call.outputTokens,
  cost: call.cost,
  answerChars: textOf(call.answer).length,
});

export async function evalShadow(options: ShadowEvalOptions): Promise<ShadowEvalResult> {
  const { store, sealer, judge } = options;
  const pageSize = options.pageSize ?? 200;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const judged: JudgedPair[] = [];
  const sources: number[] = [];
  let skipped = 0;
  let unreadable = 0;
  let firstFailure: string | undefined;
  let after: { createdAt: number; id: string } | undefined;
  const now = options.now();
  const ask = async (messages: ChatMessage[]): Promise<Verdict | 'failed' | 'unreadable'> => {
    let verdict: Verdict | undefined;
    try {
      verdict = await judge(messages);
    } catch (error) {
      firstFailure ??= (error as Error).message;
      return 'failed';
    }
    // No verdict is no information: the pair is left out (counting it a tie would pull the win rate to 0.5).
    if (verdict === undefined) return 'unreadable';
    return verdict;
  };
  const judgePair = async (primary: CapturedCall, shadow: CapturedCall): Promise<void> => {
    // A = primary first; then swapped, A = shadow.
    const [first, swapped] = await Promise.all([
      ask(judgeMessages(primary, primary.answer, shadow.answer)),
      ask(judgeMessages(primary, shadow.answer, primary.answer)),
    ]);
    if (first === 'failed' || swapped === 'failed') {
      skipped += 1;
      return;
    }
    if (first === 'unreadable' || swapped === 'unreadable') {
      unreadable += 1;
      return;
    }
    judged.push({ pairId: primary.id, first, swapped, primary: factsOf(primary), shadow: factsOf(shadow) });
    if (primary.receipt !== null) sources.push(primary.receipt);
    options.onPair?.(judged.length + skipped);
  };
  for (;;) {
    const page = await store.captures(
      { since: options.since, alias: options.alias, role: 'primary', paired: true, now },
      after,
      pageSize,
    );
    if (page.length === 0) break;
    after = { createdAt: page[page.length - 1]!.createdAt, id: page[page.length - 1]!.id };
    const pairs: Array<[CapturedCall, CapturedCall]> = [];
    for (const stored of page) {
      const shadow = await store.shadowOf(stored.id);
      if (shadow) pairs.push([openCapture(stored, sealer), openCapture(shadow, sealer)]);
    }
    for (let index = 0; index < pairs.length; index += concurrency)
      await Promise.all(pairs.slice(index, index + concurrency).map(([primary, shadow]) => judgePair(primary, shadow)));
    if (page.length < pageSize) break;
  }
  // The order pairs finish in varies with concurrency; the report must not.
  judged.sort((a, b) => (a.pairId < b.pairId ? -1 : a.pairId > b.pairId ? 1 : 0));
  sources.sort((a, b) => a - b);
  return { report: summarise(judged, { seed: options.seed }), sources, skipped, unreadable, firstFailure };
}
