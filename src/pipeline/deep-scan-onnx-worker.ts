// The onnx engine's worker thread: loads a token-classification model directory with transformers.js
// (local files only) and turns its labels of tokens into exact character spans of names and
// addresses. onnxruntime-node runs inference synchronously on its calling thread, hence a worker.
import { parentPort, workerData } from 'node:worker_threads';
import type { Span } from '../policy/detectors.js';

export interface OnnxWorkerSettings {
  /** Absolute path of the model directory (checked by the caller). */
  directory: string;
  minScore: number;
  threads: number;
  /** Entity (upper case, no B-/I- prefix) → label. */
  labels: Record<string, string>;
}

export type WorkerRequest =
  | { type: 'scan'; id: number; texts: readonly string[] }
  | { type: 'cancel'; id: number }
  | { type: 'close' };
export type WorkerReply =
  | { type: 'ready'; maxLength: number; entities: string[] }
  | { type: 'failed'; message: string; dependencyMissing: boolean }
  | { type: 'result'; id: number; spans: Span[][] }
  | { type: 'error'; id: number; code: 'aborted' | 'model_failed'; message: string };

// The few parts of @huggingface/transformers used here, typed locally: it is an optional dependency,
// so the gateway must build (and run the other engine) without it.
interface Tensor {
  dims: number[];
  data: Float32Array;
}
interface Tokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
  readonly pad_token_id?: number | null;
  readonly model_max_length: number;
}
interface TokenClassificationModel {
  (inputs: Record<string, unknown>): Promise<{ logits: Tensor }>;
  readonly config: { id2label?: Record<string, string>; max_position_embeddings?: number };
  dispose(): Promise<unknown>;
}
interface Transformers {
  env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    useFSCache: boolean;
    useBrowserCache: boolean;
    useCustomCache: boolean;
    localModelPath: string;
  };
  AutoTokenizer: { from_pretrained(path: string, options: Record<string, unknown>): Promise<Tokenizer> };
  AutoModelForTokenClassification: {
    from_pretrained(path: string, options: Record<string, unknown>): Promise<TokenClassificationModel>;
  };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: number[]) => unknown;
}

class Cancelled extends Error {}

// BERT's pre-tokenizer (whitespace and punctuation, each punctuation character a word of its own,
// each Han character too): a word found here is never split across two words of the tokenizer, so
// its sub-tokens and its offsets in the text belong together.
const punctuation = String.raw`\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E`;
const wordPattern = new RegExp(String.raw`\p{Script=Han}|[${punctuation}]|[^\s${punctuation}\p{Script=Han}]+`, 'gu');

interface Word {
  start: number;
  end: number;
  ids: number[];
}

interface Window {
  text: number;
  /** Word indices [first, end). */
  first: number;
  end: number;
  ids: number[];
  /** Position of each word's first sub-token in `ids`. */
  positions: number[];
}

interface Prediction {
  label: number;
  score: number;
  /** Words between this one and its window's nearer edge: the prediction with the most context wins. */
  margin: number;
}

/**
 * Word ranges of at most `capacity` tokens; each window repeats about `overlap` tokens of the previous one, so no word
 * is judged without context on both sides.
 */
export function windowsOf(
  lengths: readonly number[],
  capacity: number,
  overlap: number,
): Array<{ first: number; end: number }> {
  const windows: Array<{ first: number; end: number }> = [];
  let first = 0;
  while (first < lengths.length) {
    let end = first;
    let count = 0;
    while (end < lengths.length && count + lengths[end]! <= capacity) count += lengths[end++]!;
    windows.push({ first, end });
    if (end >= lengths.length) break;
    let next = end;
    let repeated = 0;
    while (next > first + 1 && repeated + lengths[next - 1]! <= overlap) repeated += lengths[--next]!;
    first = next;
  }
  return windows;
}

function softmaxTop(row: Float32Array): { index: number; score: number } {
  let index = 0;
  for (let label = 1; label < row.length; label += 1) if (row[label]! > row[index]!) index = label;
  let sum = 0;
  for (const value of row) sum += Math.exp(value - row[index]!);
  return { index, score: 1 / sum };
}

/** "B-PER" → ["B", "PER"]; a tag without a prefix continues a run of its entity, as transformers' grouping does. */
function splitTag(tag: string): [string, string] {
  return /^[BIES]-/.test(tag) ? [tag[0]!, tag.slice(2).toUpperCase()] : ['I', tag.toUpperCase()];
}

export class TokenClassifier {
  private readonly capacity: number;
  private readonly maxWordTokens: number;
  private readonly overlap: number;
  private readonly tags: string[];

