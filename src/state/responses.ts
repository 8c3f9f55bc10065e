// Conversation state kept in the gateway: stored responses (chained by previous_response_id) and
// conversations, their items sealed at rest, their labels carried forward so that a later turn is
// never sent where an earlier item may not go. Every read is scoped to the key's tenant.
import type { Usage } from '../core/chat.js';
import type { Clock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import type { NewItem, StateStore, StoredConversation, StoredItem, StoredResponse } from '../store/state-store.js';
import { type Item, type ItemReference, newId, publicItem } from './items.js';
import type { Sealer } from './sealing.js';

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';

/** The Response object of the API, every member present (nullable ones as null). */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: Item[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  conversation: { id: string } | null;
  reasoning: unknown;
  store: boolean;
  temperature: number | null;
  text: unknown;
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  usage: ResponseUsage | null;
  metadata: Record<string, string>;
  background: boolean;
  user: string | null;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function usageOf(usage: Usage | undefined | null): ResponseUsage {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage?.total_tokens ?? input + output,
  };
}

export interface ConversationObject {
  id: string;
  object: 'conversation';
  created_at: number;
  metadata: Record<string, string>;
}

/** What a turn carries from before it: the items, in order, and every label they brought. */
export interface TurnContext {
  items: Item[];
  /** The new input, item references resolved. */
  input: Item[];
  labels: string[];
}

export interface ResponsesStateOptions {
  clock: Clock;
  /** How long a stored response is served (`state.response_retention_days`). */
  retentionMs: number;
}

/** An id as an error shows it: one of ours as it is, anything else not echoed (it could be data a client typed). */
const shown = (id: string): string =>
  /^(resp|conv|msg|fc|fco|rs|call)_[0-9a-zA-Z]{1,80}$/.test(id) ? `'${id}'` : '(not an id this gateway issues)';
const notFound = (id: string): GatewayError =>
  new GatewayError('response_not_found', `Response with id ${shown(id)} not found.`);
const conversationNotFound = (id: string): GatewayError =>
  new GatewayError('conversation_not_found', `Conversation with id ${shown(id)} not found.`);

/** The items with ids unique among themselves and not in `taken` (a client may send the same item twice). */
function distinct(items: readonly Item[], taken: Set<string>): Item[] {
  return items.map((item) => {
    const unique = taken.has(item.id) ? { ...item, id: newId(item.type) } : item;
    taken.add(unique.id);
    return unique;
  });
}

export class ResponsesState {
  constructor(
    private readonly store: StateStore,
    private readonly sealer: Sealer,
    private readonly options: ResponsesStateOptions,
  ) {}

  /** The items a turn continues from (a chain or a conversation), and its input with references resolved. */
  async context(
    owner: string,
    request: { previousResponseId?: string; conversationId?: string; input: ReadonlyArray<Item | ItemReference> },
  ): Promise<TurnContext> {
    const labels = new Set<string>();
    let items: Item[] = [];
    if (request.previousResponseId) {
      const containers: string[] = [];
      let id: string | null = request.previousResponseId;
      // Newest first; a chain is walked to its start (each hop one read) and then read in one query.
      while (id !== null) {
        const stored = await this.store.response(owner, id, this.options.clock.now());
        if (!stored) {
          if (id === request.previousResponseId)
            throw new GatewayError('previous_response_not_found', `Previous response with id ${shown(id)} not found.`, {
              param: 'previous_response_id',
            });
          break;
        }
        if (containers.length === 0) for (const label of stored.labels) labels.add(label);
        containers.push(stored.id);
        id = stored.previousResponseId;
        if (containers.length > 10_000) break;
      }
      items = this.opened(await this.store.itemsOf(containers.reverse()));
    } else if (request.conversationId) {
      const conversation = await this.store.conversation(owner, request.conversationId);
      if (!conversation) throw conversationNotFound(request.conversationId);
      for (const label of conversation.labels) labels.add(label);
      items = this.opened(await this.store.itemsOf([conversation.id]));
    }
    const references = request.input
      .filter((item): item is ItemReference => item.type === 'item_reference')
      .map((item) => item.id);
    const found = new Map((await this.store.itemsById(owner, references)).map((stored) => [stored.id, stored]));
    const input = request.input.map((item) => {
      if (item.type !== 'item_reference') return item;
      const stored = found.get(item.id);
      if (!stored)
        throw new GatewayError('item_not_found', `Item with id ${shown(item.id)} not found.`, { param: 'input' });
      for (const label of stored.labels) labels.add(label);
      return this.openItem(stored);
    });
    return { items, input, labels: [...labels].sort() };
  }

  /** Stores a finished response: its object, its input and output items, and appends both to its conversation. */
  async save(
    owner: string,
    response: ResponseObject,
    input: readonly Item[],
    labels: readonly string[],
    options: { keepResponse: boolean } = { keepResponse: true },
  ): Promise<void> {
    const now = this.options.clock.now();
    const sealedItems = (items: readonly Item[], role: string): NewItem[] =>
      items.map((item) => this.sealedItem(item, labels, now, role));
    const own = [...sealedItems(distinct(input, new Set()), 'input'), ...sealedItems(response.output, 'output')];
    const conversationItems = await this.turnForConversation(owner, response, input);
    if (!options.keepResponse) {
      // store: false in a conversation: the turn joins the conversation, and no response is kept to retrieve.
      if (!response.conversation) return;
      const appended = await this.store.appendConversationItems(
        owner,
        response.conversation.id,
        sealedItems(conversationItems, 'item'),
      );
      if (!appended) throw conversationNotFound(response.conversation.id);
      return;
    }
    const saved = await this.store.saveResponse(
      this.storedResponse(owner, response, labels, now, this.sealer.seal(JSON.stringify(response), response.id)),
      own,
      response.conversation ? { items: sealedItems(conversationItems, 'item'), labels } : undefined,
    );
    if (!saved) throw conversationNotFound(response.conversation!.id);
  }

  /**
   * Stores a background response as it starts (queued, no output yet) with its input items, so it can be read,
   * listed and cancelled at once; the sealed object it returns is the token its later changes must name.
   */
  async begin(
    owner: string,
    response: ResponseObject,
    input: readonly Item[],
    labels: readonly string[],
  ): Promise<{ token: Buffer; input: Item[] }> {
    const now = this.options.clock.now();
    const unique = distinct(input, new Set());
    const token = this.sealer.seal(JSON.stringify(response), response.id);
    const saved = await this.store.saveResponse(
      this.storedResponse(owner, response, labels, now, token),
      unique.map((item) => this.sealedItem(item, labels, now, 'input')),
    );
    if (!saved) throw conversationNotFound(response.conversation!.id);
    return { token, input: unique };
  }

  /**
   * A background response's new state (in progress, failed), while it is still the one `token` names; the next token,
   * or undefined when it was changed meanwhile (cancelled or deleted, perhaps on another replica).
   */
  async advance(owner: string, response: ResponseObject, token: Buffer): Promise<Buffer | undefined> {
    const sealed = this.sealer.seal(JSON.stringify(response), response.id);
    return (await this.store.updateResponse(owner, response.id, sealed, token)) ? sealed : undefined;
  }

  /**
   * A background response finished: its object and output items stored, its turn appended to its conversation, all
   * only while it is still the one `token` names. Its next token, or undefined when it was cancelled or deleted
   * meanwhile.
   */
  async complete(
    owner: string,
    response: ResponseObject,
    input: readonly Item[],
    labels: readonly string[],
    token: Buffer,
  ): Promise<Buffer | undefined> {
    const now = this.options.clock.now();
    let conversation: { id: string; items: NewItem[]; labels: readonly string[] } | undefined;
    if (response.conversation) {
      const items = await this.turnForConversation(owner, response, input);
      conversation = {
        id: response.conversation.id,
        items: items.map((item) => this.sealedItem(item, labels, now)),
        labels,
      };
    }
    const sealed = this.sealer.seal(JSON.stringify(response), response.id);
    const outcome = await this.store.finishResponse(
      owner,
      response.id,
      {
        sealed,
        expected: token,
        items: response.output.map((item) => this.sealedItem(item, labels, now, 'output')),
        position: input.length,
      },
      conversation,
    );
    if (outcome === 'no_conversation') throw conversationNotFound(response.conversation!.id);
    return outcome === 'saved' ? sealed : undefined;
  }

  /**
   * Cancels a background response that has not finished: stored as cancelled (whichever replica runs it, its finish
   * then stores nothing). A finished one is returned as it is; a response that was not created in the background
   * cannot be cancelled (400, the API's rule).
   */
  async cancel(owner: string, id: string): Promise<ResponseObject> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const stored = await this.store.response(owner, id, this.options.clock.now());
      if (!stored) throw notFound(id);
      const response = JSON.parse(this.sealer.open(stored.sealed, stored.id)) as ResponseObject;
      if (!response.background) throw new GatewayError('invalid_request', 'Cannot cancel a synchronous response.');
      if (response.status !== 'queued' && response.status !== 'in_progress')
        return { ...response, output: response.output.map(publicItem) };
      const cancelled: ResponseObject = { ...response, status: 'cancelled' };
      if (await this.advance(owner, cancelled, stored.sealed))
        return { ...cancelled, output: cancelled.output.map(publicItem) };
      // It changed between the read and the write (it started, or finished): read it again.
    }
    throw new GatewayError('internal_error', 'The response kept changing while it was being cancelled; try again.');
  }

  async get(owner: string, id: string): Promise<ResponseObject> {
    const stored = await this.store.response(owner, id, this.options.clock.now());
    if (!stored) throw notFound(id);
    const response = JSON.parse(this.sealer.open(stored.sealed, stored.id)) as ResponseObject;
    return { ...response, output: response.output.map(publicItem) };
  }

  async delete(owner: string, id: string): Promise<void> {
    if (!(await this.store.deleteResponse(owner, id))) throw notFound(id);
  }

  async inputItems(
    owner: string,
    id: string,
    page: { after?: string; limit: number; order: 'asc' | 'desc' },
  ): Promise<{ items: Item[]; hasMore: boolean }> {
    if (!(await this.store.response(owner, id, this.options.clock.now()))) throw notFound(id);
    const { items, hasMore } = await this.store.itemPage(id, { ...page, role: 'input' });
    return { items: this.opened(items).map(publicItem), hasMore };
  }

  async createConversation(
    owner: string,
    items: readonly Item[],
    metadata: Record<string, string>,
    labels: readonly string[],
  ): Promise<ConversationObject> {
    const now = this.options.clock.now();
    const id = newId('conversation');
    const conversation: StoredConversation = {
      id,
      owner,
      createdAt: now,
      labels: [...labels].sort(),
      sealed: this.sealer.seal(JSON.stringify(metadata), id),
    };
    await this.store.createConversation(
      conversation,
      distinct(items, new Set()).map((item) => this.sealedItem(item, labels, now)),
    );
    return this.conversationObject(conversation);
  }

  async conversation(owner: string, id: string): Promise<ConversationObject> {
    const conversation = await this.store.conversation(owner, id);
    if (!conversation) throw conversationNotFound(id);
    return this.conversationObject(conversation);
  }

  /** The labels a conversation has carried so far (for the policy of a call that adds to it). */
  async conversationLabels(owner: string, id: string): Promise<string[]> {
    const conversation = await this.store.conversation(owner, id);
    if (!conversation) throw conversationNotFound(id);
    return conversation.labels;
  }

  async updateConversation(owner: string, id: string, metadata: Record<string, string>): Promise<ConversationObject> {
    const updated = await this.store.updateConversation(owner, id, this.sealer.seal(JSON.stringify(metadata), id));
    if (!updated) throw conversationNotFound(id);
    return this.conversationObject(updated);
  }

  async deleteConversation(owner: string, id: string): Promise<void> {
    if (!(await this.store.deleteConversation(owner, id))) throw conversationNotFound(id);
  }

  async addConversationItems(
    owner: string,
    id: string,
    items: readonly Item[],
    labels: readonly string[],
  ): Promise<Item[]> {
    const now = this.options.clock.now();
    const unique = distinct(items, await this.takenIn(owner, id, items));
    const stored = await this.store.appendConversationItems(
      owner,
      id,
      unique.map((item) => this.sealedItem(item, labels, now)),
    );
    if (!stored) throw conversationNotFound(id);
    return this.opened(stored).map(publicItem);
  }

  async conversationItems(
    owner: string,
    id: string,
    page: { after?: string; limit: number; order: 'asc' | 'desc' },
  ): Promise<{ items: Item[]; hasMore: boolean }> {
    if (!(await this.store.conversation(owner, id))) throw conversationNotFound(id);
    const { items, hasMore } = await this.store.itemPage(id, page);
    return { items: this.opened(items).map(publicItem), hasMore };
  }

  async conversationItem(owner: string, id: string, itemId: string): Promise<Item> {
    if (!(await this.store.conversation(owner, id))) throw conversationNotFound(id);
    const [stored] = (await this.store.itemsById(owner, [itemId])).filter((item) => item.container === id);
    if (!stored) throw new GatewayError('item_not_found', `Item with id ${shown(itemId)} not found.`);
    return publicItem(this.openItem(stored));
  }

  async deleteConversationItem(owner: string, id: string, itemId: string): Promise<ConversationObject> {
    if (!(await this.store.conversation(owner, id))) throw conversationNotFound(id);
    if (!(await this.store.deleteConversationItem(owner, id, itemId)))
      throw new GatewayError('item_not_found', `Item with id ${shown(itemId)} not found.`);
    return this.conversation(owner, id);
  }

  /** Removes what has outlived `state.response_retention_days`. */
  purgeExpired(): Promise<number> {
    return this.store.purgeExpiredResponses(this.options.clock.now());
  }

  /** A response's row: who owns it, what it continues, until when it is served, its labels and sealed object. */
  private storedResponse(
    owner: string,
    response: ResponseObject,
    labels: readonly string[],
    now: number,
    sealed: Buffer,
  ): StoredResponse {
    return {
      id: response.id,
      owner,
      createdAt: now,
      expiresAt: now + this.options.retentionMs,
      previousResponseId: response.previous_response_id,
      conversationId: response.conversation?.id ?? null,
      labels: [...labels],
      sealed,
    };
  }

  /**
   * A turn's input and output as its conversation keeps them: the same ids, except where the conversation already has
   * an item by that id (none without a conversation).
   */
  private async turnForConversation(owner: string, response: ResponseObject, input: readonly Item[]): Promise<Item[]> {
    if (!response.conversation) return [];
    const candidates = [...input, ...response.output];
    return distinct(candidates, await this.takenIn(owner, response.conversation.id, candidates));
  }

  /** The ids among `items` a conversation already holds (a client may send an item back with its id). */
  private async takenIn(owner: string, conversationId: string, items: readonly Item[]): Promise<Set<string>> {
    const stored = await this.store.itemsById(
      owner,
      items.map((item) => item.id),
    );
    return new Set(stored.filter((item) => item.container === conversationId).map((item) => item.id));
  }

  /** An item as the store keeps it; `role` is `input` or `output` of a response, `item` of a conversation. */
  private sealedItem(item: Item, labels: readonly string[], now: number, role = 'item'): NewItem {
    return {
      id: item.id,
      role,
      labels: [...labels],
      createdAt: now,
      sealed: this.sealer.seal(JSON.stringify(item), item.id),
    };
  }

  private openItem(stored: StoredItem): Item {
    return JSON.parse(this.sealer.open(stored.sealed, stored.id)) as Item;
  }

  private opened(stored: readonly StoredItem[]): Item[] {
    return stored.map((item) => this.openItem(item));
  }

  private conversationObject(conversation: StoredConversation): ConversationObject {
    return {
      id: conversation.id,
      object: 'conversation',
      created_at: Math.floor(conversation.createdAt / 1000),
      metadata: JSON.parse(this.sealer.open(conversation.sealed, conversation.id)) as Record<string, string>,
    };
  }

  /**
   * Everything a conversation holds, for `sovereign conversations export`: its object, the labels it has carried, and
   * every item in order (not a page: an export is the whole conversation).
   */
  async exportConversation(
    owner: string,
    id: string,
  ): Promise<{ conversation: ConversationObject; labels: string[]; items: Item[] }> {
    const conversation = await this.store.conversation(owner, id);
    if (!conversation) throw conversationNotFound(id);
    const items = this.opened(await this.store.itemsOf([conversation.id])).map(publicItem);
    return { conversation: this.conversationObject(conversation), labels: [...conversation.labels], items };
  }

  /**
   * A new conversation holding items from elsewhere (`sovereign conversations import`), under a new id. Every item
   * takes
   * every label of the conversation it came from: which item brought which label is not in an export, and a label
   * given to too many items only keeps them from more providers. There is no limit of 20 items: that is the API's
   * limit per call, and a conversation holds more.
   */
  importConversation(
    owner: string,
    items: readonly Item[],
    metadata: Record<string, string>,
    labels: readonly string[],
  ): Promise<ConversationObject> {
    // Ids are kept (a client may hold them), except where a file repeats one: a conversation's item ids are unique.
    return this.createConversation(owner, distinct(items, new Set()), metadata, labels);
  }
}
