// `sovereign conversations export|import` with the real bin: a conversation exported from one deployment's data
// directory, imported into another's while that gateway runs, and continued there with the official SDK; its labels
// keep applying after the move; bad files exit 2 with a message that names what is wrong.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { temporaryDirectory } from './helpers.js';
import { type Running, run, runAsync, startBin } from './support/bin.js';

const lastPost = (double: Double): any => double.received.filter((received) => received.method === 'POST').at(-1)?.body;

/** A deployment's config: its own data directory, the given providers and aliases, the policy when given. */
function writeConfig(directory: string, providers: string, models: string, policy = ''): string {
  const file = join(directory, 'sovereign.yaml');
  writeFileSync(
    file,
    `data_dir: ${join(directory, 'data')}\nlog: { level: warn }\nshutdown_grace_ms: 2000\nproviders:\n${providers}models:\n${models}${policy}`,
  );
  return file;
}

const provider = (id: string, url: string, ownership: 'owned' | 'rented'): string =>
  `  - { id: ${id}, kind: openai-compatible, base_url: "${url}", jurisdiction: local, operator: ${id} operator, ownership: ${ownership}, models: [m1] }\n`;

/** Creates a key with the CLI; the key is alone on the last line. */
function createKey(name: string, configFile: string, directory: string): string {
  const created = run(['keys', 'create', '--name', name, '--config', configFile], directory);
  assert.equal(created.status, 0, created.stderr);
  return created.stdout.trim().split('\n').at(-1)!;
}

async function stop(gateway: Running | undefined): Promise<void> {
  if (!gateway) return;
  gateway.child.kill('SIGTERM');
  await gateway.exited;
}

