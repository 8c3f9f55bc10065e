// A dataset export, streamed: captures are read a page at a time in creation order, opened, joined
// with their feedback, turned into rows (dataset.ts), scrubbed by the policy's detectors and written
// line by line to the train and validation sinks (split by episode), with the SHA-256 of each file
// taken as it is written. Memory stays bounded by one page, whatever the store holds. The manifest
// (counts, filters, digests, the ledger indices the rows came from) is returned for the caller to
// write beside the files and record in the ledger.
import { createHash, type Hash } from 'node:crypto';
import type { LearningStore, StoredCapture } from '../store/learning-store.js';
import { type CaptureSealer, openCapture } from './capture.js';
import {
  type CallWithFeedback,
  checkFilter,
  checkFormat,
  type ExportFilter,
  type ExportFormat,
  type ExportKind,
  rowsOf,
  Scrubber,
  splitOf,
} from './dataset.js';
import type { CapturedCall, FeedbackRecord, MetricDefinition } from './types.js';

/** Where rows go: a line at a time; resolves when the sink can take more (backpressure). */
export interface LineSink {
  write(line: string): Promise<void>;
}

export interface ExportRequest {
  kind: ExportKind;
  format: ExportFormat;
  filter: ExportFilter;
  since?: number;
  alias?: string;
  /** Share of episodes sent to validation (0: none). */
  split: number;
  /** Mixed into the split's hash, so another seed gives another split. */
  seed?: string;
}

export interface ExportFile {
  split: 'train' | 'validation';
  rows: number;
  sha256: string;
}

export interface ExportManifest {
  format: 'sovereign-dataset-manifest';
  version: 1;
  kind: ExportKind;
  dataset_format: ExportFormat;
  filters: { metric?: string; min?: number; since?: string; alias?: string; split: number; seed?: string };
  files: ExportFile[];
  rows: number;
  captures_read: number;
  /** Values the detectors found and replaced, per label. */
  scrubbed: Record<string, number>;
  /** The receipt indices of the calls the rows came from, in order. */
  sources: number[];
  created_at: string;
}

export interface ExportOptions {
  store: LearningStore;
  sealer: CaptureSealer;
  /** Opens a stored feedback (learning/feedback.ts FeedbackService.open). */
  openFeedback: (row: Awaited<ReturnType<LearningStore['feedbackFor']>>[number]) => FeedbackRecord;
  metrics: Readonly<Record<string, MetricDefinition>>;
  now: () => number;
  pageSize?: number;
}

/** Runs an export into the sinks; the manifest of what was written. */
export async function exportDataset(
  request: ExportRequest,
  sinks: { train: LineSink; validation?: LineSink },
  options: ExportOptions,
): Promise<ExportManifest> {
  checkFormat(request.kind, request.format);
  checkFilter(request.kind, request.filter, options.metrics);
  if (request.split > 0 && !sinks.validation) throw new Error('a split needs a validation sink');
  const pageSize = options.pageSize ?? 500;
  const scrubber = new Scrubber();
  const files: Record<'train' | 'validation', { rows: number; hash: Hash }> = {
    train: { rows: 0, hash: createHash('sha256') },
    validation: { rows: 0, hash: createHash('sha256') },
  };
  const sources: number[] = [];
  let read = 0;
  let after: { createdAt: number; id: string } | undefined;
  const now = options.now();
  for (;;) {
    const page = await options.store.captures(
      { since: request.since, alias: request.alias, role: 'primary', now },
      after,
      pageSize,
    );
    if (page.length === 0) break;
    after = { createdAt: page[page.length - 1]!.createdAt, id: page[page.length - 1]!.id };
    read += page.length;
    const calls = page.map((stored) => openCapture(stored, options.sealer));
    const feedback = (
      await options.store.feedbackFor({
        captureIds: page.map((stored) => stored.id),
        episodeIds: [...new Set(page.map((stored) => stored.episodeId))],
      })
    ).map(options.openFeedback);
    const others = await preferredOthers(feedback, calls, options);
    const lookup = (id: string): CapturedCall | undefined => others.get(id);
    for (const call of calls) {
      const entry: CallWithFeedback = {
        call,
        feedback: feedback.filter(
          (item) => item.captureId === call.id || (item.captureId === null && item.episodeId === call.episodeId),
        ),
      };
      const rows = rowsOf(request.kind, request.format, entry, request.filter, options.metrics, lookup);
      if (rows.length === 0) continue;
      const split = splitOf(call.episodeId, request.split, request.seed);
      const sink = split === 'train' ? sinks.train : sinks.validation!;
      for (const row of rows) {
        const line = `${JSON.stringify(scrubber.scrub(row))}\n`;
        files[split].rows += 1;
        files[split].hash.update(line);
        await sink.write(line);
      }
      if (call.receipt !== null) sources.push(call.receipt);
    }
    if (page.length < pageSize) break;
  }
  const written: ExportFile[] = [{ split: 'train', rows: files.train.rows, sha256: files.train.hash.digest('hex') }];
  if (sinks.validation)
    written.push({ split: 'validation', rows: files.validation.rows, sha256: files.validation.hash.digest('hex') });
  return {
    format: 'sovereign-dataset-manifest',
    version: 1,
    kind: request.kind,
    dataset_format: request.format,
    filters: {
      ...(request.filter.metric !== undefined ? { metric: request.filter.metric } : {}),
      ...(request.filter.min !== undefined ? { min: request.filter.min } : {}),
      ...(request.since !== undefined ? { since: new Date(request.since).toISOString() } : {}),
      ...(request.alias !== undefined ? { alias: request.alias } : {}),
      split: request.split,
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
    },
    files: written,
    rows: files.train.rows + files.validation.rows,
    captures_read: read,
    scrubbed: { ...scrubber.counts },
    sources,
    created_at: new Date(options.now()).toISOString(),
  };
}

/** The captures that preference feedback of this page names and the page does not hold (the rejected answers). */
async function preferredOthers(
  feedback: readonly FeedbackRecord[],
  calls: readonly CapturedCall[],
  options: ExportOptions,
): Promise<Map<string, CapturedCall>> {
  const known = new Map(calls.map((call) => [call.id, call]));
  for (const item of feedback) {
    if (item.metric !== 'preference') continue;
    const value = item.value as { chosen?: unknown; rejected?: unknown };
    for (const id of [value.chosen, value.rejected]) {
      if (typeof id !== 'string' || known.has(id)) continue;
      const stored: StoredCapture | undefined = await options.store.captureBy({ id }, undefined, options.now());
      if (stored) known.set(id, openCapture(stored, options.sealer));
    }
  }
  return known;
}
