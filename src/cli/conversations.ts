// `sovereign conversations export|import`: a conversation (its items, metadata and labels) as one vendor-neutral JSON
// document, so state moves between deployments. Works on the store directly, while the gateway runs (the gateway
// reads conversations from the store on every call, so an import is served at once).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { metadataOf } from '../api/state-shapes.js';
import type { Config } from '../config/schema.js';
import { systemClock } from '../core/clock.js';
import { GatewayError } from '../core/errors.js';
import { anonymousTenant } from '../pipeline/auth.js';
import { callerLabels } from '../pipeline/classify.js';
import { isJsonObject, type Item, parseItem } from '../state/items.js';
import { ResponsesState } from '../state/responses.js';
import { Sealer, SealingError } from '../state/sealing.js';
import type { Store } from '../store/store.js';
import { exitConfigError, fail, loadConfigOrExit, openConfiguredStore } from './context.js';
import { loadStateKey, StateKeyError } from './state-key.js';

export const conversationFormat = 'sovereign-conversation';
export const conversationFormatVersion = 1;

/** The export format, version 1 (docs/clients.md, "Moving a conversation to another deployment"). */
export interface ConversationDocument {
  format: typeof conversationFormat;
  version: typeof conversationFormatVersion;
  /** The conversation's id where it was exported; an import gives it a new one. */
  id: string;
  /** When the conversation was created, in Unix seconds. */
  created_at: number;
  metadata: Record<string, string>;
  /** Every label the conversation has carried (found in its items or declared): they keep applying after an import. */
  labels: string[];
  /** Responses items, oldest first, as GET /v1/conversations/{id}/items shows them. */
  items: Item[];
}

/** The document for an exported conversation; a vendor's opaque state (encrypted reasoning) stays behind. */
export function conversationDocument(exported: {
  conversation: { id: string; created_at: number; metadata: Record<string, string> };
  labels: readonly string[];
  items: readonly Item[];
}): ConversationDocument {
  const items = exported.items.map((item): Item => {
    // Encrypted reasoning opens only at the vendor that made it, and the file is meant for anyone's deployment.
    if (item.type !== 'reasoning' || item.encrypted_content === undefined) return item;
    const { encrypted_content: _vendorState, ...neutral } = item;
    return neutral;
  });
  return {
    format: conversationFormat,
    version: conversationFormatVersion,
    id: exported.conversation.id,
    created_at: exported.conversation.created_at,
    metadata: exported.conversation.metadata,
    labels: [...exported.labels],
    items,
  };
}

/** Why a file cannot be imported; the CLI exits 2 with the message. */
export class ConversationDocumentError extends Error {
  override readonly name = 'ConversationDocumentError';
}

/**
 * A document read back, every part checked as the API checks it (items as input items, metadata within the API's
 * limits, labels in the label syntax); only the number of items is not limited. Throws ConversationDocumentError.
 */
export function parseConversationDocument(text: string): Pick<ConversationDocument, 'metadata' | 'labels' | 'items'> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConversationDocumentError(`not JSON (${(error as Error).message})`);
  }
  if (!isJsonObject(raw)) throw new ConversationDocumentError('expected a JSON object');
  if (raw.format !== conversationFormat)
    throw new ConversationDocumentError(
      `"format" is ${JSON.stringify(raw.format)?.slice(0, 60) ?? 'missing'}; expected "${conversationFormat}" (a file from \`sovereign conversations export\`)`,
    );
  if (raw.version !== conversationFormatVersion)
    throw new ConversationDocumentError(
      `"version" ${JSON.stringify(raw.version)?.slice(0, 20) ?? 'is missing'}: this gateway reads version ${conversationFormatVersion}`,
    );
  if (!Array.isArray(raw.items)) throw new ConversationDocumentError('"items": expected an array of items');
  try {
    const items = raw.items.map((entry, index) => {
      const item = parseItem(entry, `items[${index}]`);
      // A reference points into the store it came from; an export holds the items themselves.
      if (item.type === 'item_reference')
        throw new GatewayError('invalid_request', `Invalid 'items[${index}]': an export holds items, not references.`, {
          param: `items[${index}]`,
        });
      return item;
    });
    const metadata = metadataOf(raw.metadata);
    if (raw.labels !== undefined && raw.labels !== null && !Array.isArray(raw.labels))
      throw new GatewayError('invalid_request', "Invalid 'labels': expected an array of labels.", { param: 'labels' });
    const labels = [...new Set(callerLabels(undefined, { labels: raw.labels ?? [] }))].sort();
    return { metadata, labels, items };
  } catch (error) {
    // The API's own messages ("Invalid 'items[3].role': …"), which name the path in the document.
    if (error instanceof GatewayError)
      throw new ConversationDocumentError(
        error.message.startsWith('Invalid label') ? `"labels": ${error.message}` : error.message,
      );
    throw error;
  }
}

interface CommonOptions {
  config?: string;
  owner?: string;
}

