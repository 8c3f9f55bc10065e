// The single-file verifier, dist/sovereign-verify.mjs: built here by scripts/build-verifier.mjs, copied
// where nothing is installed, run with plain node against receipts of a real gateway, and compared
// with `sovereign verify` (run from the source, so a stale dist/ cannot hide a difference).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { generateSigner } from '../src/ledger/note.js';
import { keyPrefix } from '../src/pipeline/auth.js';
import { verifyReceipt } from '../src/ledger/receipt.js';
import type { Double } from './doubles/http-double.js';
import { startOpenAIDouble } from './doubles/openai-upstream.js';
import { providerEntry, startTestGateway, temporaryDirectory, type TestGateway } from './helpers.js';

const repository = resolve('.');
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const requestBody = '{"model":"default",  "messages":[{"role":"user","content":"check me offline"}]}';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a machine where nothing of ours is set up: no loader hooks passed down. */
function plainEnvironment(): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  delete environment.NODE_OPTIONS;
  return environment;
}

let buildDirectory: string;
let runDirectory: string;
let bundleText: string;
let buildOutput: string;

/** `node sovereign-verify.mjs …` in the run directory, with plain node. */
function standalone(args: string[]): Result {
  const result = spawnSync(process.execPath, ['sovereign-verify.mjs', ...args], {
    cwd: runDirectory,
    env: plainEnvironment(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `sovereign verify …` from the source, in the same directory with the same arguments. */
function sovereignVerify(args: string[]): Result {
  const main = pathToFileURL(join(repository, 'src/cli/main.ts')).href;
  const loader = pathToFileURL(join(repository, 'node_modules/tsx/dist/loader.mjs')).href;
  const code = `const { main } = await import(${JSON.stringify(main)}); await main(['node', 'sovereign', 'verify', ...process.argv.slice(1)]);`;
  const result = spawnSync(process.execPath, ['--import', loader, '--input-type=module', '-e', code, '--', ...args], {
    cwd: runDirectory,
    env: plainEnvironment(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs both and checks they agree byte for byte; returns what they said. */
function both(args: string[]): Result {
  const single = standalone(args);
  const cli = sovereignVerify(args);
  assert.deepEqual(single, cli, `sovereign-verify.mjs and sovereign verify disagree on ${args.join(' ')}`);
  return single;
}

before(() => {
  buildDirectory = temporaryDirectory('sovereign-verifier-build-');
  const built = spawnSync(
    process.execPath,
    ['scripts/build-verifier.mjs', '--outfile', join(buildDirectory, 'sovereign-verify.mjs')],
    { cwd: repository, env: plainEnvironment(), encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(built.status, 0, built.stderr);
  buildOutput = built.stdout;
  runDirectory = temporaryDirectory('sovereign-verifier-run-');
  copyFileSync(join(buildDirectory, 'sovereign-verify.mjs'), join(runDirectory, 'sovereign-verify.mjs'));
  bundleText = readFileSync(join(runDirectory, 'sovereign-verify.mjs'), 'utf8');
});
after(() => {
  rmSync(buildDirectory, { recursive: true, force: true });
  rmSync(runDirectory, { recursive: true, force: true });
});

describe('the single-file verifier checks a real receipt from a running gateway with plain node, from a directory without node_modules', () => {
  let upstream: Double;
  let gateway: TestGateway;
  let receipt: string;

  before(async () => {
    upstream = await startOpenAIDouble();
    gateway = await startTestGateway({
      providers: [providerEntry('local', upstream.url)],
      models: { default: { candidates: ['local/m1'] } },
      routing: { retries: 0 },
    });
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'application/json' },
      body: requestBody,
    });
    assert.equal(response.status, 200, await response.clone().text());
    await response.text();
    const index = response.headers.get('x-sovereign-receipt')!;
    const json = await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, {
      headers: { authorization: `Bearer ${gateway.key}` },
    });
    assert.equal(json.status, 200);
    receipt = await json.text();
    const proof = await fetch(`${gateway.url}/v1/ledger/receipts/${index}`, {
      headers: { authorization: `Bearer ${gateway.key}`, accept: 'text/plain' },
    });
    writeFileSync(join(runDirectory, 'receipt.json'), receipt);
    writeFileSync(join(runDirectory, 'receipt.tlog-proof'), await proof.text());
    writeFileSync(join(runDirectory, 'request.json'), requestBody);
    writeFileSync(join(runDirectory, 'verifier.key'), `${gateway.signer.encoded}\n`);
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('runs where no node_modules can be found, outside the repository', () => {
    assert.ok(relative(repository, runDirectory).startsWith('..'), `${runDirectory} is outside ${repository}`);
    for (let directory = runDirectory; ; directory = dirname(directory)) {
      assert.ok(!existsSync(join(directory, 'node_modules')), `no node_modules in ${directory}`);
      if (dirname(directory) === directory) break;
    }
  });

  it('verifies the receipt and the request body, prints the entry and exits 0, as sovereign verify does', () => {
    const result = both([
      'receipt.json',
      '--key',
      gateway.signer.encoded,
      '--body',
      'request.json',
      '--origin',
      gateway.signer.name,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    const expected = verifyReceipt(JSON.parse(receipt), [gateway.signer], gateway.signer.name);
    assert.equal(
      result.stdout,
      `${JSON.stringify(expected.entry, null, 2)}\nOK: entry ${expected.index} is in log ${gateway.signer.name} (checkpoint size ${expected.checkpoint.size}), signed by ${gateway.signer.name}; the request body matches\n`,
    );
  });

  it('verifies the tlog-proof text of the same receipt, with the key read from a file', () => {
    const result = both(['receipt.tlog-proof', '--key', '@verifier.key']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /"request_sha256": "[0-9a-f]{64}"/);
    assert.match(
      result.stdout,
      /\nOK: entry \d+ is in log test\.example\/sovereign-gateway \(checkpoint size \d+\), signed by test\.example\/sovereign-gateway\n$/,
    );
  });

  it('prints its version and its usage', () => {
    assert.deepEqual(standalone(['--version']), { status: 0, stdout: `${version}\n`, stderr: '' });
    const help = standalone(['--help']);
    assert.equal(help.status, 0);
    assert.match(
      help.stdout,
      /^usage: node sovereign-verify\.mjs <receipt> --key <vkey> \[--body <file>\] \[--origin <origin>\]\n/,
    );
    assert.match(help.stdout, /exit codes: 0 valid, 1 invalid, 2 bad usage/);
  });

  describe('it refuses a tampered receipt, a wrong key and a body that does not match, with the same messages and exit codes as sovereign verify', () => {
    const write = (name: string, text: string): string => {
      writeFileSync(join(runDirectory, name), text);
      return name;
    };

    it('a leaf changed by one bit: receipt INVALID (proof), exit 1', () => {
      const parsed = JSON.parse(receipt);
      const leaf = Buffer.from(parsed.leaf, 'base64');
      leaf[10]! ^= 1;
      const file = write('tampered-leaf.json', JSON.stringify({ ...parsed, leaf: leaf.toString('base64') }));
      const result = both([file, '--key', gateway.signer.encoded]);
      assert.equal(result.status, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^sovereign: receipt INVALID \(proof\): the entry is not included at index \d+/);
    });

    it('a checkpoint whose signed text was changed: receipt INVALID (signature), exit 1', () => {
      const parsed = JSON.parse(receipt);
      const lines = (parsed.checkpoint as string).split('\n');
      lines[1] = String(Number(lines[1]) + 1);
      const file = write('tampered-checkpoint.json', JSON.stringify({ ...parsed, checkpoint: lines.join('\n') }));
      const result = both([file, '--key', gateway.signer.encoded]);
      assert.equal(result.status, 1);
      assert.match(
        result.stderr,
        /^sovereign: receipt INVALID \(signature\): the checkpoint's signature does not verify: the signature by test\.example\/sovereign-gateway does not verify\n$/,
      );
    });

    it('the key of another log, even under the same name: receipt INVALID (signature), exit 1', () => {
      const other = generateSigner(gateway.signer.name).encoded;
      const result = both(['receipt.json', '--key', other]);
      assert.equal(result.status, 1);
      assert.match(
        result.stderr,
        /^sovereign: receipt INVALID \(signature\): the checkpoint's signature does not verify: no signature by a known key\n$/,
      );
    });

    it('another origin than the one required: receipt INVALID (checkpoint), exit 1', () => {
      const result = both(['receipt.json', '--key', gateway.signer.encoded, '--origin', 'elsewhere.example/log']);
      assert.equal(result.status, 1);
      assert.match(
        result.stderr,
        /^sovereign: receipt INVALID \(checkpoint\): the checkpoint is from log "test\.example\/sovereign-gateway", not "elsewhere\.example\/log"\n$/,
      );
    });

    it('a request body that is not the one sent (one space added): exit 1, naming both digests', () => {
      const file = write('other-request.json', `${requestBody} `);
      const result = both(['receipt.json', '--key', gateway.signer.encoded, '--body', file]);
      assert.equal(result.status, 1);
      assert.equal(result.stdout, '');
      assert.match(
        result.stderr,
        /^sovereign: other-request\.json: its SHA-256 [0-9a-f]{64} is not the entry's request_sha256 [0-9a-f]{64}\n$/,
      );
    });

    it('a file that is not a receipt: exit 1', () => {
      const file = write('not-a-receipt.json', '{"index": 0');
      const result = both([file, '--key', gateway.signer.encoded]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^sovereign: not-a-receipt\.json: not a receipt \(/);
      const shape = both([write('wrong-shape.json', '{"index": -1}'), '--key', gateway.signer.encoded]);
      assert.equal(shape.status, 1);
      assert.match(shape.stderr, /^sovereign: receipt INVALID \(shape\): index must be a non-negative integer\n$/);
    });

    it('bad usage: no key, a malformed key, a missing file, an unknown option: exit 2', () => {
      const cases: Array<[string[], RegExp]> = [
        [['receipt.json'], /^error: required option '--key <vkey>' not specified\n$/],
        [['--key', gateway.signer.encoded], /^error: missing required argument 'receipt'\n$/],
        [['receipt.json', '--key'], /^error: option '--key <vkey>' argument missing\n$/],
        [['receipt.json', '--key', 'not-a-key'], /^sovereign: --key is not a verifier key \(name\+hexid\+base64\): /],
        [
          ['receipt.json', '--key', `${keyPrefix}0123456789abcdef`],
          /^sovereign: --key takes the log's verifier key .*, and this is an API key \(sk-sov-…\): verify works offline and needs no API key\n$/,
        ],
        [
          ['receipt.json', '--key', generateSigner(gateway.signer.name).encodedPrivate],
          /^sovereign: --key takes the log's verifier key .*, and this is a private signing key \(PRIVATE\+KEY\+…\): give its verifier key, never the private one\n$/,
        ],
        [
          ['missing.json', '--key', gateway.signer.encoded],
          /^sovereign: cannot read the receipt missing\.json: ENOENT/,
        ],
        [
          ['receipt.json', '--key', gateway.signer.encoded, '--body', 'missing.json'],
          /^sovereign: cannot read the request body missing\.json: ENOENT/,
        ],
        [['receipt.json', '--key', gateway.signer.encoded, '--bogus'], /^error: unknown option '--bogus'\n$/],
      ];
      for (const [args, message] of cases) {
        const result = both(args);
        assert.equal(result.status, 2, args.join(' '));
        assert.match(result.stderr, message);
      }
    });
  });
});

describe('the bundle imports only node: built-ins', () => {
  it('every import of the built file is a node: built-in, and nothing is required at run time', () => {
    const specifiers = [
      ...[...bundleText.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']/gm)].map(
        (match) => match[1]!,
      ),
      ...[...bundleText.matchAll(/^\s*import\s*["']([^"']+)["']/gm)].map((match) => match[1]!),
      ...[...bundleText.matchAll(/\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]!),
    ];
    assert.ok(
      specifiers.includes('node:crypto') && specifiers.includes('node:fs') && specifiers.includes('node:util'),
      `found ${specifiers.join(', ')}`,
    );
    for (const specifier of specifiers) assert.match(specifier, /^node:[a-z_/]+$/, `the bundle imports ${specifier}`);
    assert.doesNotMatch(bundleText, /\bimport\s*\(\s*[^"'`\s]/, 'no dynamic import of a computed name');
    assert.doesNotMatch(bundleText, /\brequire\s*\(|createRequire/, 'no require');
  });

  it('is made of src/ledger, src/core and the verify command only, not commander, pino or kysely', () => {
    const modules = [...bundleText.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((match) => match[1]!);
    assert.ok(
      modules.includes('src/ledger/receipt.ts') && modules.includes('src/cli/verify-receipt.ts'),
      `found ${modules.join(', ')}`,
    );
    for (const module of modules)
      assert.match(
        module,
        /^src\/(ledger\/[a-z-]+|core\/[a-z-]+|cli\/verify-[a-z-]+)\.ts$/,
        `the bundle holds ${module}`,
      );
    assert.doesNotMatch(bundleText, /node_modules|commander|pino|kysely|better-sqlite3/);
  });

  it('opens with a header saying what it is, its version and how to run it', () => {
    const header = bundleText.slice(0, bundleText.indexOf('\n\n'));
    assert.match(header, /^#!\/usr\/bin\/env node\n/);
    assert.match(
      header,
      new RegExp(
        `sovereign-verify ${version.replace(/\./g, '\\.')}: the single-file receipt verifier of sovereign-gateway`,
      ),
    );
    assert.match(header, /node sovereign-verify\.mjs receipt\.json --key/);
    assert.match(header, /Exit codes: 0 valid, 1 invalid, 2 bad usage/);
    assert.match(buildOutput, /^built .*sovereign-verify\.mjs \(sovereign-verify \d+\.\d+\.\d+, [\d.]+ KiB\)\n$/);
  });
});
