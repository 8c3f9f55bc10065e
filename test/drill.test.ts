// The drill end to end: three operators in two jurisdictions, one cut mid-run, against test doubles
// that record what they receive; and cuts naming what the gateway does not know, refused by the API,
// `sovereign cut` and the drill alike.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { summariseDrill, type Result } from '../src/cli/drill.js';
import { decodeEntry } from '../src/ledger/entry.js';
import { postJson, providerEntry, startTestGateway, temporaryDirectory } from './helpers.js';
import { run, runAsync, startBin, type Running } from './support/bin.js';

describe('sovereign drill', () => {
  let doubles: Record<'saA' | 'saB' | 'usC', Double>;
  let directory: string;
  let gateway: Running;
  let key: string;

  before(async () => {
    doubles = { saA: await startOpenAIDouble(), saB: await startOpenAIDouble(), usC: await startOpenAIDouble() };
    directory = temporaryDirectory();
    const config = join(directory, 'sovereign.yaml');
    writeFileSync(
      config,
      `data_dir: ${join(directory, 'data')}
log: { level: warn }
health: { probe_interval_ms: 600000 }
providers:
  - { id: sa-a, kind: openai-compatible, base_url: "${doubles.saA.url}", jurisdiction: SA, operator: Operator A, ownership: owned, models: [m] }
  - { id: sa-b, kind: openai-compatible, base_url: "${doubles.saB.url}", jurisdiction: SA, operator: Operator B, ownership: contracted, models: [m] }
  - { id: us-c, kind: openai-compatible, base_url: "${doubles.usC.url}", jurisdiction: US, operator: Operator C, ownership: rented, models: [m] }
models:
  general: { candidates: [sa-a/m, us-c/m] }
  saudi: { candidates: [sa-a/m, sa-b/m] }
  only-a: { candidates: [sa-a/m] }
policy:
  name: drill
  rules:
    - when: { labels_any: [confidential] }
      allow: { jurisdiction: [SA] }
    - when: {}
      allow: {}
`,
    );
    key = run(['keys', 'create', '--name', 'ops', '--admin', '--config', config], directory)
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    gateway = await startBin(['--config', config], directory);
  });
  const nothingCut = async (): Promise<boolean> =>
    (
      (await (await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
        providers: Array<{ state: string }>;
      }
    ).providers.every((provider) => provider.state !== 'cut');
  after(async () => {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    for (const double of Object.values(doubles)) await double.close();
  });

  it('cuts an operator mid-run: nothing reaches it after the cut, aliases with another allowed provider go on, policy holds, counts match; a lost alias exits 1', async () => {
    const out = join(directory, 'report');
    const result = await runAsync(
      [
        'drill',
        '--cut',
        'operator=Operator A',
        '--requests',
        '300',
        '--concurrency',
        '8',
        '--url',
        gateway.url,
        '--key',
        key,
        '--out',
        out,
      ],
      directory,
    );
    // only-a is lost, which is what a drill is there to find: exit 1, naming it.
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /drill: an alias was lost \(no request served after the cut\): only-a/);
    const report = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    const cutAt = Date.parse(report.cut_at);
    const posts = (double: Double) => double.received.filter((received) => received.method === 'POST');

    // Nothing was sent to the cut provider after the cut took effect.
    assert.deepEqual(report.providers_cut, ['sa-a']);
    assert.equal(posts(doubles.saA).filter((received) => received.at > cutAt).length, 0);
    // Requests sent to Operator A before the cut are not "after" it: no negative time.
    assert.equal(report.cut_to_last_request_ms, null);
    assert.match(result.stdout, /last request sent to a cut provider: none after the cut/);

    // Every alias with another allowed provider is served after the cut; the one without is lost.
    const verdicts = Object.fromEntries(
      report.aliases.map((alias: { alias: string; verdict: string }) => [alias.alias, alias.verdict]),
    );
    assert.equal(verdicts.saudi, 'continuous', JSON.stringify(report.aliases) + JSON.stringify(report.phases));
    assert.equal(verdicts['only-a'], 'lost');
    const general = report.aliases.find((alias: { alias: string }) => alias.alias === 'general');
    // general's confidential requests may only use SA providers: with A cut they are refused, never sent to the US.
    assert.ok(general.after_served > 0);
    // Which request was confidential is known to the gateway only (the label travels in a header it does not
    // forward), so the ledger is read: every confidential call, before or after the cut, went to an SA provider or
    // nowhere.
    const calls: Array<{
      kind: string;
      labels: string[];
      provider: string | null;
      jurisdiction: string | null;
      model_requested: string;
      request_id: string;
    }> = [];
    for (let start: number | null = 0; start !== null; ) {
      const page = (await (
        await fetch(`${gateway.url}/v1/ledger/entries?start=${start}`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as { entries: Array<{ leaf: string }>; next: number | null };
      for (const entry of page.entries) calls.push(decodeEntry(Buffer.from(entry.leaf, 'base64')) as never);
      start = page.next;
    }
    const confidential = calls.filter(
      (call) => ['chat', 'stream_open', 'stream_close'].includes(call.kind) && call.labels.includes('confidential'),
    );
    assert.equal(
      new Set(confidential.map((call) => call.request_id)).size,
      60,
      'one request in five of the 300 is confidential',
    );
    assert.ok(
      confidential.some((call) => call.model_requested === 'general' && call.provider === null),
      'some were refused on general after the cut',
    );
    for (const call of confidential)
      assert.ok(
        call.provider === null || call.jurisdiction === 'SA',
        `a confidential call went to ${call.provider} (${call.jurisdiction})`,
      );
    assert.ok(report.phases.after.refused_by_policy > 0, 'confidential requests on general are refused after the cut');

    // The report's counts match what the doubles received.
    const servedBy = (id: string) =>
      (report.phases.before.served_by[id] ?? 0) + (report.phases.after.served_by[id] ?? 0);
    assert.equal(servedBy('sa-a'), posts(doubles.saA).length);
    assert.equal(servedBy('sa-b'), posts(doubles.saB).length);
    assert.equal(servedBy('us-c'), posts(doubles.usC).length);
    assert.equal(report.phases.before.requests + report.phases.after.requests, 300);

    // The cut was lifted at the end, and the page works offline.
    const providers = (await (
      await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { providers: Array<{ state: string }> };
    assert.ok(providers.providers.every((provider) => provider.state !== 'cut'));
    const html = readFileSync(`${out}.html`, 'utf8');
    assert.match(html, /<svg/);
    assert.ok(!/https?:\/\//.test(html.replace(gateway.url, '')), 'no assets from the internet');
    assert.match(result.stdout, /saudi +CONTINUOUS/);
  });

  it('exits 0 when every alias goes on', async () => {
    const out = join(directory, 'continuous');
    const result = await runAsync(
      [
        'drill',
        '--cut',
        'provider=sa-b',
        '--requests',
        '40',
        '--concurrency',
        '4',
        '--url',
        gateway.url,
        '--api-key',
        key,
        '--out',
        out,
      ],
      directory,
    );
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    assert.ok(report.aliases.every((alias: { verdict: string }) => alias.verdict !== 'lost'));
  });

  it('refuses a cut naming no provider, operator or jurisdiction it knows (400, listing the known ones), so nothing is cut', async () => {
    const admin = { authorization: `Bearer ${key}` };
    for (const path of ['/v1/admin/cut', '/v1/admin/uncut']) {
      const operator = await postJson(`${gateway.url}${path}`, { operator: 'NoSuchName' }, admin);
      assert.equal(operator.status, 400, operator.text);
      assert.equal(operator.json.error.code, 'invalid_request');
      assert.equal(operator.json.error.param, 'operator');
      assert.match(
        operator.json.error.message,
        /No provider of this gateway has the operator "NoSuchName".*Known operators: "Operator A", "Operator B", "Operator C"\./,
      );
    }
    const provider = await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'sa-z' }, admin);
    assert.match(provider.json.error.message, /Known providers: "sa-a", "sa-b", "us-c"/);
    const jurisdiction = await postJson(`${gateway.url}/v1/admin/cut`, { jurisdiction: 'DE' }, admin);
    assert.equal(jurisdiction.status, 400);
    assert.match(jurisdiction.json.error.message, /Known jurisdictions: "SA", "US"/);
    // Exact names: the cut matches exactly, so a near miss is not silently taken for another.
    assert.equal((await postJson(`${gateway.url}/v1/admin/cut`, { operator: 'operator a' }, admin)).status, 400);
    assert.ok(await nothingCut());
  });

  it('sovereign cut and the drill exit 2 with the gateway’s list, before any traffic', async () => {
    const cut = await runAsync(['cut', '--operator', 'NoSuchName', '--url', gateway.url, '--key', key], directory);
    assert.equal(cut.status, 2);
    assert.match(
      cut.stderr,
      /the gateway answered 400 \(invalid_request\): No provider of this gateway has the operator "NoSuchName".*Known operators: "Operator A", "Operator B", "Operator C"/,
    );
    const received = () => Object.values(doubles).reduce((sum, double) => sum + double.received.length, 0);
    const before = received();
    const drill = await runAsync(
      [
        'drill',
        '--cut',
        'operator=NoSuchName',
        '--requests',
        '10',
        '--url',
        gateway.url,
        '--key',
        key,
        '--out',
        join(directory, 'none'),
      ],
      directory,
    );
    assert.equal(drill.status, 2);
    assert.match(
      drill.stderr,
      /--cut operator=NoSuchName: no provider of the gateway at .* has that operator; known: "Operator A", "Operator B", "Operator C"/,
    );
    assert.equal(received(), before, 'no request was sent');
    assert.ok(await nothingCut());
  });

  it('takes the API key as --api-key or --key, and names a verifier key given in its place (exit 2)', async () => {
    const cut = await runAsync(['cut', '--provider', 'sa-b', '--url', gateway.url, '--api-key', key], directory);
    assert.equal(cut.status, 0, cut.stderr);
    assert.equal(
      (await runAsync(['uncut', '--provider', 'sa-b', '--url', gateway.url, '--api-key', key], directory)).status,
      0,
    );
    const report = await runAsync(['report', 'dependencies', '--url', gateway.url, '--api-key', key], directory);
    assert.equal(report.status, 0, report.stderr);

    const verifierKey = (await (await fetch(`${gateway.url}/v1/ledger/key`)).text()).trim();
    const wrong = await runAsync(['cut', '--provider', 'sa-b', '--url', gateway.url, '--key', verifierKey], directory);
    assert.equal(wrong.status, 2);
    assert.match(
      wrong.stderr,
      /--key takes an API key \(sk-sov-…, from `sovereign keys create`\), and this is a verifier key \(name\+hexid\+base64\), which `sovereign verify --key` and `sovereign ledger audit --key` take/,
    );
    const fromEnvironment = await runAsync(['drill', '--cut', 'provider=sa-b', '--url', gateway.url], directory, {
      SOVEREIGN_KEY: verifierKey,
    });
    assert.equal(fromEnvironment.status, 2);
    assert.match(fromEnvironment.stderr, /SOVEREIGN_KEY takes an API key .*this is a verifier key/);
    const both = await runAsync(
      ['report', 'dependencies', '--url', gateway.url, '--key', key, '--api-key', `${key}x`],
      directory,
    );
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--key and --api-key both name the API key here/);
    const none = await runAsync(['cut', '--provider', 'sa-b', '--url', gateway.url], directory, { SOVEREIGN_KEY: '' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no API key: pass --api-key \(or --key\) or set SOVEREIGN_KEY/);
    assert.ok(await nothingCut());
  });

  it('lifts its cuts when interrupted', async () => {
    const child = (await import('node:child_process')).spawn(
      process.execPath,
      [
        join(process.cwd(), 'bin/sovereign.js'),
        'drill',
        '--cut',
        'jurisdiction=US',
        '--requests',
        '100000',
        '--cut-after',
        '20',
        '--concurrency',
        '4',
        '--url',
        gateway.url,
        '--key',
        key,
        '--out',
        join(directory, 'interrupted'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const cutSeen = async (): Promise<boolean> =>
      (
        (await (
          await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } })
        ).json()) as { providers: Array<{ state: string }> }
      ).providers.some((provider) => provider.state === 'cut');
    const deadline = Date.now() + 60_000;
    while (!(await cutSeen()) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    assert.ok(await cutSeen(), 'the drill cut mid-way');
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.ok(!(await cutSeen()), 'the cut was lifted on interrupt');
  });
});

describe('the drill report counts only requests sent after the cut as "after"', () => {
  const cutAt = 10_000;
  const result = (sentAt: number, provider: string | null, phase: Result['phase'], status = 200): Result => ({
    alias: 'general',
    phase,
    status,
    provider,
    code: status === 200 ? null : 'no_provider_available',
    ms: 5,
    sentAt,
  });

  it('a cut provider served only before the cut: none after it, never a negative time', () => {
    const report = summariseDrill(
      'http://gateway',
      [{ target: 'provider', value: 'a' }],
      ['a'],
      cutAt,
      [result(cutAt - 43, 'a', 'before'), result(cutAt + 5, 'b', 'after')],
      'synthetic',
    );
    assert.equal(report.cut_to_last_request_ms, null);
  });

  it('a cut provider still served after the cut: how long after', () => {
    const report = summariseDrill(
      'http://gateway',
      [{ target: 'provider', value: 'a' }],
      ['a'],
      cutAt,
      [result(cutAt - 43, 'a', 'before'), result(cutAt + 12, 'a', 'after'), result(cutAt + 30, 'b', 'after')],
      'synthetic',
    );
    assert.equal(report.cut_to_last_request_ms, 12);
  });

  it('an alias with nothing served after the cut is lost', () => {
    const report = summariseDrill(
      'http://gateway',
      [{ target: 'provider', value: 'a' }],
      ['a'],
      cutAt,
      [result(cutAt - 1, 'a', 'before'), result(cutAt + 1, null, 'after', 503)],
      'synthetic',
    );
    assert.equal(report.aliases[0]!.verdict, 'lost');
  });
});

describe('an uncut may name what a stored cut names, though no provider has it any more', () => {
  it('lifts a cut left from a provider since removed from the config; a name neither known nor cut is still refused', async () => {
    const upstream = await startOpenAIDouble();
    const gateway = await startTestGateway({
      providers: [providerEntry('kept', upstream.url)],
      models: { default: { candidates: ['kept/m1'] } },
    });
    try {
      await gateway.store.addCut({
        id: 'left-over',
        target: 'provider',
        value: 'removed',
        until: null,
        createdAt: Date.now(),
        createdBy: 'ops',
      });
      const admin = { authorization: `Bearer ${gateway.key}` };
      assert.equal(
        (await postJson(`${gateway.url}/v1/admin/cut`, { provider: 'removed' }, admin)).status,
        400,
        'no new cut of it',
      );
      const lifted = await postJson(`${gateway.url}/v1/admin/uncut`, { provider: 'removed' }, admin);
      assert.equal(lifted.status, 200, lifted.text);
      assert.equal(lifted.json.lifted, 1);
      const again = await postJson(`${gateway.url}/v1/admin/uncut`, { provider: 'removed' }, admin);
      assert.equal(again.status, 400);
      assert.match(again.json.error.message, /nothing to uncut\. Known providers: "kept"\./);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});
