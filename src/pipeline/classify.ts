// Classification: every string of the request as it will leave the gateway (the neutral request
// that every provider's translation draws from, its passthrough and unknown fields included) is
// run through the detectors, wherever it sits; the labels found, plus those the caller declares,
// decide where the request may go. Callers can add labels, never remove one the detectors found.
import type { ChatRequest, EmbeddingsRequest } from '../core/chat.js';
import { GatewayError } from '../core/errors.js';
import { detect, resolveOverlaps, type Span } from '../policy/detectors.js';
import {
  collectTargets,
  detectTargets,
  displayPath,
  labelsOf,
  pathOf,
  type Finding,
  type OpaqueContent,
  type PathSegment,
  type ScanLimits,
  type ScanRoot,
  type ScanTarget,
} from '../policy/scan.js';

export type { Finding } from '../policy/scan.js';

export interface Classification {
  labels: string[];
  /** The labels the caller declared (a subset of `labels`). */
  declared: string[];
  /** Only the texts where something was found. */
  findings: Finding[];
  /** Every text that was scanned (for the model layer, which reads them all). */
  targets: readonly ScanTarget[];
  /** Content the gateway could not read in full (labelled `opaque.<kind>`). */
  opaque: readonly OpaqueContent[];
  /** Findings in a provider's own translation of the request (labels only: redaction works on the neutral request). */
  translated?: ReadonlyArray<{ kind: string; findings: readonly Finding[] }>;
}

/** Where each label was found, as JSON paths that never repeat the data (for the ledger and explanations). */
export interface LabelLocation {
  label: string;
  path: string;
  /** Set when the finding is the object key at `path`, not its value. */
  key?: true;
}

export interface ClassifySettings extends ScanLimits {
  /** Lets other work run between slices of a large scan. */
  pause: () => Promise<void>;
}

const labelSyntax = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/** Labels from the `x-sovereign-labels` header and the body's `metadata.labels`. */
export function callerLabels(header: string | string[] | undefined, metadata: unknown): string[] {
  const labels: string[] = [];
  const headerText = Array.isArray(header) ? header.join(',') : header;
  if (headerText) labels.push(...headerText.split(','));
  const fromBody = (metadata as { labels?: unknown } | undefined)?.labels;
  if (typeof fromBody === 'string') labels.push(...fromBody.split(','));
  else if (Array.isArray(fromBody)) labels.push(...fromBody.map(String));
  const clean = labels.map((label) => label.trim().toLowerCase()).filter((label) => label !== '');
  // Labels go into the ledger for good: they name kinds of data and must not carry any (the message does not repeat
  // them).
  for (const label of clean) {
    if (!labelSyntax.test(label) || label.length > 64)
      throw new GatewayError(
        'invalid_request',
        'Invalid label: labels are lowercase words separated by dots (pii.email, confidential), at most 64 characters.',
        { param: 'x-sovereign-labels' },
      );
    if (detect(label).length > 0)
      throw new GatewayError(
        'invalid_request',
        'Invalid label: a label names a kind of data and must not carry data itself.',
        { param: 'x-sovereign-labels' },
      );
  }
  return clean;
}

/**
 * The gateway's own fields of a neutral request: they steer the call and never leave (the client's model name is
 * replaced by the upstream's).
 */
const gatewayFields: ReadonlySet<string> = new Set(['model', 'stream', 'includeUsage', 'declaredLabels', 'extra']);

/**
 * A neutral request as every provider reads it: its typed fields, and `extra` (passthrough and unknown fields, sent as
 * top-level fields).
 */
export function outgoingRoots(request: ChatRequest | EmbeddingsRequest): ScanRoot[] {
  return [
    { path: [], value: request, skip: gatewayFields },
    { path: ['extra'], value: request.extra },
  ];
}

/** A finding's path as the upstream sees it: `extra` fields are top-level fields there. */
export function wirePath(path: readonly PathSegment[]): readonly PathSegment[] {
  return path[0] === 'extra' ? path.slice(1) : path;
}