describe('a conversation moves between deployments with sovereign conversations export and import', () => {
  let sourceUpstream: Double;
  let ownedUpstream: Double;
  let rentedUpstream: Double;
  const source = {
    directory: '',
    config: '',
    gateway: undefined as Running | undefined,
    client: undefined as unknown as OpenAI,
  };
  const target = { directory: '', config: '', gateway: undefined as Running | undefined, key: '' };
  let conversationId = '';
  let exportFile = '';
  let document: any;

  before(async () => {
    sourceUpstream = await startOpenAIDouble();
    ownedUpstream = await startOpenAIDouble();
    rentedUpstream = await startOpenAIDouble();

    source.directory = temporaryDirectory();
    source.config = writeConfig(
      source.directory,
      provider('first', sourceUpstream.url, 'owned'),
      '  ours: { candidates: [first/m1] }\n',
    );
    const aliceKey = createKey('alice', source.config, source.directory);
    createKey('bob', source.config, source.directory);
    source.gateway = await startBin(['--config', source.config], source.directory);
    source.client = new OpenAI({ baseURL: `${source.gateway.url}/v1`, apiKey: aliceKey, maxRetries: 0 });

    // A conversation with a declared label, a tool-call round trip and a reasoning item holding a vendor's opaque
    // state.
    const conversation = await source.client.conversations.create(
      {
        items: [{ type: 'message', role: 'user', content: 'Our launch is planned for May.' }],
        metadata: { project: 'launch' },
      },
      { headers: { 'x-sovereign-labels': 'confidential' } },
    );
    conversationId = conversation.id;
    const tools = [
      {
        type: 'function' as const,
        name: 'calendar',
        description: 'The calendar',
        parameters: { type: 'object', properties: {} },
        strict: false,
      },
    ];
    sourceUpstream.script({ kind: 'tool-call', name: 'calendar', arguments: '{}' });
    await source.client.responses.create({ model: 'ours', input: 'Which day?', conversation: conversationId, tools });
    await source.client.responses.create({
      model: 'ours',
      input: [{ type: 'function_call_output', call_id: 'call_1', output: 'May 12' }],
      conversation: conversationId,
      tools,
    });
    await source.client.conversations.items.create(conversationId, {
      items: [
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'The date is known.' }],
          encrypted_content: 'opaque-vendor-state',
        } as any,
      ],
    });

    exportFile = join(source.directory, 'launch.json');
    const exported = await runAsync(
      ['conversations', 'export', conversationId, '--owner', 'alice', '--out', exportFile, '--config', source.config],
      source.directory,
    );
    assert.equal(exported.status, 0, exported.stderr);
    document = JSON.parse(readFileSync(exportFile, 'utf8'));

    target.directory = temporaryDirectory();
    target.config = writeConfig(
      target.directory,
      provider('owned', ownedUpstream.url, 'owned') + provider('rented', rentedUpstream.url, 'rented'),
      '  ours: { candidates: [owned/m1] }\n  theirs: { candidates: [rented/m1] }\n',
      'policy:\n  name: confidential stays owned\n  rules:\n    - { when: { labels_any: [confidential] }, allow: { ownership: [owned] } }\n    - { when: {}, allow: {} }\n',
    );
    target.key = createKey('carol', target.config, target.directory);
    target.gateway = await startBin(['--config', target.config], target.directory);
  });
  after(async () => {
    await stop(source.gateway);
    await stop(target.gateway);
    await sourceUpstream?.close();
    await ownedUpstream?.close();
    await rentedUpstream?.close();
  });

  it('exports every item in order with the metadata and labels, as a file only its owner can read, without vendor state', async () => {
    assert.equal(document.format, 'sovereign-conversation');
    assert.equal(document.version, 1);
    assert.equal(document.id, conversationId);
    assert.equal(typeof document.created_at, 'number');
    assert.deepEqual(document.metadata, { project: 'launch' });
    assert.deepEqual(document.labels, ['confidential']);
    assert.deepEqual(
      document.items.map((item: any) => item.type + (item.role ? `:${item.role}` : '')),
      ['message:user', 'message:user', 'function_call', 'function_call_output', 'message:assistant', 'reasoning'],
    );
    const listed = [];
    for await (const item of source.client.conversations.items.list(conversationId, { order: 'asc', limit: 100 }))
      listed.push(item);
    assert.deepEqual(document.items.slice(0, 5), listed.slice(0, 5), 'the items as the API shows them');
    assert.deepEqual(document.items[5], {
      type: 'reasoning',
      id: 'rs_1',
      summary: [{ type: 'summary_text', text: 'The date is known.' }],
    });
    assert.doesNotMatch(readFileSync(exportFile, 'utf8'), /opaque-vendor-state/, 'encrypted reasoning stays behind');
    assert.equal(statSync(exportFile).mode & 0o777, 0o600);

    const toStandardOutput = await runAsync(
      ['conversations', 'export', conversationId, '--config', source.config],
      source.directory,
    );
    assert.equal(toStandardOutput.status, 0, toStandardOutput.stderr);
    assert.deepEqual(JSON.parse(toStandardOutput.stdout), document, 'without --owner, whichever key owns it');
  });

  it("refuses another key's conversation, an unknown id, and overwriting a file", async () => {
    const otherOwner = await runAsync(
      ['conversations', 'export', conversationId, '--owner', 'bob', '--config', source.config],
      source.directory,
    );
    assert.equal(otherOwner.status, 1);
    assert.match(otherOwner.stderr, /belongs to the key "alice", not "bob": refused/);
    assert.equal(otherOwner.stdout, '', 'nothing of it is printed');
    const unknown = await runAsync(
      ['conversations', 'export', 'conv_0000', '--config', source.config],
      source.directory,
    );
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no conversation conv_0000/);
    const overwrite = await runAsync(
      ['conversations', 'export', conversationId, '--out', exportFile, '--config', source.config],
      source.directory,
    );
    assert.equal(overwrite.status, 2);
    assert.match(overwrite.stderr, /cannot write .*launch\.json/);
  });

  it('imports into another deployment while its gateway runs, as a new conversation the SDK continues there, its labels still applying', async () => {
    const imported = await runAsync(
      ['conversations', 'import', exportFile, '--owner', 'carol', '--config', target.config],
      target.directory,
    );
    assert.equal(imported.status, 0, imported.stderr);
    const newId = imported.stdout.trim().split('\n').at(-1)!;
    assert.match(newId, /^conv_[0-9a-f]{48}$/);
    assert.notEqual(newId, conversationId);

    const client = new OpenAI({ baseURL: `${target.gateway!.url}/v1`, apiKey: target.key, maxRetries: 0 });
    assert.deepEqual((await client.conversations.retrieve(newId)).metadata, { project: 'launch' });
    const listed = [];
    for await (const item of client.conversations.items.list(newId, { order: 'asc', limit: 100 })) listed.push(item);
    assert.deepEqual(listed, document.items, 'the same items, ids included');

    const next = await client.responses.create({ model: 'ours', input: 'And the year?', conversation: newId });
    assert.equal(next.status, 'completed');
    assert.deepEqual(lastPost(ownedUpstream).messages, [
      { role: 'user', content: 'Our launch is planned for May.' },
      { role: 'user', content: 'Which day?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calendar', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'May 12' },
      { role: 'assistant', content: 'echo: Which day?' },
      { role: 'user', content: 'And the year?' },
    ]);

    // The label was declared in the first deployment only: the file carried it, so the policy here still applies.
    await assert.rejects(
      client.responses.create({ model: 'theirs', input: 'Anything harmless', conversation: newId }),
      (error: any) => error.status === 403 && error.code === 'no_allowed_provider',
    );
    assert.equal(rentedUpstream.received.length, 0, 'nothing reached the rented provider');
    // The control: the same items without the label may go to the rented provider (the text itself carries no data).
    const unlabelled = join(target.directory, 'unlabelled.json');
    writeFileSync(unlabelled, JSON.stringify({ ...document, labels: [] }));
    const copy = await runAsync(
      ['conversations', 'import', unlabelled, '--owner', 'carol', '--config', target.config],
      target.directory,
    );
    assert.equal(copy.status, 0, copy.stderr);
    const answered = await client.responses.create({
      model: 'theirs',
      input: 'Anything harmless',
      conversation: copy.stdout.trim().split('\n').at(-1)!,
    });
    assert.equal(answered.status, 'completed');
  });

  it('imports more items than the API takes in one call', async () => {
    const many = {
      ...document,
      items: Array.from({ length: 25 }, (_, index) => ({
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: `note ${index}` }],
      })),
    };
    const file = join(target.directory, 'many.json');
    writeFileSync(file, JSON.stringify(many));
    const imported = await runAsync(
      ['conversations', 'import', file, '--owner', 'carol', '--config', target.config],
      target.directory,
    );
    assert.equal(imported.status, 0, imported.stderr);
    const client = new OpenAI({ baseURL: `${target.gateway!.url}/v1`, apiKey: target.key, maxRetries: 0 });
    const listed = [];
    for await (const item of client.conversations.items.list(imported.stdout.trim().split('\n').at(-1)!, {
      order: 'asc',
      limit: 100,
    }))
      listed.push(item);
    assert.equal(listed.length, 25);
  });

  it('refuses bad files and a missing or unknown owner with exit code 2 and a message naming the problem', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['not-json', '{"format": "sovereign-conversation",', /not-json\.json: not JSON/],
      [
        'wrong-format',
        JSON.stringify({ ...document, format: 'chat-export' }),
        /"format" is "chat-export"; expected "sovereign-conversation"/,
      ],
      ['wrong-version', JSON.stringify({ ...document, version: 2 }), /"version" 2: this gateway reads version 1/],
      [
        'malformed-item',
        JSON.stringify({ ...document, items: [document.items[0], { type: 'message', role: 'robot', content: 'x' }] }),
        /Invalid 'items\[1\]\.role'/,
      ],
      [
        'reference',
        JSON.stringify({ ...document, items: [{ type: 'item_reference', id: 'msg_1' }] }),
        /Invalid 'items\[0\]': an export holds items, not references/,
      ],
      ['bad-metadata', JSON.stringify({ ...document, metadata: { count: 3 } }), /Invalid 'metadata'/],
      [
        'bad-label',
        JSON.stringify({ ...document, labels: ['Jane Doe <jane@example.org>'] }),
        /"labels": Invalid label/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = join(target.directory, `${name}.json`);
      writeFileSync(file, text);
      const result = await runAsync(
        ['conversations', 'import', file, '--owner', 'carol', '--config', target.config],
        target.directory,
      );
      assert.equal(result.status, 2, `${name}: ${result.stderr}`);
      assert.match(result.stderr, message, name);
    }
    const noOwner = await runAsync(
      ['conversations', 'import', exportFile, '--config', target.config],
      target.directory,
    );
    assert.equal(noOwner.status, 2);
    assert.match(noOwner.stderr, /--owner/);
    const unknownOwner = await runAsync(
      ['conversations', 'import', exportFile, '--owner', 'dave', '--config', target.config],
      target.directory,
    );
    assert.equal(unknownOwner.status, 2);
    assert.match(unknownOwner.stderr, /--owner "dave": no active key has this name/);
  });
});
