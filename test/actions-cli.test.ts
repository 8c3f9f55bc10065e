// The action gate from the README, with the real bin: a signing key, a receipt made by
// `sovereign actions sign`, a held action listed and approved with `sovereign actions`.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDownstreamDouble } from './doubles/downstream-double.js';
import { postJson, temporaryDirectory } from './helpers.js';
import { run, runAsync, startBin, waitUntil } from './support/bin.js';

test('signing key, signed receipt, held action approved from the command line', async () => {
  const directory = temporaryDirectory();
  const downstream = await startDownstreamDouble();
  const keyFile = join(directory, 'risk-engine.key');
  const created = run(['keys', 'signing-key', '--name', 'risk-engine.example', '--out', keyFile], directory);
  assert.equal(created.status, 0, created.stderr);
  const verifierKey = created.stdout.trim();
  assert.match(verifierKey, /^risk-engine\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  assert.match(readFileSync(keyFile, 'utf8'), /^PRIVATE\+KEY\+risk-engine\.example\+/);
  assert.equal(statSync(keyFile).mode & 0o077, 0, 'the private key is private');
  assert.equal(
    run(['keys', 'signing-key', '--name', 'again', '--out', keyFile], directory).status,
    2,
    'never overwrites a key',
  );

  const configFile = join(directory, 'sovereign.yaml');
  writeFileSync(
    configFile,
    [
      'actions:',
      `  downstream: ${downstream.url}`,
      '  halt_timeout_s: 30',
      `  trusted_keys: ["${verifierKey}"]`,
      '  rules:',
      '    - match: { action: [EXECUTE_TRANSACTION], amount_over: 1000 }',
      '      require: receipt_and_approval',
      '    - match: { action: [EXECUTE_TRANSACTION] }',
      '      require: receipt',
      '',
    ].join('\n'),
  );
  const gateway = await startBin(['--config', configFile], directory);
  try {
    const agent = run(['keys', 'create', '--name', 'agent', '--config', configFile], directory)
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    const approver = run(
      ['keys', 'create', '--name', 'alice', '--scope', 'approver', '--config', configFile],
      directory,
    )
      .stdout.trim()
      .split('\n')
      .at(-1)!;
    const auth = { authorization: `Bearer ${agent}` };
    await waitUntil(async () => (await postJson(`${gateway.url}/v1/actions`, {}, auth)).status === 403, 5_000);

    const signed = run(
      [
        'actions',
        'sign',
        '--key-file',
        keyFile,
        '--agent-id',
        'treasury-bot',
        '--action',
        'EXECUTE_TRANSACTION',
        '--params',
        '{"to":"acct-7"}',
        '--amount',
        '250',
        '--config',
        configFile,
        '--request',
      ],
      directory,
    );
    assert.equal(signed.status, 0, signed.stderr);
    const allowed = await postJson(`${gateway.url}/v1/actions`, JSON.parse(signed.stdout), auth);
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.json.verdict, 'ALLOW');

    const big = JSON.parse(
      run(
        [
          'actions',
          'sign',
          '--key-file',
          keyFile,
          '--agent-id',
          'treasury-bot',
          '--action',
          'EXECUTE_TRANSACTION',
          '--params',
          '{"to":"acct-9"}',
          '--amount',
          '5000',
          '--config',
          configFile,
          '--request',
        ],
        directory,
      ).stdout,
    );
    const waiting = postJson(`${gateway.url}/v1/actions`, big, auth);
    let listed = '';
    await waitUntil(async () => {
      listed = (await runAsync(['actions', 'list', '--json', '--url', gateway.url, '--key', approver], directory))
        .stdout;
      return listed.includes('acct') || JSON.parse(listed).actions.length > 0;
    }, 5_000);
    const [held] = JSON.parse(listed).actions;
    assert.equal(held.amount, 5000);
    // --api-key is the same as --key for every command that takes an API key.
    const table = await runAsync(['actions', 'list', '--url', gateway.url, '--api-key', approver], directory);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(held.action_id));
    const approved = await runAsync(
      ['actions', 'approve', held.action_id, '--comment', 'called the payee', '--url', gateway.url],
      directory,
      { SOVEREIGN_KEY: approver },
    );
    assert.equal(approved.status, 0, approved.stderr);
    assert.equal(JSON.parse(approved.stdout).verdict, 'ALLOW');
    assert.equal((await waiting).json.verdict, 'ALLOW');
    assert.deepEqual(
      downstream.received.map((item) => item.body.params.to),
      ['acct-7', 'acct-9'],
    );
    const again = await runAsync(
      ['actions', 'reject', held.action_id, '--url', gateway.url, '--key', approver],
      directory,
    );
    assert.equal(again.status, 1);
    assert.match(again.stderr, /409/);
  } finally {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    await downstream.close();
  }
});