/** Scans values for the detectors: what was found, where, and what could not be read. */
export async function scanValues(
  roots: readonly ScanRoot[],
  settings: ClassifySettings,
): Promise<{ findings: Finding[]; targets: ScanTarget[]; opaque: OpaqueContent[] }> {
  const collected = await collectTargets(roots, settings, settings.pause);
  if (!collected.ok) {
    if (collected.reason === 'too_deep')
      throw new GatewayError(
        'invalid_request',
        `The request nests deeper than ${settings.maxDepth} levels, which the gateway neither scans nor forwards.`,
      );
    throw new GatewayError(
      'scan_limit_exceeded',
      `The request carries more text than the policy scans (policy.max_scan_bytes: ${settings.maxChars}); it is refused rather than sent unscanned.`,
    );
  }
  return {
    findings: await detectTargets(collected.targets, settings.pause),
    targets: collected.targets,
    opaque: collected.opaque,
  };
}

/** Token ids (embeddings input as integers) are text the gateway cannot read without the model's tokenizer. */
function tokenInput(request: ChatRequest | EmbeddingsRequest): OpaqueContent[] {
  if (
    !('input' in request) ||
    !Array.isArray(request.input) ||
    request.input.length === 0 ||
    typeof request.input[0] === 'string'
  )
    return [];
  return [{ path: ['input'], kind: 'tokens' }];
}

export function labelsWith(
  declared: readonly string[],
  findings: readonly Finding[],
  opaque: readonly OpaqueContent[],
): string[] {
  return [
    ...new Set<string>([...declared, ...labelsOf(findings), ...opaque.map((content) => `opaque.${content.kind}`)]),
  ].sort();
}

export async function classifyRequest(
  request: ChatRequest | EmbeddingsRequest,
  declared: readonly string[],
  settings: ClassifySettings,
): Promise<Classification> {
  const { findings, targets, opaque } = await scanValues(outgoingRoots(request), settings);
  const allOpaque = [...opaque, ...tokenInput(request)];
  return {
    labels: labelsWith(declared, findings, allOpaque),
    declared: [...new Set(declared)].sort(),
    findings,
    targets,
    opaque: allOpaque,
  };
}

/**
 * The classification with more spans found in its targets (by the model layer): overlaps resolved again, labels
 * recomputed.
 */
export function withSpans(
  classification: Classification,
  spansByTarget: ReadonlyArray<readonly Span[]>,
): Classification {
  const byIndex = new Map(classification.findings.map((finding) => [finding.index, finding]));
  spansByTarget.forEach((extra, index) => {
    const target = classification.targets[index];
    if (extra.length === 0 || !target) return;
    byIndex.set(index, {
      ...target,
      index,
      path: pathOf(target.node),
      spans: resolveOverlaps([...(byIndex.get(index)?.spans ?? []), ...extra.map((span) => ({ ...span }))]),
    });
  });
  const findings = [...byIndex.values()].sort((a, b) => a.index - b.index);
  // Spans only add: every label known before stays.
  const labels = new Set<string>([...classification.labels, ...labelsOf(findings)]);
  return { ...classification, labels: [...labels].sort(), findings };
}
/** At most this many locations go into a ledger entry (entries stay small whatever the request). */
const maxLocations = 32;

/** Each label with the places it was found, deduplicated, in path order; capped, with the count left out. */
export function labelLocations(classification: Pick<Classification, 'findings' | 'opaque' | 'translated'>): {
  locations: LabelLocation[];
  omitted: number;
} {
  const seen = new Set<string>();
  const all: LabelLocation[] = [];
  const add = (label: string, path: string, key: boolean): void => {
    const id = `${label} ${path} ${key ? 'k' : ''}`;
    if (seen.has(id)) return;
    seen.add(id);
    all.push(key ? { label, path, key: true } : { label, path });
  };
  for (const finding of classification.findings)
    for (const span of finding.spans) add(span.label, displayPath(wirePath(finding.path)), finding.where === 'key');
  for (const content of classification.opaque)
    add(`opaque.${content.kind}`, displayPath(wirePath(content.path)), false);
  // Found only in a provider's translation: the path is into that provider's request.
  for (const { kind, findings } of classification.translated ?? [])
    for (const finding of findings)
      for (const span of finding.spans)
        add(span.label, `${kind}:${displayPath(finding.path)}`, finding.where === 'key');
  return { locations: all.slice(0, maxLocations), omitted: Math.max(0, all.length - maxLocations) };
}