/** The state of the configured deployment, opened with its state key; `create` makes the key as a first start would. */
async function openState(config: Config, store: Store, create: boolean): Promise<ResponsesState> {
  let key: Buffer;
  try {
    key = loadStateKey(config, process.env, { create });
  } catch (error) {
    await store.close();
    if (error instanceof StateKeyError) fail(error.message, exitConfigError);
    throw error;
  }
  return new ResponsesState(store.state, new Sealer(key), {
    clock: systemClock,
    retentionMs: config.state.response_retention_days * 86_400_000,
  });
}

/** The tenants that may own state: every key name, and the open local mode's tenant. */
async function ownerNames(store: Store): Promise<string[]> {
  return [...new Set([...(await store.listKeys()).map((record) => record.name), anonymousTenant.name])];
}

export function registerConversationCommands(program: Command): void {
  const conversations = program
    .command('conversations')
    .description('move conversations (Responses and Conversations APIs) between deployments as JSON');

  conversations
    .command('export')
    .description(
      'write a conversation (items, metadata, labels) as JSON, its text in the clear, to --out or standard output',
    )
    .argument('<id>', 'the conversation id (conv_…)')
    .option('--out <file>', 'write to this file (mode 0600; refuses to overwrite) instead of standard output')
    .option(
      '--owner <key name>',
      "the key that owns it; another key's conversation is refused (default: whichever key owns it)",
    )
    .option('--config <file>', 'config file')
    .action(async (id: string, options: CommonOptions & { out?: string }) => {
      const loaded = loadConfigOrExit(options.config);
      const config = loaded.config;
      const store = await openConfiguredStore(loaded);
      let document: ConversationDocument;
      try {
        const state = await openState(config, store, false);
        const owners = await ownerNames(store);
        const exportFor = async (owner: string) => {
          try {
            return await state.exportConversation(owner, id);
          } catch (error) {
            if (error instanceof GatewayError && error.code === 'conversation_not_found') return undefined;
            throw error;
          }
        };
        let exported = options.owner === undefined ? undefined : await exportFor(options.owner);
        if (exported === undefined) {
          let owner: string | undefined;
          for (const name of owners.filter((name) => name !== options.owner)) {
            exported = await exportFor(name);
            if (exported) {
              owner = name;
              break;
            }
          }
          // The operator reads the whole store anyway; naming the other owner's existence helps, and nothing is
          // written.
          if (exported && options.owner !== undefined)
            fail(`conversation ${id} belongs to the key "${owner}", not "${options.owner}": refused`);
          if (!exported) fail(`no conversation ${id.slice(0, 100)} in this deployment's store`);
        }
        document = conversationDocument(exported);
      } catch (error) {
        if (error instanceof SealingError) fail(error.message);
        throw error;
      } finally {
        await store.close();
      }
      const text = `${JSON.stringify(document, null, 2)}\n`;
      if (options.out === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        // The file holds the conversation's text in the clear: readable by its owner only, and never over another file.
        writeFileSync(options.out, text, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        fail(`cannot write ${options.out}: ${(error as Error).message}`, exitConfigError);
      }
      process.stdout.write(`exported conversation ${document.id} (${document.items.length} items) to ${options.out}\n`);
    });

  conversations
    .command('import')
    .description(
      'create a new conversation from an exported file, for the key --owner names; prints its id on the last line',
    )
    .argument('<file>', 'a file from `sovereign conversations export`')
    .requiredOption('--owner <key name>', 'the key that will own the new conversation')
    .option('--config <file>', 'config file')
    .action(async (file: string, options: CommonOptions & { owner: string }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        return fail(`cannot read ${file}: ${(error as Error).message}`, exitConfigError);
      }
      let parsed: ReturnType<typeof parseConversationDocument>;
      try {
        parsed = parseConversationDocument(text);
      } catch (error) {
        if (error instanceof ConversationDocumentError) fail(`${file}: ${error.message}`, exitConfigError);
        throw error;
      }
      const loaded = loadConfigOrExit(options.config);
      const config = loaded.config;
      const store = await openConfiguredStore(loaded);
      try {
        const active = new Set((await store.activeKeys()).map((record) => record.name));
        const openMode = !config.auth.required && options.owner === anonymousTenant.name;
        // A conversation for a name no key has would be stored where no client can reach it.
        if (!active.has(options.owner) && !openMode)
          fail(
            `--owner "${options.owner.slice(0, 64)}": no active key has this name (\`sovereign keys list\`)${config.auth.required ? '' : `; "${anonymousTenant.name}" names the open local mode`}`,
            exitConfigError,
          );
        const state = await openState(config, store, true);
        const conversation = await state.importConversation(
          options.owner,
          parsed.items,
          parsed.metadata,
          parsed.labels,
        );
        process.stdout.write(
          `imported ${parsed.items.length} items for the key "${options.owner}" as a new conversation\n`,
        );
        process.stdout.write(`${conversation.id}\n`);
      } finally {
        await store.close();
      }
    });
}