  private constructor(
    private readonly transformers: Transformers,
    private readonly tokenizer: Tokenizer,
    private readonly model: TokenClassificationModel,
    private readonly settings: OnnxWorkerSettings,
    readonly maxLength: number,
    private readonly prefix: number[],
    private readonly suffix: number[],
  ) {
    const id2label = model.config.id2label ?? {};
    this.tags = Object.keys(id2label)
      .map(Number)
      .sort((a, b) => a - b)
      .map((id) => id2label[id]!);
    this.capacity = maxLength - prefix.length - suffix.length;
    // A "word" of hundreds of tokens is a blob (base64, a hash), not a name: its first tokens decide.
    this.maxWordTokens = Math.max(1, Math.min(64, Math.floor(this.capacity / 2)));
    this.overlap = Math.min(64, Math.floor(this.capacity / 4));
  }

  get entities(): string[] {
    return [...new Set(this.tags.filter((tag) => tag !== 'O').map((tag) => splitTag(tag)[1]))];
  }

  static async load(transformers: Transformers, settings: OnnxWorkerSettings): Promise<TokenClassifier> {
    const { env } = transformers;
    // Threat: weights or a tokenizer fetched from a hub (or a cached copy standing in for the
    // directory's files) would be a model nobody here chose. Only the directory's files are read.
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.useFSCache = false;
    env.useBrowserCache = false;
    env.useCustomCache = false;
    const options = { local_files_only: true };
    const tokenizer = await transformers.AutoTokenizer.from_pretrained(settings.directory, options);
    const model = await transformers.AutoModelForTokenClassification.from_pretrained(settings.directory, {
      ...options,
      device: 'cpu',
      dtype: 'fp32',
      session_options: {
        intraOpNumThreads: settings.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        logSeverityLevel: 3,
      },
    });
    const positions = model.config.max_position_embeddings;
    const tokenizerLimit = tokenizer.model_max_length;
    const maxLength = Math.min(
      typeof positions === 'number' && positions > 0 ? positions : 512,
      Number.isFinite(tokenizerLimit) && tokenizerLimit > 0 && tokenizerLimit < 1e6 ? tokenizerLimit : 512,
    );
    // The special tokens the tokenizer adds around a sequence ([CLS] … [SEP], <s> … </s>), learnt from one probe.
    const bare = tokenizer.encode('a', { add_special_tokens: false });
    const framed = tokenizer.encode('a', { add_special_tokens: true });
    const at = framed.findIndex((_, index) => bare.every((id, offset) => framed[index + offset] === id));
    const prefix = at < 0 ? [] : framed.slice(0, at);
    const suffix = at < 0 ? [] : framed.slice(at + bare.length);
    if (maxLength - prefix.length - suffix.length < 4)
      throw new Error(`its maximum sequence length (${maxLength}) is too short to scan with`);
    return new TokenClassifier(transformers, tokenizer, model, settings, maxLength, prefix, suffix);
  }

  /**
   * Each word tokenized alone (no cache: the words of a prompt are kept no longer than its scan; tokenizing 2 KB takes
   * 2-5 ms, inference 500 ms or more).
   */
  private wordsOf(text: string): Word[] {
    const words: Word[] = [];
    for (const match of text.matchAll(wordPattern)) {
      const ids = this.tokenizer.encode(match[0], { add_special_tokens: false }).slice(0, this.maxWordTokens);
      // A word the tokenizer drops entirely (control characters) is not part of the model's input.
      if (ids.length > 0) words.push({ start: match.index, end: match.index + match[0].length, ids });
    }
    return words;
  }

  async scan(texts: readonly string[], cancelled: () => boolean): Promise<Span[][]> {
    const words = texts.map((text) => this.wordsOf(text));
    const windows: Window[] = [];
    for (const [text, list] of words.entries()) {
      for (const { first, end } of windowsOf(
        list.map((word) => word.ids.length),
        this.capacity,
        this.overlap,
      )) {
        const ids = [...this.prefix];
        const positions: number[] = [];
        for (let index = first; index < end; index += 1) {
          positions.push(ids.length);
          ids.push(...list[index]!.ids);
        }
        ids.push(...this.suffix);
        windows.push({ text, first, end, ids, positions });
      }
    }
    const predictions = words.map((list) => new Array<Prediction | undefined>(list.length));
    // Shortest first, batched while the batch padded to its longest window stays within a few
    // sequences' worth of tokens (bounded memory) and wastes at most a fifth on padding: a full
    // window and a text's short last one run apart (measured: batched, both cost the full length).
    windows.sort((a, b) => a.ids.length - b.ids.length);
    const budget = 4 * this.maxLength;
    for (let start = 0; start < windows.length; ) {
      let end = start + 1;
      let tokens = windows[start]!.ids.length;
      while (end < windows.length) {
        const padded = (end - start + 1) * windows[end]!.ids.length;
        if (padded > budget || padded > 1.25 * (tokens + windows[end]!.ids.length)) break;
        tokens += windows[end++]!.ids.length;
      }
      if (cancelled()) throw new Cancelled();
      await this.classify(windows.slice(start, end), predictions);
      start = end;
    }
    return texts.map((text, index) => this.spansOf(text, words[index]!, predictions[index]!));
  }

