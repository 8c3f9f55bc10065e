// The drill end to end: three operators in two jurisdictions, one cut mid-run, against test doubles
// that record what they receive.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { temporaryDirectory } from './helpers.js';
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
    key = run(['keys', 'create', '--name', 'ops', '--admin', '--config', config], directory).stdout.trim().split('\n').at(-1)!;
    gateway = await startBin(['--config', config], directory);
  });
  after(async () => {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    for (const double of Object.values(doubles)) await double.close();
  });

  it('cuts an operator mid-run: nothing reaches it after the cut, aliases with another allowed provider go on, policy holds, counts match', async () => {
    const out = join(directory, 'report');
    const result = await runAsync(['drill', '--cut', 'operator=Operator A', '--requests', '300', '--concurrency', '8', '--url', gateway.url, '--key', key, '--out', out], directory);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    const cutAt = Date.parse(report.cut_at);
    const posts = (double: Double) => double.received.filter((received) => received.method === 'POST');

    // Nothing was sent to the cut provider after the cut took effect.
    assert.deepEqual(report.providers_cut, ['sa-a']);
    assert.equal(posts(doubles.saA).filter((received) => received.at > cutAt).length, 0);
    assert.ok(report.cut_to_last_request_ms === null || report.cut_to_last_request_ms < 0);

    // Every alias with another allowed provider is served after the cut; the one without is lost.
    const verdicts = Object.fromEntries(report.aliases.map((alias: { alias: string; verdict: string }) => [alias.alias, alias.verdict]));
    assert.equal(verdicts.saudi, 'continuous');
    assert.equal(verdicts['only-a'], 'lost');
    const general = report.aliases.find((alias: { alias: string }) => alias.alias === 'general');
    // general's confidential requests may only use SA providers: with A cut they are refused, never sent to the US.
    assert.ok(general.after_served > 0);
    for (const received of posts(doubles.usC)) assert.ok(received.at <= cutAt || !String(received.headers['x-sovereign-labels'] ?? '').includes('confidential'));
    assert.ok(report.phases.after.refused_by_policy > 0, 'confidential requests on general are refused after the cut');

    // The report's counts match what the doubles received.
    const servedBy = (id: string) => (report.phases.before.served_by[id] ?? 0) + (report.phases.after.served_by[id] ?? 0);
    assert.equal(servedBy('sa-a'), posts(doubles.saA).length);
    assert.equal(servedBy('sa-b'), posts(doubles.saB).length);
    assert.equal(servedBy('us-c'), posts(doubles.usC).length);
    assert.equal(report.phases.before.requests + report.phases.after.requests, 300);

    // The cut was lifted at the end, and the page works offline.
    const providers = (await (await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } })).json()) as { providers: Array<{ state: string }> };
    assert.ok(providers.providers.every((provider) => provider.state !== 'cut'));
    const html = readFileSync(`${out}.html`, 'utf8');
    assert.match(html, /<svg/);
    assert.ok(!/https?:\/\//.test(html.replace(gateway.url, '')), 'no assets from the internet');
    assert.match(result.stdout, /saudi +CONTINUOUS/);
  });

  it('lifts its cuts when interrupted', async () => {
    const child = (await import('node:child_process')).spawn(process.execPath, [join(process.cwd(), 'bin/sovereign.js'), 'drill', '--cut', 'jurisdiction=US', '--requests', '100000', '--cut-after', '20', '--concurrency', '4', '--url', gateway.url, '--key', key, '--out', join(directory, 'interrupted')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const cutSeen = async (): Promise<boolean> => ((await (await fetch(`${gateway.url}/v1/providers`, { headers: { authorization: `Bearer ${key}` } })).json()) as { providers: Array<{ state: string }> }).providers.some((provider) => provider.state === 'cut');
    const deadline = Date.now() + 60_000;
    while (!(await cutSeen()) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    assert.ok(await cutSeen(), 'the drill cut mid-way');
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.ok(!(await cutSeen()), 'the cut was lifted on interrupt');
  });
});
