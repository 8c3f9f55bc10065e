// The ledger end to end: every call through the gateway leaves an entry whose receipt verifies
// offline with the log's public key alone, and which commits to the exact bytes exchanged.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeEntry } from '../src/ledger/entry.js';
import { openNote, parseVerifierKey } from '../src/ledger/note.js';
import { parseCheckpoint } from '../src/ledger/checkpoint.js';
import { parseTlogProof, verifyReceipt } from '../src/ledger/receipt.js';
import { verifyConsistency } from '../src/ledger/verify-proof.js';
import { createApiKey } from '../src/pipeline/auth.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { providerEntry, startTestGateway, type TestGateway } from './helpers.js';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('the ledger through the gateway', () => {
  let upstream: Double;
  let gateway: TestGateway;
  let verifierKey: ReturnType<typeof parseVerifierKey>;
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  before(async () => {
    upstream = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('local', upstream.url, { jurisdiction: 'SA', operator: 'Hospital IT' })],
      models: { default: { candidates: ['local/m1'] } },
      routing: { retries: 0 },
    });
    verifierKey = parseVerifierKey((await (await fetch(`${gateway.url}/v1/ledger/key`)).text()).trim());
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  async function receiptOf(index: string, key = gateway.key): Promise<any> {
    const response = await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, { headers: auth(key) });
    assert.equal(response.status, 200, await response.clone().text());
    return response.json();
  }

  it('a chat call carries a receipt that verifies offline and commits to the exact bytes', async () => {
    const requestBody = '{"model":"default",  "messages":[{"role":"user","content":"secret prompt canary"}]}';
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth(gateway.key), 'content-type': 'application/json' },
      body: requestBody,
    });
    const responseBody = await response.text();
    const index = response.headers.get('x-sovereign-receipt');
    assert.match(index ?? '', /^\d+$/);
    const receipt = await receiptOf(index!);
    const verified = verifyReceipt(receipt, [verifierKey], 'test.example/sovereign-gateway');
    const entry = verified.entry;
    assert.equal(entry.request_sha256, sha256(requestBody));
    assert.equal(entry.response_sha256, sha256(responseBody));
    assert.equal(entry.kind, 'chat');
    assert.equal(entry.provider, 'local');
    assert.equal(entry.provider_model, 'm1');
    assert.equal(entry.jurisdiction, 'SA');
    assert.equal(entry.ownership, 'owned');
    assert.equal(entry.operator, 'Hospital IT');
    assert.equal(entry.tenant, 'tester');
    assert.equal(entry.outcome, 'ok');
    assert.equal(entry.status, 200);
    assert.deepEqual(entry.attempts, [{ provider: 'local', outcome: 'ok' }]);
    assert.ok(!verified.leaf.toString().includes('canary'), 'no prompt text in the ledger');
    assert.ok(!verified.leaf.toString().includes('echo'), 'no answer text in the ledger');
  });

  it('errors and refusals are entries too, with their receipt', async () => {
    const bad = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth(gateway.key),
      body: '{"model": ',
    });
    assert.equal(bad.status, 400);
    const entry = verifyReceipt(await receiptOf(bad.headers.get('x-sovereign-receipt')!), [verifierKey]).entry;
    assert.equal(entry.outcome, 'error');
    assert.equal(entry.error_code, 'invalid_json');
    assert.equal(entry.status, 400);
    assert.equal(entry.response_sha256, sha256(await bad.text()));

    upstream.script({ kind: 'status', status: 503 });
    const failed = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth(gateway.key),
      body: '{"model":"default","messages":[{"role":"user","content":"x"}]}',
    });
    assert.equal(failed.status, 502);
    const failedEntry = verifyReceipt(await receiptOf(failed.headers.get('x-sovereign-receipt')!), [verifierKey]).entry;
    assert.equal(failedEntry.error_code, 'upstream_error');
    assert.deepEqual(failedEntry.attempts, [{ provider: 'local', outcome: 'server' }]);
  });

  it('a stream has an opening entry (header) and a closing entry (last SSE comment) over every byte delivered', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth(gateway.key),
      body: '{"model":"default","stream":true,"messages":[{"role":"user","content":"stream it"}]}',
    });
    const openIndex = response.headers.get('x-sovereign-receipt')!;
    const text = await response.text();
    const match = /: x-sovereign-receipt-close (\d+)\n\n$/.exec(text);
    assert.ok(match, text.slice(-100));
    const delivered = text.slice(0, match.index);
    assert.ok(delivered.endsWith('data: [DONE]\n\n'));
    const open = verifyReceipt(await receiptOf(openIndex), [verifierKey]).entry;
    assert.equal(open.kind, 'stream_open');
    const openReceipt = await receiptOf(openIndex);
    assert.equal(openReceipt.close_index, Number(match[1]));
    const close = verifyReceipt(await receiptOf(match[1]!), [verifierKey]).entry;
    assert.equal(close.kind, 'stream_close');
    assert.equal(close.open_index, Number(openIndex));
    assert.equal(close.response_sha256, sha256(delivered));
    assert.equal(close.bytes_delivered, Buffer.byteLength(delivered));
    assert.equal(close.outcome, 'ok');
  });

  it('serves a receipt to the key that made the call, or to auditors, and to no one else', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth(gateway.key),
      body: '{"model":"default","messages":[{"role":"user","content":"x"}]}',
    });
    const index = response.headers.get('x-sovereign-receipt')!;
    const { key: other } = await createApiKey(gateway.store, { name: 'other', scopes: [], rpm: null, now: Date.now() });
    const { key: auditor } = await createApiKey(gateway.store, {
      name: 'auditor',
      scopes: ['auditor'],
      rpm: null,
      now: Date.now(),
    });
    await gateway.app.keys.refresh();
    const refused = await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, { headers: auth(other) });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as any).error.code, 'insufficient_scope');
    await receiptOf(index, auditor);
    assert.equal((await fetch(`${gateway.url}/v1/ledger/receipts/${index}`)).status, 401);
    assert.equal((await fetch(`${gateway.url}/v1/ledger/receipts/999999`, { headers: auth(gateway.key) })).status, 404);
    assert.equal((await fetch(`${gateway.url}/v1/ledger/receipts/-1`, { headers: auth(gateway.key) })).status, 400);
  });

  it('serves receipts as C2SP tlog-proof text', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth(gateway.key),
      body: '{"model":"default","messages":[{"role":"user","content":"x"}]}',
    });
    const index = response.headers.get('x-sovereign-receipt')!;
    const text = await (
      await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, {
        headers: { ...auth(gateway.key), accept: 'text/plain' },
      })
    ).text();
    assert.ok(text.startsWith('c2sp.org/tlog-proof@v1\n'));
    assert.equal(verifyReceipt(parseTlogProof(text), [verifierKey]).index, Number(index));
  });

  it('publishes signed checkpoints that stay consistent as the log grows', async () => {
    const first = parseCheckpoint(
      openNote(await (await fetch(`${gateway.url}/v1/ledger/checkpoint`)).text(), [verifierKey]).text,
    );
    for (let count = 0; count < 5; count += 1)
      await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: auth(gateway.key),
        body: '{"model":"default","messages":[{"role":"user","content":"grow"}]}',
      });
    await gateway.app.ledger.signCheckpoint();
    const second = parseCheckpoint(
      openNote(await (await fetch(`${gateway.url}/v1/ledger/checkpoint`)).text(), [verifierKey]).text,
    );
    assert.ok(second.size >= first.size + 5);
    const consistency: any = await (
      await fetch(`${gateway.url}/v1/ledger/consistency?from=${first.size}&to=${second.size}`, {
        headers: auth(gateway.key),
      })
    ).json();
    verifyConsistency(
      first.size,
      second.size,
      consistency.proof.map((hash: string) => Buffer.from(hash, 'base64')),
      first.root,
      second.root,
    );
  });

  it('pages entries for monitors', async () => {
    const page: any = await (
      await fetch(`${gateway.url}/v1/ledger/entries?start=0&end=3`, { headers: auth(gateway.key) })
    ).json();
    assert.deepEqual(
      page.entries.map((entry: { index: number }) => entry.index),
      [0, 1, 2],
    );
    assert.equal(page.next, 3);
    for (const entry of page.entries) decodeEntry(Buffer.from(entry.leaf, 'base64'));
    assert.equal((await fetch(`${gateway.url}/v1/ledger/entries?start=x`, { headers: auth(gateway.key) })).status, 400);
  });
});
