// The onnx engine of the deep scan: a local token-classification model directory (never a hub id),
// run by onnxruntime-node in one worker thread so that inference never blocks the event loop. This
// side checks the directory, starts the worker, and hands it texts; the worker does the rest.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NerSettings } from '../config/schema.js';
import type { Span } from '../policy/detectors.js';
import type { OnnxWorkerSettings, WorkerReply, WorkerRequest } from './deep-scan-onnx-worker.js';
import { abortedError, assertScanSize, DeepScanError, deepScanDefaults, entityLabels } from './deep-scan-settings.js';

const requiredFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];
const layout =
  'a token-classification model exported to ONNX: config.json (with model_type and id2label), tokenizer.json, tokenizer_config.json and onnx/model.onnx';

function configurationError(message: string, cause?: unknown): DeepScanError {
  return new DeepScanError('configuration', `policy.detectors.ner.model: ${message}`, { cause });
}

/**
 * The model directory, checked before anything loads: a missing or incomplete one is a configuration error, not a
 * download.
 */
async function modelDirectory(model: string): Promise<string> {
  const directory = resolve(model);
  const isDirectory = await stat(directory).then(
    (entry) => entry.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    const hubHint = /^[\w.-]+\/[\w.-]+$/.test(model)
      ? ` It looks like a hub model id: models are never fetched from a hub here; download and export "${model}" elsewhere, then name its directory.`
      : '';
    throw configurationError(
      `"${model}" is not a directory (${directory}); the onnx engine reads ${layout}.${hubHint}`,
    );
  }
  const present = await Promise.all(
    requiredFiles.map((file) =>
      stat(join(directory, file)).then(
        (entry) => entry.isFile(),
        () => false,
      ),
    ),
  );
  const missing = requiredFiles.filter((_, index) => !present[index]);
  if (missing.length > 0)
    throw configurationError(`${directory} lacks ${missing.join(', ')}; the onnx engine reads ${layout}`);
  let config: { model_type?: unknown; id2label?: unknown };
  try {
    config = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as typeof config;
  } catch (error) {
    throw configurationError(
      `${join(directory, 'config.json')} is not valid JSON (${(error as Error).message})`,
      error,
    );
  }
  if (
    typeof config.model_type !== 'string' ||
    typeof config.id2label !== 'object' ||
    config.id2label === null ||
    Object.keys(config.id2label).length === 0
  ) {
    throw configurationError(
      `${join(directory, 'config.json')} needs model_type and id2label (the labels of a token-classification model)`,
    );
  }
  return directory;
}

