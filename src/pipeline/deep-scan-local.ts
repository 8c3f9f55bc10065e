// The local engine of the deep scan: a registered GGUF model (verified before it loads) run
// in-process by the `local` provider's machinery, asked to list the names and addresses in a text
// as JSON under a grammar. Only strings found in the text count: a model's invention is no finding.
import type { Clock } from '../core/clock.js';
import type { ChatRequest } from '../core/chat.js';
import { ProviderError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import type { NerSettings } from '../config/schema.js';
import type { ModelRegistry } from '../models/registry.js';
import type { Span } from '../policy/detectors.js';
import { createLocalProvider } from '../providers/local.js';
import { abortedError, assertScanSize, DeepScanError, deepScanDefaults, entityLabels } from './deep-scan-settings.js';

const instructions = "List the personal names and postal addresses in the user's text, copied exactly. Answer as JSON.";

/**
 * Longest name or address the model may write, and most of each per chunk: they bound the answer, which must fit the
 * context.
 */
const maxLength = 64;
const maxItems = 16;
const answerSchema = {
  type: 'object',
  properties: {
    names: { type: 'array', items: { type: 'string', maxLength }, maxItems },
    addresses: { type: 'array', items: { type: 'string', maxLength }, maxItems },
  },
} as const;
const entities = { names: 'NAME', addresses: 'ADDRESS' } as const;
export const answerLimits = { maxLength, maxItems } as const;

/**
 * The chat request of one piece of text: greedy, bounded, its answer constrained by a JSON-schema grammar (which the
 * local provider caches per schema: one for every scan).
 */
export function scanRequest(model: string, text: string, maxTokens: number): ChatRequest {
  return {
    model,
    messages: [
      { role: 'system', content: instructions },
      { role: 'user', content: text },
    ],
    stream: false,
    includeUsage: false,
    max_tokens: maxTokens,
    temperature: 0, // greedy: the same text gets the same answer
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'personal_data', schema: answerSchema as unknown as Record<string, unknown>, strict: true },
    },
    extra: {},
  };
}

/** Most context the scanner's model gets (tokens); more costs memory and time for no better findings. */
const contextCeiling = 4096;
/** Tokens left unused at the end of the context for the boundaries between template and text. */
const safetyMargin = 16;
/**
 * A backstop only (the local runtime wants a deadline): the scan's own timeout is the caller's, on the gateway's clock.
 */
const loadDeadlineMs = 600_000;

/** A range of UTF-16 offsets [start, end). */
interface Range {
  start: number;
  end: number;
}

/**
 * The most tokens a character can cost with any llama.cpp tokenizer: one per UTF-8 byte (byte
 * fallback at worst), and three for a space, which SentencePiece first turns into "▁" (3 bytes).
 */
