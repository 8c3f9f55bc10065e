// Shapes the Responses and Conversations endpoints share: list pages (cursor paging as the API
// does it: `after` an item id, `limit` 1–100, `order` desc by default) and metadata (at most 16
// pairs, keys up to 64 characters, values up to 512).
import { GatewayError } from '../core/errors.js';
import type { Item } from '../state/items.js';

export function pageOf(query: URLSearchParams): { after?: string; limit: number; order: 'asc' | 'desc' } {
  const limitText = query.get('limit');
  const limit = limitText === null ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new GatewayError('invalid_request', "Invalid 'limit': expected an integer from 1 to 100.", {
      param: 'limit',
    });
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc')
    throw new GatewayError('invalid_request', "Invalid 'order': expected 'asc' or 'desc'.", { param: 'order' });
  const after = query.get('after');
  return after ? { after, limit, order } : { limit, order };
}

export function listBody(items: readonly Item[], hasMore: boolean): string {
  return JSON.stringify({
    object: 'list',
    data: items,
    first_id: items[0]?.id ?? null,
    last_id: items.at(-1)?.id ?? null,
    has_more: hasMore,
  });
}

export function metadataOf(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new GatewayError('invalid_request', "Invalid 'metadata': expected an object of strings.", {
      param: 'metadata',
    });
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 16)
    throw new GatewayError(
      'invalid_request',
      `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with ${entries.length} properties instead.`,
      { param: 'metadata' },
    );
  for (const [key, value] of entries) {
    if (key.length > 64)
      throw new GatewayError(
        'invalid_request',
        `Invalid property name in 'metadata': a key is too long. Expected a string with maximum length 64, but got a string with length ${key.length} instead.`,
        { param: 'metadata' },
      );
    if (typeof value !== 'string')
      throw new GatewayError('invalid_request', "Invalid 'metadata': every value must be a string.", {
        param: 'metadata',
      });
    if (value.length > 512)
      throw new GatewayError(
        'invalid_request',
        `Invalid 'metadata': a value is too long. Expected a string with maximum length 512, but got a string with length ${value.length} instead.`,
        { param: 'metadata' },
      );
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** `items` of a conversation request: at most 20 at a time. */
export function checkItemCount(items: readonly unknown[]): void {
  if (items.length > 20)
    throw new GatewayError(
      'invalid_request',
      `Invalid 'items': array too long. Expected an array with maximum length 20, but got an array with length ${items.length} instead.`,
      { param: 'items' },
    );
}
