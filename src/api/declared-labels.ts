// Labels a caller declares travel in `metadata.labels` (both dialects) or the `x-sovereign-labels`
// header. They are the gateway's business: taken out of the metadata before it is forwarded.
import type { IncomingMessage } from 'node:http';
import { callerLabels } from '../pipeline/classify.js';

/** Removes `labels` from a metadata object (returning the rest, or undefined if nothing is left) and returns them. */
export function takeLabels(metadata: unknown): { labels: unknown; rest: unknown } {
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata) || !('labels' in metadata))
    return { labels: undefined, rest: metadata };
  const { labels, ...rest } = metadata as Record<string, unknown>;
  return { labels, rest: Object.keys(rest).length > 0 ? rest : undefined };
}

export function declaredLabels(request: IncomingMessage, fromBody: unknown): string[] {
  return callerLabels(request.headers['x-sovereign-labels'], { labels: fromBody });
}
