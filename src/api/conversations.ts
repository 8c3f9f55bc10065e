// The Conversations API: a conversation is a list of items kept (sealed) in the gateway, that any
// turn of the Responses API may continue, on any provider. Labels declared for its items travel
// with it; every turn classifies the items again, as it sends them again.
import { GatewayError } from '../core/errors.js';
import { callerLabels } from '../pipeline/classify.js';
import { isJsonObject, type Item, parseItem } from '../state/items.js';
import type { ResponsesState } from '../state/responses.js';
import type { Exchange, Reply } from './exchange.js';
import { parseJsonBody } from './http-io.js';
import { checkItemCount, listBody, metadataOf, pageOf } from './state-shapes.js';

export const conversationsPath = '/v1/conversations';
export const conversationsPrefix = '/v1/conversations/';

function jsonBody(exchange: Exchange): Record<string, unknown> {
  // An empty body is an empty request here (POST /v1/conversations may carry nothing).
  if (exchange.body.length === 0) return {};
  const raw = parseJsonBody(exchange.body);
  if (!isJsonObject(raw))
    throw new GatewayError('invalid_request', 'The request body must be a JSON object.', { param: 'body' });
  return raw;
}

/** Items to add: plain items only (an item_reference would copy another container's text in). */
function itemsOf(raw: unknown, required: boolean): Item[] {
  if (raw === undefined || raw === null) {
    if (required) throw new GatewayError('invalid_request', "Missing required parameter: 'items'.", { param: 'items' });
    return [];
  }
  if (!Array.isArray(raw))
    throw new GatewayError('invalid_request', "Invalid 'items': expected an array of items.", { param: 'items' });
  checkItemCount(raw);
  return raw.map((entry, index) => {
    const item = parseItem(entry, `items[${index}]`);
    if (item.type === 'item_reference')
      throw new GatewayError(
        'invalid_request',
        `Invalid 'items[${index}]': an item_reference cannot be added to a conversation; send the item itself.`,
        { param: `items[${index}]` },
      );
    return item;
  });
}

// What a conversation carries from turn to turn is the labels declared for its items (the x-sovereign-labels header,
// metadata.labels); what the detectors would find in them is found again at every turn, since every item is sent, and
// so classified, again.
export function createConversationsApi({ state }: { state: ResponsesState }) {
  return {
    /** POST /v1/conversations. */
    async create(exchange: Exchange): Promise<Reply> {
      if (exchange.request.method !== 'POST')
        throw new GatewayError('method_not_allowed', `${conversationsPath} accepts POST only.`);
      const body = jsonBody(exchange);
      const items = itemsOf(body.items, false);
      const metadata = metadataOf(body.metadata);
      const labels = declaredLabels(exchange, metadata);
      return {
        status: 200,
        body: JSON.stringify(await state.createConversation(exchange.tenant.name, items, metadata, labels)),
      };
    },

    /** /v1/conversations/{id} and /v1/conversations/{id}/items[/{item_id}]. */
    async byId(exchange: Exchange, path: string, query: URLSearchParams): Promise<Reply> {
      const [id, collection, itemId, ...rest] = path.slice(conversationsPrefix.length).split('/');
      const owner = exchange.tenant.name;
      const method = exchange.request.method;
      if (!id || rest.length > 0 || (collection !== undefined && collection !== 'items'))
        throw new GatewayError('not_found', `No endpoint ${method} /v1/conversations/{id}/….`);
      if (collection === undefined) {
        if (method === 'GET') return { status: 200, body: JSON.stringify(await state.conversation(owner, id)) };
        if (method === 'POST') {
          const body = jsonBody(exchange);
          if (!('metadata' in body))
            throw new GatewayError('invalid_request', "Missing required parameter: 'metadata'.", { param: 'metadata' });
          return {
            status: 200,
            body: JSON.stringify(await state.updateConversation(owner, id, metadataOf(body.metadata))),
          };
        }
        if (method === 'DELETE') {
          await state.deleteConversation(owner, id);
          return { status: 200, body: JSON.stringify({ id, object: 'conversation.deleted', deleted: true }) };
        }
        throw new GatewayError('method_not_allowed', '/v1/conversations/{id} accepts GET, POST and DELETE.');
      }
      if (itemId === undefined) {
        if (method === 'GET') {
          const { items, hasMore } = await state.conversationItems(owner, id, pageOf(query));
          return { status: 200, body: listBody(items, hasMore) };
        }
        if (method === 'POST') {
          const items = itemsOf(jsonBody(exchange).items, true);
          const labels = declaredLabels(exchange, {});
          const added = await state.addConversationItems(owner, id, items, labels);
          return { status: 200, body: listBody(added, false) };
        }
        throw new GatewayError('method_not_allowed', '/v1/conversations/{id}/items accepts GET and POST.');
      }
      if (method === 'GET')
        return { status: 200, body: JSON.stringify(await state.conversationItem(owner, id, itemId)) };
      if (method === 'DELETE')
        return { status: 200, body: JSON.stringify(await state.deleteConversationItem(owner, id, itemId)) };
      throw new GatewayError('method_not_allowed', '/v1/conversations/{id}/items/{item_id} accepts GET and DELETE.');
    },
  };
}

/**
 * Labels the caller declares for what it stores: the `x-sovereign-labels` header and `metadata.labels`, checked as for
 * a call.
 */
function declaredLabels(exchange: Exchange, metadata: Record<string, string>): string[] {
  return callerLabels(exchange.request.headers['x-sovereign-labels'], { labels: metadata.labels });
}
