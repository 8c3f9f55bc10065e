// What the store keeps of conversation state (Responses and Conversations), as sealed bytes: the
// store never sees item text, only the sealed blobs state/ hands it, their order, owner and labels.
// Every read names the owner (the tenant), so one key never reads another's state.

export interface StoredItem {
  id: string;
  /** The response or conversation it belongs to. */
  container: string;
  position: number;
  /** `input` or `output` (of a response), `item` (of a conversation). */
  role: string;
  labels: string[];
  createdAt: number;
  sealed: Buffer;
}

export type NewItem = Omit<StoredItem, 'container' | 'position'>;

export interface StoredResponse {
  id: string;
  owner: string;
  createdAt: number;
  /** When it stops being served (ms since the epoch), or null to keep it. */
  expiresAt: number | null;
  previousResponseId: string | null;
  conversationId: string | null;
  /** The labels of everything the chain has carried, this response included. */
  labels: string[];
  /** The response object, sealed. */
  sealed: Buffer;
}

export interface StoredConversation {
  id: string;
  owner: string;
  createdAt: number;
  labels: string[];
  /** The metadata, sealed. */
  sealed: Buffer;
}

export interface ItemPage {
  items: StoredItem[];
  hasMore: boolean;
}

export interface StateStore {
  /**
   * Stores a response with its items (input then output), and, when it belongs to a conversation,
   * appends `conversationItems` to it and merges the labels; one transaction. False when the
   * conversation does not exist (any more) for this owner: nothing is stored.
   */
  saveResponse(
    response: StoredResponse,
    items: readonly NewItem[],
    conversation?: { items: readonly NewItem[]; labels: readonly string[] },
  ): Promise<boolean>;
  /** A response of this owner that has not expired at `now`. */
  response(owner: string, id: string, now: number): Promise<StoredResponse | undefined>;
  /**
   * Replaces a stored response's sealed object (a background response starting, failing or cancelled); with
   * `expected`, only while it is still that object (compare and set: a cancel on another replica wins over a late
   * finish). False when nothing was replaced.
   */
  updateResponse(owner: string, id: string, sealed: Buffer, expected?: Buffer): Promise<boolean>;
  /**
   * A background response finishing: its object replaced (while it is still `expected`), its output items stored after
   * its input, and, when it belongs to a conversation, the turn's items appended there; one transaction. `changed` when
   * the object was replaced meanwhile (cancelled, deleted): nothing is stored.
   */
  finishResponse(
    owner: string,
    id: string,
    update: { sealed: Buffer; expected: Buffer; items: readonly NewItem[]; position: number },
    conversation?: { id: string; items: readonly NewItem[]; labels: readonly string[] },
  ): Promise<'saved' | 'changed' | 'no_conversation'>;
  /** Removes a response and its items; false if this owner has none by that id. */
  deleteResponse(owner: string, id: string): Promise<boolean>;
  /** Every item of these containers, container by container in the order given, each in position order. */
  itemsOf(containers: readonly string[]): Promise<StoredItem[]>;
  /** A page of one container's items after the item `after` (exclusive), in `order`, of `role` when given. */
  itemPage(
    container: string,
    options: { after?: string; limit: number; order: 'asc' | 'desc'; role?: string },
  ): Promise<ItemPage>;
  /** Items by id within containers of this owner (for item_reference); unknown ids are left out. */
  itemsById(owner: string, ids: readonly string[]): Promise<StoredItem[]>;
  createConversation(conversation: StoredConversation, items: readonly NewItem[]): Promise<void>;
  conversation(owner: string, id: string): Promise<StoredConversation | undefined>;
  updateConversation(owner: string, id: string, sealed: Buffer): Promise<StoredConversation | undefined>;
  /** Removes a conversation and its items (their text with them). */
  deleteConversation(owner: string, id: string): Promise<boolean>;
  /**
   * Appends items at the end; the conversation's labels take in the items' labels. Undefined if there is no such
   * conversation.
   */
  appendConversationItems(owner: string, id: string, items: readonly NewItem[]): Promise<StoredItem[] | undefined>;
  deleteConversationItem(owner: string, conversationId: string, itemId: string): Promise<boolean>;
  /** Removes responses (and their items) that expired before `now`; returns how many. */
  purgeExpiredResponses(now: number): Promise<number>;
}
