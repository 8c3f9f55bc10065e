// More calls at once than a local model has sequences: the extra ones wait for a slot and are
// served, never refused with "No sequences left" (the runtime reclaims a freed sequence's id
// asynchronously, so the provider keeps its sequences instead of disposing them).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { postJson, startTestGateway, temporaryDirectory } from './helpers.js';
import { writeTinyLora, writeTinyModel } from './support/tiny-gguf.js';

test('a local model serves more concurrent calls than its sequences, base model and adapter alike', async () => {
  const directory = temporaryDirectory('sovereign-local-');
  writeTinyModel(join(directory, 'tiny.gguf'));
  writeTinyLora(join(directory, 'lora.gguf'));
  const gateway = await startTestGateway(
    {
      providers: [
        {
          id: 'own',
          kind: 'local',
          jurisdiction: 'local',
          operator: 'Hospital IT',
          ownership: 'owned',
          models: ['tiny'],
          threads: 2,
          context_size: 512,
          sequences: 2,
          adapters: [{ name: 'tiny-ft', model: 'tiny', adapter: 'tiny-lora' }],
        },
      ],
      models: { base: { candidates: ['own/tiny'] }, tuned: { candidates: ['own/tiny-ft'] } },
      routing: { attempt_timeout_ms: 60_000, retries: 0 },
    },
    {
      prepare: async (registry) => {
        await registry.add(join(directory, 'tiny.gguf'), { name: 'tiny' });
        await registry.add(join(directory, 'lora.gguf'), { name: 'tiny-lora' });
      },
    },
  );
  try {
    const ask = (model: string, index: number) =>
      postJson(
        `${gateway.url}/v1/chat/completions`,
        { model, max_tokens: 6, seed: 1, temperature: 0, messages: [{ role: 'user', content: 'Same prompt' }] },
        { authorization: `Bearer ${gateway.key}`, 'x-request-id': `r${index}` },
      );
    for (const model of ['base', 'tuned']) {
      const replies = await Promise.all([0, 1, 2, 3, 4, 5].map((index) => ask(model, index)));
      for (const reply of replies) assert.equal(reply.status, 200, reply.text);
      // A reused sequence starts clean: the same prompt gives the same answer on each.
      const answers = new Set(replies.map((reply) => reply.json.choices[0].message.content));
      assert.equal(answers.size, 1, `${model}: ${[...answers].join(' | ')}`);
    }
  } finally {
    await gateway.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
