// Validation shared by the dialect parsers: a zod failure as one invalid_request naming the field,
// and the bounds of a parsed request (nesting depth, list and name lengths), each a 400 that names
// the param, so that no client can make the gateway do unbounded work or overflow its stack.
import type { z } from 'zod';
import { GatewayError } from '../core/errors.js';
import { parseJsonBody } from './http-io.js';

export function validationError(error: z.ZodError): GatewayError {
  const issue = error.issues[0]!;
  const param = paramOf(issue.path);
  const where = param === '' ? 'the body' : `"${param}"`;
  return new GatewayError('invalid_request', `Invalid value for ${where}: ${issue.message}`, {
    param: param || undefined,
  });
}

/** `messages[0].content` from ['messages', 0, 'content']. */
function paramOf(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
}

export interface ParseLimits {
  /** Deepest nesting of a body: the body object is level 1. */
  maxDepth: number;
}

/**
 * 64 levels: far more than any API shape needs (a JSON schema nested a dozen deep is rare), far less than what
 * overflows a recursive JSON.stringify further on (a few thousand). The classifier's own bound (pipeline/gateway.ts,
 * 128) sits above it: the neutral request nests at most a few levels deeper than the wire, so the classifier only ever
 * refuses what this cannot see, JSON texts inside strings.
 */
export const defaultParseLimits: ParseLimits = Object.freeze({ maxDepth: 64 });

/**
 * Lengths the dialects bound: each list's items cost per-item work (translation, classification, token counts) and
 * each name is copied into logs, the ledger and error messages. Text itself is bounded by the body size.
 */
export const bounds = Object.freeze({
  /** Model names, ids, tool names, `user`: what logs and the ledger may carry. */
  name: 256,
  /** Messages (chat, Anthropic) and input items (Responses). */
  messages: 10_000,
  /** Content parts (or blocks) of one message. */
  parts: 1_000,
  /** Tool calls of one assistant message. */
  toolCalls: 1_000,
  /** Tools of a request: OpenAI's own limit. */
  tools: 128,
  /** Anthropic tools: no published limit; generous for agents federating many tool servers. */
  anthropicTools: 512,
  /** Stop sequences: more than OpenAI's 4, for the local engines (vLLM, llama.cpp) that take more. */
  stop: 16,
  /** One stop sequence. */
  stopLength: 1_024,
  /** Inputs of one embeddings request: OpenAI's own limit. */
  embeddingInputs: 2_048,
});

/** The body as JSON, refused if it nests deeper than `limits.maxDepth` (for dialects that forward what they do not read). */
export function parseBodyJson(body: Buffer, limits: ParseLimits = defaultParseLimits): unknown {
  const value = parseJsonBody(body);
  checkDepth(value, limits);
  return value;
}

/**
 * Refuses a value that takes the body deeper than `limits.maxDepth`; `at` names where the value sits (its param, and
 * its level in the body: the body itself is level 1). Iterative, and visiting containers only (a long string costs
 * nothing), so the hostile case costs no more than the parse that built it: measured at 2 µs for a typical 22 KB chat
 * body (JSON.parse: 18 µs) and 10 ms for 5 MB of tiny objects (JSON.parse: 67 ms).
 */
export function checkDepth(
  root: unknown,
  limits: ParseLimits,
  at: { param: string; level: number } | undefined = undefined,
): void {
  if (root === null || typeof root !== 'object') return;
  const level = at?.level ?? 1;
  const values: object[] = [root];
  const depths: number[] = [level];
  while (values.length > 0) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (depth > limits.maxDepth) throw tooDeep(root, limits.maxDepth - level + 1, limits.maxDepth, at?.param);
    if (Array.isArray(value)) {
      for (const child of value)
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
    } else {
      for (const key in value) {
        const child = (value as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
}

/** The error, naming where the first too-deep chain starts (its first few steps: the rest would be noise). */
function tooDeep(root: object, levels: number, maxDepth: number, param: string | undefined): GatewayError {
  const steps = deepPath(root, levels).slice(0, 4);
  const named = (param ?? '') + (param !== undefined && steps.length > 0 && typeof steps[0] === 'string' ? '.' : '');
  const where = named + paramOf(steps) || undefined;
  return new GatewayError(
    'invalid_request',
    `The request nests deeper than ${maxDepth} levels${where ? ` (at "${where}")` : ''}; the gateway neither reads nor forwards such a body.`,
    { param: where },
  );
}

/** The keys to a container more than `levels` below `root` (only on the error path: a walk that keeps its keys). */
function deepPath(root: object, levels: number): PropertyKey[] {
  const stack: Array<{ value: object; keys: string[]; next: number }> = [
    { value: root, keys: Object.keys(root), next: 0 },
  ];
  while (stack.length > 0) {
    if (stack.length > levels) return stack.slice(0, -1).map(keyOf);
    const frame = stack.at(-1)!;
    if (frame.next >= frame.keys.length) {
      stack.pop();
      continue;
    }
    frame.next += 1;
    const child = (frame.value as Record<string, unknown>)[frame.keys[frame.next - 1]!];
    if (child !== null && typeof child === 'object') stack.push({ value: child, keys: Object.keys(child), next: 0 });
  }
  return [];
}

function keyOf(frame: { value: object; keys: string[]; next: number }): PropertyKey {
  const key = frame.keys[frame.next - 1]!;
  return Array.isArray(frame.value) ? Number(key) : key;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A value the gateway digests as RFC 8785 JSON (an action's params, for its receipt and ledger entry): within the depth
 * bound, and without a lone surrogate in any string or key, which RFC 8785 cannot encode (RFC 7493 §2.1) and the
 * encoder refuses with a TypeError. Walks strings too, so it is for small values, not whole request bodies.
 */
export function checkCanonicalJson(root: unknown, limits: ParseLimits, at: { param: string; level: number }): void {
  checkDepth(root, limits, at);
  const values: unknown[] = [root];
  while (values.length > 0) {
    const value = values.pop();
    if (typeof value === 'string') {
      if (loneSurrogate.test(value))
        throw new GatewayError(
          'invalid_request',
          `Invalid '${at.param}': a string is not valid Unicode (a lone surrogate).`,
          {
            param: at.param,
          },
        );
    } else if (Array.isArray(value)) for (const item of value) values.push(item);
    else if (value !== null && typeof value === 'object')
      for (const [key, child] of Object.entries(value)) values.push(key, child);
  }
}

/**
 * `metadata.labels`, which the pipeline reads as text: a string, or a list of strings. Anything else is refused here
 * rather than turned into "[object Object]" (or a TypeError) further on.
 */
export function checkDeclaredLabels(metadata: unknown, param = 'metadata.labels'): void {
  if (metadata === null || typeof metadata !== 'object' || !('labels' in metadata)) return;
  const labels = (metadata as { labels: unknown }).labels;
  if (labels === undefined || labels === null || typeof labels === 'string') return;
  if (Array.isArray(labels) && labels.length <= 64 && labels.every((label) => typeof label === 'string')) return;
  throw new GatewayError(
    'invalid_request',
    `Invalid '${param}': expected a string of comma-separated labels or a list of at most 64 strings.`,
    { param },
  );
}