  private async classify(batch: Window[], predictions: Array<Array<Prediction | undefined>>): Promise<void> {
    const length = batch.at(-1)!.ids.length;
    const size = batch.length * length;
    const inputIds = new BigInt64Array(size).fill(BigInt(this.tokenizer.pad_token_id ?? 0));
    const attentionMask = new BigInt64Array(size);
    for (const [row, window] of batch.entries()) {
      for (const [column, id] of window.ids.entries()) {
        inputIds[row * length + column] = BigInt(id);
        attentionMask[row * length + column] = 1n;
      }
    }
    const { Tensor } = this.transformers;
    const { logits } = await this.model({
      input_ids: new Tensor('int64', inputIds, [batch.length, length]),
      attention_mask: new Tensor('int64', attentionMask, [batch.length, length]),
      token_type_ids: new Tensor('int64', new BigInt64Array(size), [batch.length, length]),
    });
    const labels = logits.dims[2]!;
    if (labels !== this.tags.length)
      throw new Error(
        `the model gives ${labels} scores per token but config.json names ${this.tags.length} labels (id2label)`,
      );
    for (const [row, window] of batch.entries()) {
      for (let word = window.first; word < window.end; word += 1) {
        const offset = (row * length + window.positions[word - window.first]!) * labels;
        const { index, score } = softmaxTop(logits.data.subarray(offset, offset + labels));
        const margin = Math.min(word - window.first, window.end - 1 - word);
        const known = predictions[window.text]![word];
        if (!known || margin > known.margin) predictions[window.text]![word] = { label: index, score, margin };
      }
    }
  }

  /**
   * Runs of words with one entity (B- opens, I-/E- continue), scored by their mean, kept when mapped to a label and
   * scored at least min_score.
   */
  private spansOf(text: string, words: readonly Word[], predictions: ReadonlyArray<Prediction | undefined>): Span[] {
    const spans: Span[] = [];
    let open: { entity: string; start: number; end: number; score: number; count: number } | undefined;
    const close = (): void => {
      if (!open) return;
      const label = this.settings.labels[open.entity];
      if (label && open.score / open.count >= this.settings.minScore) {
        const last = spans.at(-1);
        // "Quintavius" "Zorblax" told apart (GIVENNAME, SURNAME; or two B- tags) are still one name.
        if (last && last.label === label && text.slice(last.end, open.start).trim() === '') last.end = open.end;
        else spans.push({ start: open.start, end: open.end, label });
      }
      open = undefined;
    };
    for (const [index, word] of words.entries()) {
      const prediction = predictions[index];
      const tag = prediction ? this.tags[prediction.label] : undefined;
      if (!prediction || tag === undefined || tag === 'O') {
        close();
        continue;
      }
      const [position, entity] = splitTag(tag);
      if (open && open.entity === entity && (position === 'I' || position === 'E')) {
        open.end = word.end;
        open.score += prediction.score;
        open.count += 1;
      } else {
        close();
        open = { entity, start: word.start, end: word.end, score: prediction.score, count: 1 };
      }
      if (position === 'E' || position === 'S') close();
    }
    close();
    return spans;
  }

  dispose(): Promise<unknown> {
    return this.model.dispose();
  }
}

async function serve(settings: OnnxWorkerSettings): Promise<void> {
  const port = parentPort!;
  const post = (reply: WorkerReply): void => port.postMessage(reply);
  let transformers: Transformers;
  try {
    // A variable specifier: the optional dependency is not resolved when the gateway is type-checked or built.
    const specifier = '@huggingface/transformers';
    transformers = (await import(specifier)) as Transformers;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    return post({
      type: 'failed',
      message: missing
        ? (error as Error).message
        : `@huggingface/transformers could not be loaded: ${(error as Error).message}`,
      dependencyMissing: missing,
    });
  }
  let classifier: TokenClassifier;
  try {
    classifier = await TokenClassifier.load(transformers, settings);
  } catch (error) {
    return post({ type: 'failed', message: (error as Error).message, dependencyMissing: false });
  }
  post({ type: 'ready', maxLength: classifier.maxLength, entities: classifier.entities });
  /** Scans in progress, each with its cancellation flag (set by a `cancel` between two batches). */
  const running = new Map<number, { cancelled: boolean }>();
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'cancel') {
      const scan = running.get(request.id);
      if (scan) scan.cancelled = true;
    } else if (request.type === 'close') void classifier.dispose().finally(() => port.close());
    else {
      const scan = { cancelled: false };
      running.set(request.id, scan);
      classifier
        .scan(request.texts, () => scan.cancelled)
        .then(
          (spans) => post({ type: 'result', id: request.id, spans }),
          (error: unknown) =>
            post(
              error instanceof Cancelled
                ? { type: 'error', id: request.id, code: 'aborted', message: 'cancelled' }
                : { type: 'error', id: request.id, code: 'model_failed', message: (error as Error).message },
            ),
        )
        .finally(() => running.delete(request.id));
    }
  });
}

if (parentPort && (workerData as { deepScan?: OnnxWorkerSettings } | undefined)?.deepScan)
  void serve((workerData as { deepScan: OnnxWorkerSettings }).deepScan);