// The worker is this file's sibling: .js when built; .ts when run from source with tsx, whose loader
// hooks Node 20 does not pass on to workers, so the worker registers them itself before loading it.
const fromSource = extname(fileURLToPath(import.meta.url)) === '.ts';
const workerFile = new URL(`./deep-scan-onnx-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);

function startWorker(
  settings: OnnxWorkerSettings,
): Promise<{ worker: Worker; ready: Extract<WorkerReply, { type: 'ready' }> }> {
  const options = { workerData: { deepScan: settings } };
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(workerFile.href)}); })`,
        { ...options, eval: true },
      )
    : new Worker(workerFile, options);
  return new Promise((settle, fail) => {
    const onMessage = (reply: WorkerReply): void => {
      cleanup();
      if (reply.type === 'ready') {
        settle({ worker, ready: reply });
        return;
      }
      void worker.terminate();
      if (reply.type === 'failed' && reply.dependencyMissing) {
        fail(
          new DeepScanError(
            'configuration',
            'policy.detectors.ner engine onnx needs the optional dependency @huggingface/transformers (npm install @huggingface/transformers)',
            { cause: new Error(reply.message) },
          ),
        );
        return;
      }
      fail(
        configurationError(
          `the model in ${settings.directory} could not be loaded: ${reply.type === 'failed' ? reply.message : 'unexpected reply'}`,
        ),
      );
    };
    const onError = (error: Error): void => {
      cleanup();
      fail(configurationError(`the model in ${settings.directory} could not be loaded: ${error.message}`, error));
    };
    const onExit = (code: number): void => {
      cleanup();
      fail(configurationError(`the worker loading ${settings.directory} stopped (exit code ${code})`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

interface Pending {
  resolve(spans: Span[][]): void;
  reject(error: DeepScanError): void;
}

class OnnxScanner {
  readonly engine = 'onnx' as const;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: DeepScanError | undefined;
  private readonly exited: Promise<void>;

  constructor(
    private readonly worker: Worker,
    private readonly maxScanBytes: number,
  ) {
    // Idle, the worker does not keep the process alive; a scan in flight does.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type !== 'result' && reply.type !== 'error') return;
      const pending = this.pending.get(reply.id);
      if (!pending) return; // cancelled meanwhile
      this.forget(reply.id);
      if (reply.type === 'result') pending.resolve(reply.spans);
      else
        pending.reject(
          reply.code === 'aborted'
            ? abortedError()
            : new DeepScanError('model_failed', `the onnx model failed: ${reply.message}`),
        );
    });
    worker.on('error', (error) =>
      this.stop(new DeepScanError('model_failed', `the onnx worker failed: ${error.message}`, { cause: error })),
    );
    this.exited = new Promise((done) => worker.once('exit', () => done()));
    void this.exited.then(() => this.stop(new DeepScanError('model_failed', 'the onnx worker stopped')));
  }

  private forget(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private stop(reason: DeepScanError): void {
    this.stopped ??= reason;
    for (const [id, pending] of this.pending) {
      this.forget(id);
      pending.reject(this.stopped);
    }
  }

  scan(texts: readonly string[], signal?: AbortSignal): Promise<Span[][]> {
    return new Promise((resolve, reject) => {
      assertScanSize(texts, this.maxScanBytes);
      if (this.stopped) throw this.stopped;
      if (signal?.aborted) throw abortedError();
      if (texts.every((text) => text.trim() === '')) return resolve(texts.map(() => []));
      const id = this.nextId++;
      const onAbort = (): void => {
        if (!this.pending.has(id)) return;
        this.forget(id);
        // The worker stops before its next batch; the caller does not wait for it.
        this.worker.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
        reject(abortedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (spans) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(spans);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.worker.ref();
      this.worker.postMessage({ type: 'scan', id, texts } satisfies WorkerRequest);
    });
  }

  /** Scans in flight are refused (`closed`); the worker frees the model and exits. */
  async close(): Promise<void> {
    if (!this.stopped) {
      this.stop(new DeepScanError('closed', 'the deep scanner is closed'));
      this.worker.ref();
      this.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    }
    await this.exited;
  }
}

export async function createOnnxScanner(settings: NerSettings): Promise<OnnxScanner> {
  const directory = await modelDirectory(settings.model);
  const labels = entityLabels(settings);
  const { worker, ready } = await startWorker({
    directory,
    minScore: settings.min_score ?? deepScanDefaults.min_score,
    threads: settings.threads ?? deepScanDefaults.threads,
    labels,
  });
  // A model none of whose entities maps to a label would find nothing, ever, and say nothing of it.
  if (!ready.entities.some((entity) => labels[entity])) {
    await worker.terminate();
    const setting = settings.labels ? 'policy.detectors.ner.labels' : 'policy.detectors.ner.model';
    throw new DeepScanError(
      'configuration',
      `${setting}: none of the entities of the model in ${directory} (${ready.entities.join(', ')}) maps to a label${settings.labels ? '' : ' by default (PER, PERSON, NAME, ADDRESS, STREET…); map them with policy.detectors.ner.labels'}`,
    );
  }
  return new OnnxScanner(worker, settings.max_scan_bytes ?? deepScanDefaults.max_scan_bytes);
}