function tokenBound(codePoint: number): number {
  return codePoint === 0x20 ? 3 : codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

export function tokenBoundOf(text: string): number {
  let bound = 0;
  for (const character of text) bound += tokenBound(character.codePointAt(0)!);
  return bound;
}

/**
 * Pieces of text that cost at most `budget` tokens (by `tokenBound`), cut at whitespace where one is
 * near, each repeating about `overlap` of the previous one so that a name on a cut is read whole once.
 */
export function chunksOf(text: string, budget: number, overlap: number): Range[] {
  const chunks: Range[] = [];
  let start = 0;
  while (start < text.length) {
    let end = start;
    let cost = 0;
    while (end < text.length) {
      const codePoint = text.codePointAt(end)!;
      // At least one character a piece, whatever the budget, so the loop always moves on.
      if (end > start && cost + tokenBound(codePoint) > budget) break;
      cost += tokenBound(codePoint);
      end += codePoint > 0xffff ? 2 : 1;
    }
    if (end < text.length) {
      const space = text.slice(start, end).search(/\s\S*$/u);
      if (space > (end - start) / 2) end = start + space + 1;
    }
    chunks.push({ start, end });
    if (end >= text.length) break;
    let next = end;
    let repeated = 0;
    while (next > start + 1) {
      const size = tokenBound(text.codePointAt(next - 1)!);
      if (repeated + size > overlap) break;
      repeated += size;
      next -= 1;
    }
    const space = text.slice(next, end).search(/\s/u);
    if (space >= 0 && next + space + 1 < end) next += space + 1;
    if (/[\uDC00-\uDFFF]/.test(text[next] ?? '')) next += 1; // never start inside a surrogate pair
    start = next;
  }
  return chunks;
}

const wordCharacter = String.raw`[\p{L}\p{N}\p{M}]`;

/**
 * Every whole-word occurrence of `found` in `text` (exact; else ignoring case), whitespace runs matching any
 * whitespace.
 */
export function occurrences(text: string, found: string): Range[] {
  const wanted = found.trim();
  // Too short, or no letter at all: not a name or an address, and would match everywhere.
  if ([...wanted].length < 2 || !/\p{L}/u.test(wanted)) return [];
  const pattern = wanted
    .split(/\s+/u)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join(String.raw`\s+`);
  const source = `(?<!${wordCharacter})${pattern}(?!${wordCharacter})`;
  for (const flags of ['gu', 'giu']) {
    const matches = [...text.matchAll(new RegExp(source, flags))].map((match) => ({
      start: match.index,
      end: match.index + match[0].length,
    }));
    if (matches.length > 0) return matches;
  }
  return [];
}

function merged(spans: Span[]): Span[] {
  spans.sort((a, b) => a.label.localeCompare(b.label) || a.start - b.start || b.end - a.end);
  const result: Span[] = [];
  for (const span of spans) {
    const last = result.at(-1);
    if (last && last.label === span.label && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else result.push({ ...span });
  }
  return result.sort((a, b) => a.start - b.start || a.label.localeCompare(b.label));
}

class LocalScanner {
  readonly engine = 'local' as const;
  private readonly labels: Record<string, string>;
  private readonly maxScanBytes: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly provider: Provider,
    private readonly clock: Clock,
    private readonly model: string,
    settings: NerSettings,
    /**
     * Most tokens (by `tokenBound`) of text in one prompt, and the fewest left for the answer: with the prompt, they
     * fit `contextLimit`.
     */
    private readonly chunkTokens: number,
    private readonly answerTokens: number,
    private readonly contextLimit: number,
  ) {
    this.labels = entityLabels(settings);
    this.maxScanBytes = settings.max_scan_bytes ?? deepScanDefaults.max_scan_bytes;
    this.timeoutMs = settings.timeout_ms ?? deepScanDefaults.timeout_ms;
  }

  /** One prompt, the model's raw answer: throws when none could be had (cancelled, timed out, failed). */
  async generate(
    text: string,
    maxTokens: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<{ answer: string; cut: boolean; promptTokens: number }> {
    const request = scanRequest(this.model, text, maxTokens);
    try {
      const { response } = await this.provider.chat(request, { upstreamModel: this.model, deadline, signal });
      // Stopped by the signal, the runtime returns what it had written so far: not an answer.
      if (signal?.aborted) throw abortedError();
      const choice = response.choices[0];
      return {
        answer: typeof choice?.message.content === 'string' ? choice.message.content : '',
        cut: choice?.finish_reason === 'length',
        promptTokens: response.usage?.prompt_tokens ?? 0,
      };
    } catch (error) {
      if (error instanceof DeepScanError) throw error;
      if (signal?.aborted) throw abortedError();
      const reason = error instanceof ProviderError && error.kind === 'timeout' ? 'timed out' : 'failed';
      throw new DeepScanError('model_failed', `the local model ${reason}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The lists the model wrote for one piece of text. */
  private async ask(text: string, signal?: AbortSignal): Promise<Record<keyof typeof entities, string[]>> {
    const maxTokens = this.answerTokens + this.chunkTokens - tokenBoundOf(text);
    // The runtime wants a deadline, on the clock it was created with (the gateway's).
    const { answer, cut, promptTokens } = await this.generate(
      text,
      maxTokens,
      this.clock.now() + this.timeoutMs,
      signal,
    );
    // Fail closed: text the model did not read whole, or an answer it did not finish, is no scan.
    if (promptTokens + maxTokens > this.contextLimit)
      throw new DeepScanError(
        'model_failed',
        `the prompt (${promptTokens} tokens) and answer (${maxTokens}) exceed the local model's context (${this.contextLimit})`,
      );
    if (cut) throw new DeepScanError('model_failed', `the local model's answer did not end within ${maxTokens} tokens`);
    let parsed: { names?: unknown; addresses?: unknown };
    try {
      parsed = JSON.parse(answer) as typeof parsed;
    } catch {
      // The answer itself is not quoted: it may repeat personal data.
      throw new DeepScanError(
        'model_failed',
        'the local model answered with something other than the JSON its grammar allows',
      );
    }
    const strings = (value: unknown): string[] =>
      Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    return { names: strings(parsed.names), addresses: strings(parsed.addresses) };
  }

  async scan(texts: readonly string[], signal?: AbortSignal): Promise<Span[][]> {
    assertScanSize(texts, this.maxScanBytes);
    try {
      return await this.scanAll(texts, signal);
    } catch (error) {
      if (error instanceof DeepScanError) throw error;
      throw new DeepScanError('model_failed', `the local deep scan failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async scanAll(texts: readonly string[], signal?: AbortSignal): Promise<Span[][]> {
    const results: Span[][] = [];
    for (const text of texts) {
      const spans: Span[] = [];
      for (const chunk of text.trim() === ''
        ? []
        : chunksOf(text, this.chunkTokens, Math.min(128, Math.floor(this.chunkTokens / 4)))) {
        if (signal?.aborted) throw abortedError();
        const piece = text.slice(chunk.start, chunk.end);
        if (piece.trim() === '') continue;
        const answer = await this.ask(piece, signal);
        for (const [list, entity] of Object.entries(entities) as Array<[keyof typeof entities, string]>) {
          const label = this.labels[entity];
          if (!label) continue;
          for (const found of answer[list])
            for (const where of occurrences(piece, found))
              spans.push({ start: chunk.start + where.start, end: chunk.start + where.end, label });
        }
      }
      results.push(merged(spans));
    }
    return results;
  }

  close(): Promise<void> {
    return this.provider.close();
  }
}

function configurationError(message: string, cause?: unknown): DeepScanError {
  return new DeepScanError('configuration', `policy.detectors.ner.model: ${message}`, { cause });
}

export async function createLocalScanner(
  settings: NerSettings,
  registry: ModelRegistry | undefined,
  clock: Clock,
): Promise<LocalScanner> {
  if (!registry)
    throw configurationError(
      `engine local runs a model of the weights registry ("${settings.model}"), and no registry is open`,
    );
  const labels = entityLabels(settings);
  if (!Object.values(entities).some((entity) => labels[entity]))
    throw new DeepScanError(
      'configuration',
      `policy.detectors.ner.labels: the local engine reports the entities NAME and ADDRESS, and neither maps to a label`,
    );
  const name = settings.model;
  // Threat: weights swapped on disk. They are checked against their signed manifest here, and again
  // before every load (the provider's resolve), never loaded unverified.
  const verify = async (): Promise<{ path: string; sha256: string; contextLength: number | null }> => {
    let verified;
    try {
      verified = await registry.verify(name);
    } catch (error) {
      throw configurationError((error as Error).message, error);
    }
    const model = verified.model;
    if (model.kind !== 'gguf' || !model.path)
      throw configurationError(`"${name}" is registered as ${model.kind}, not as a GGUF file this process can run`);
    const metadata = JSON.parse(model.metadata) as { contextLength?: unknown };
    return {
      path: model.path,
      sha256: model.sha256,
      contextLength: typeof metadata.contextLength === 'number' ? metadata.contextLength : null,
    };
  };
  const { contextLength } = await verify();
  const contextSize = Math.min(contextCeiling, contextLength ?? contextCeiling);
  const provider = createLocalProvider(
    {
      description: {
        id: 'deep-scan',
        kind: 'local',
        jurisdiction: 'in-process',
        operator: 'this gateway',
        ownership: 'owned',
        models: [name],
      },
      resolve: async () => {
        const { path, sha256 } = await verify();
        return { path, sha256 };
      },
      threads: settings.threads ?? deepScanDefaults.threads,
      contextSize,
      sequences: 1,
      maxQueue: 64,
      // Never unloaded while the gateway runs: a reload would make the next scan miss its timeout.
      idleUnloadMs: 2 ** 31 - 1,
    },
    clock,
  );
  const probe = new LocalScanner(provider, clock, name, settings, 0, 0, contextSize);
  try {
    // Loads the model now (verified), builds the grammar, and measures what the prompt costs around
    // its text (with one letter: a chat template may leave an empty message out altogether).
    const { promptTokens: probeTokens } = await probe.generate('a', 16, clock.now() + loadDeadlineMs);
    const promptTokens = probeTokens - 1;
    // node-llama-cpp keeps a tenth of the context free for shifting it, and a prompt that does not fit is cut silently:
    // never let it come to that.
    const contextLimit = contextSize - Math.max(1, Math.floor(contextSize / 10));
    const room = contextLimit - promptTokens - safetyMargin;
    const answerTokens = Math.min(512, Math.floor(room / 2));
    if (room - answerTokens < 32)
      throw configurationError(
        `the context of "${name}" (${contextSize} tokens) leaves no room for text after the prompt (${promptTokens} tokens)`,
      );
    return new LocalScanner(provider, clock, name, settings, room - answerTokens, answerTokens, contextLimit);
  } catch (error) {
    await provider.close();
    throw error instanceof DeepScanError && error.code === 'configuration'
      ? error
      : configurationError(`"${name}" could not be loaded and run: ${(error as Error).message}`, error);
  }
}
