// `sovereign models pull` with the real bin against a Hugging Face–compatible hub double on
// 127.0.0.1: the published digest, resumption, the token and the endpoint, and the served name
// that `pull` and `add` announce.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeEntry } from '../src/ledger/entry.js';
import { openSqliteStore } from '../src/store/kysely-store.js';
import { startHubDouble, type HubDouble } from './doubles/hub-double.js';
import { temporaryDirectory } from './helpers.js';
import { run, runAsync } from './support/bin.js';
import { writeTinyModel } from './support/tiny-gguf.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The tiny GGUF model's bytes (general.name tiny-test-llama), written once. */
function tinyModel(seed = 42): Buffer {
  const file = join(temporaryDirectory(), 'tiny.gguf');
  writeTinyModel(file, { seed });
  return readFileSync(file);
}

const bytes = tinyModel();
const digest = sha256(bytes);

/** The environment of a pull: this hub, and no token the machine running the tests may have set. */
const hubEnvironment = (hub: HubDouble, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  HF_ENDPOINT: hub.endpoint,
  HF_TOKEN: '',
  ...extra,
});

const listed = (
  directory: string,
): Array<{ name: string; path: string; sha256: string; metadata: { source: string; license: string } }> =>
  JSON.parse(run(['models', 'list', '--json'], directory).stdout);

const downloads = (hub: HubDouble): HubDouble['received'] => hub.received.filter((request) => request.method === 'GET');

describe('pull downloads, checks the published digest, registers and says the served name', () => {
  let hub: HubDouble;
  before(async () => {
    hub = await startHubDouble([
      { repo: 'tiny-org/tiny-llama-GGUF', file: 'f32/tiny-llama.gguf', bytes },
      { repo: 'tiny-org/tiny-llama-GGUF', revision: 'v1.0', file: 'tiny-llama.gguf', bytes: tinyModel(7) },
    ]);
  });
  after(() => hub.close());

  it('fetches a file in a subfolder at main, through the hub’s redirect to storage, and registers it as models add does', async () => {
    const directory = temporaryDirectory();
    const pulled = await runAsync(
      ['models', 'pull', 'tiny-org/tiny-llama-GGUF/f32/tiny-llama.gguf', '--license', 'mit'],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(pulled.status, 0, pulled.stderr);
    assert.match(pulled.stdout, /matches the hub's published SHA-256/);
    assert.match(pulled.stdout, new RegExp(`registered gguf model "tiny-test-llama": sha256:${digest}`));
    assert.match(pulled.stdout, /^served as local\/tiny-test-llama from the next start of the gateway$/m);

    const kept = join(directory, '.sovereign', 'models', 'f32', 'tiny-llama.gguf');
    assert.deepEqual(readFileSync(kept), bytes);
    assert.equal(existsSync(`${kept}.part`), false);
    const [model] = listed(directory);
    assert.equal(model!.path, kept);
    assert.equal(model!.sha256, digest);
    assert.equal(model!.metadata.source, `${hub.endpoint}/tiny-org/tiny-llama-GGUF/resolve/main/f32/tiny-llama.gguf`);
    assert.equal(model!.metadata.license, 'mit');
    assert.equal(run(['models', 'verify', 'tiny-test-llama'], directory).status, 0, 'the signed manifest verifies');

    const store = openSqliteStore(join(directory, '.sovereign'));
    try {
      const entries = (await store.ledgerEntries(0, await store.ledgerSize())).map((entry) => decodeEntry(entry.leaf));
      const added = entries.filter((entry) => entry.kind === 'model_add');
      assert.equal(added.length, 1);
      assert.equal(added[0]!.model?.sha256, digest);
    } finally {
      await store.close();
    }

    const head = hub.received.find((request) => request.method === 'HEAD')!;
    assert.equal(head.origin, 'hub');
    assert.equal(head.status, 302);
    assert.equal(head.headers['accept-encoding'], 'identity');
    assert.deepEqual(
      downloads(hub).map((request) => request.origin),
      ['storage'],
      'the bytes come from where the HEAD was redirected',
    );
  });

  it('pulls the revision after @ into --dir under --name', async () => {
    const directory = temporaryDirectory();
    const elsewhere = join(directory, 'weights');
    const pulled = await runAsync(
      ['models', 'pull', 'tiny-org/tiny-llama-GGUF/tiny-llama.gguf@v1.0', '--name', 'tiny-v1', '--dir', elsewhere],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(pulled.status, 0, pulled.stderr);
    assert.match(pulled.stdout, /^served as local\/tiny-v1 /m);
    const [model] = listed(directory);
    assert.equal(model!.path, join(elsewhere, 'tiny-llama.gguf'));
    assert.equal(model!.metadata.source, `${hub.endpoint}/tiny-org/tiny-llama-GGUF/resolve/v1.0/tiny-llama.gguf`);
  });

  it('refuses a reference that is not <owner>/<repo>/<file.gguf>, or a path that climbs out of the directory', async () => {
    const directory = temporaryDirectory();
    for (const reference of [
      'tiny-org/tiny-llama.gguf',
      'tiny-org/tiny-llama-GGUF/config.json',
      'tiny-org/tiny-llama-GGUF/../../escape.gguf',
    ]) {
      const refused = await runAsync(['models', 'pull', reference], directory, hubEnvironment(hub));
      assert.equal(refused.status, 2, reference);
    }
  });
});

describe('a wrong digest is refused and nothing is registered', () => {
  let hub: HubDouble;
  before(async () => {
    hub = await startHubDouble([
      { repo: 'tiny-org/tampered', file: 'tiny.gguf', bytes, publishedSha256: sha256(Buffer.from('other weights')) },
      { repo: 'tiny-org/honest', file: 'tiny.gguf', bytes },
    ]);
  });
  after(() => hub.close());

  it('bytes that do not hash to the published SHA-256 are removed, and the registry stays empty', async () => {
    const directory = temporaryDirectory();
    const refused = await runAsync(['models', 'pull', 'tiny-org/tampered/tiny.gguf'], directory, hubEnvironment(hub));
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `hashes to sha256:${digest}, not the hub's published sha256:${sha256(Buffer.from('other weights'))}: it is refused, nothing was registered`,
      ),
    );
    const kept = join(directory, '.sovereign', 'models', 'tiny.gguf');
    assert.equal(existsSync(kept), false);
    assert.equal(existsSync(`${kept}.part`), false, 'the partial file is removed');
    assert.deepEqual(listed(directory), []);
  });

  it('a --digest that disagrees with the hub’s is refused before any byte is downloaded', async () => {
    const directory = temporaryDirectory();
    const before = downloads(hub).length;
    const refused = await runAsync(
      ['models', 'pull', 'tiny-org/honest/tiny.gguf', '--digest', `sha256:${'0'.repeat(64)}`],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `the hub publishes sha256:${digest} for tiny.gguf, not the --digest sha256:0{64}: nothing was downloaded`,
      ),
    );
    assert.equal(downloads(hub).length, before);
    assert.deepEqual(listed(directory), []);
  });
});

describe('an interrupted download is resumed with a Range request and the result is the same file', () => {
  let hub: HubDouble;
  before(async () => {
    hub = await startHubDouble([{ repo: 'tiny-org/tiny', file: 'tiny.gguf', bytes }]);
  });
  after(() => hub.close());

  it('a connection cut after 300 kB leaves a .part that the next pull continues from', async () => {
    const directory = temporaryDirectory();
    const part = join(directory, '.sovereign', 'models', 'tiny.gguf.part');
    hub.cutNextDownloadAfter(300_000);
    const cut = await runAsync(
      ['models', 'pull', 'tiny-org/tiny/tiny.gguf', '--name', 'tiny'],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(cut.status, 1);
    assert.match(cut.stderr, /are kept in .*tiny\.gguf\.part: run the same pull again to resume/);
    const kept = statSync(part).size;
    assert.equal(kept, 300_000, 'every byte received before the cut is kept');
    assert.deepEqual(readFileSync(part), bytes.subarray(0, kept), 'the part is a prefix of the file');
    assert.deepEqual(listed(directory), []);

    const resumed = await runAsync(
      ['models', 'pull', 'tiny-org/tiny/tiny.gguf', '--name', 'tiny'],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /resumed after 0\.\d MiB/);
    const last = downloads(hub).at(-1)!;
    assert.equal(last.headers.range, `bytes=${kept}-`);
    assert.equal(last.status, 206);
    assert.deepEqual(readFileSync(join(directory, '.sovereign', 'models', 'tiny.gguf')), bytes);
    assert.equal(existsSync(part), false);
    assert.equal(listed(directory)[0]!.sha256, digest);
  });

  it('a server that answers the Range with 200 is read from the start, and the result is the same file', async () => {
    const directory = temporaryDirectory();
    hub.cutNextDownloadAfter(200_000);
    assert.equal(
      (await runAsync(['models', 'pull', 'tiny-org/tiny/tiny.gguf', '--name', 'tiny'], directory, hubEnvironment(hub)))
        .status,
      1,
    );
    hub.ignoreRanges(true);
    try {
      const again = await runAsync(
        ['models', 'pull', 'tiny-org/tiny/tiny.gguf', '--name', 'tiny'],
        directory,
        hubEnvironment(hub),
      );
      assert.equal(again.status, 0, again.stderr);
      const last = downloads(hub).at(-1)!;
      assert.match(String(last.headers.range), /^bytes=\d+-$/);
      assert.equal(last.status, 200);
      assert.match(again.stdout, /: downloaded, /);
      assert.deepEqual(readFileSync(join(directory, '.sovereign', 'models', 'tiny.gguf')), bytes);
      assert.equal(listed(directory)[0]!.sha256, digest);
    } finally {
      hub.ignoreRanges(false);
    }
  });

  it('a hub silent for longer than --timeout ends the pull and keeps what arrived', async () => {
    const directory = temporaryDirectory();
    hub.stallNextDownloadAfter(100_000);
    const stalled = await runAsync(
      ['models', 'pull', 'tiny-org/tiny/tiny.gguf', '--name', 'tiny', '--timeout', '1'],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(stalled.status, 1);
    assert.match(stalled.stderr, /went silent for 1 s after/);
    const kept = statSync(join(directory, '.sovereign', 'models', 'tiny.gguf.part')).size;
    assert.equal(kept, 100_000);
    const resumed = await runAsync(
      ['models', 'pull', 'tiny-org/tiny/tiny.gguf', '--name', 'tiny'],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(downloads(hub).at(-1)!.headers.range, `bytes=${kept}-`);
  });
});

describe('HF_TOKEN is sent as a bearer token and HF_ENDPOINT is honoured', () => {
  const token = 'hf_TestTokenThatMustNeverBePrinted';
  let hub: HubDouble;
  before(async () => {
    // An internal mirror under a path, holding a private repository that was renamed.
    hub = await startHubDouble([{ repo: 'acme/private-tiny', file: 'tiny.gguf', bytes, token }], {
      basePath: '/mirror/hf',
      renames: { 'acme/old-tiny': 'acme/private-tiny' },
    });
  });
  after(() => hub.close());

  it('without HF_TOKEN the refusal says to set it; with it the hub gets the bearer token and storage never does', async () => {
    const directory = temporaryDirectory();
    const refused = await runAsync(['models', 'pull', 'acme/private-tiny/tiny.gguf'], directory, hubEnvironment(hub));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /the hub refused acme\/private-tiny\/tiny\.gguf@main \(401\): set HF_TOKEN/);

    const start = hub.received.length;
    const pulled = await runAsync(
      ['models', 'pull', 'acme/old-tiny/tiny.gguf', '--name', 'tiny'],
      directory,
      hubEnvironment(hub, { HF_TOKEN: token }),
    );
    assert.equal(pulled.status, 0, pulled.stderr);
    const requests = hub.received.slice(start);
    assert.deepEqual(
      requests.map((request) => `${request.origin} ${request.method} ${request.status}`),
      ['hub HEAD 307', 'hub HEAD 302', 'storage GET 200'],
      'the renamed repository is followed on the hub, then the bytes come from storage',
    );
    for (const request of requests.filter((each) => each.origin === 'hub'))
      assert.equal(request.headers.authorization, `Bearer ${token}`);
    for (const request of requests.filter((each) => each.origin === 'storage'))
      assert.equal(request.headers.authorization, undefined, 'the token is not sent to storage');
    assert.ok(requests.every((request) => request.path.startsWith('/mirror/hf/') || request.origin === 'storage'));
    assert.equal(listed(directory)[0]!.metadata.source, `${hub.endpoint}/acme/old-tiny/resolve/main/tiny.gguf`);
    for (const output of [refused.stdout, refused.stderr, pulled.stdout, pulled.stderr])
      assert.doesNotMatch(output, new RegExp(token));
  });
});

describe('a file with no published digest needs --digest', () => {
  let hub: HubDouble;
  before(async () => {
    // Not stored with LFS: the hub's ETag is a Git blob id, not a SHA-256.
    hub = await startHubDouble([{ repo: 'tiny-org/plain', file: 'tiny.gguf', bytes, lfs: false }]);
  });
  after(() => hub.close());

  it('is refused without --digest, before any byte is downloaded', async () => {
    const directory = temporaryDirectory();
    const refused = await runAsync(['models', 'pull', 'tiny-org/plain/tiny.gguf'], directory, hubEnvironment(hub));
    assert.equal(refused.status, 2);
    assert.match(
      refused.stderr,
      /the hub publishes no SHA-256 for tiny\.gguf \(its ETag is [0-9a-f]{40}, a Git blob id: the file is not stored with LFS\): .*--digest sha256:<hex>/,
    );
    assert.equal(downloads(hub).length, 0);
    assert.deepEqual(listed(directory), []);
  });

  it('is checked against the --digest given: a wrong one is refused and removed, the right one registers', async () => {
    const directory = temporaryDirectory();
    const wrong = await runAsync(
      ['models', 'pull', 'tiny-org/plain/tiny.gguf', '--digest', `sha256:${'a'.repeat(64)}`],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /not the --digest sha256:a{64}: it is refused, nothing was registered/);
    assert.equal(existsSync(join(directory, '.sovereign', 'models', 'tiny.gguf.part')), false);
    assert.deepEqual(listed(directory), []);

    const right = await runAsync(
      ['models', 'pull', 'tiny-org/plain/tiny.gguf', '--digest', `sha256:${digest}`, '--name', 'plain'],
      directory,
      hubEnvironment(hub),
    );
    assert.equal(right.status, 0, right.stderr);
    assert.match(right.stdout, /matches the --digest given/);
    assert.equal(downloads(hub).at(-1)!.origin, 'hub', 'a regular file is served by the hub itself');
    assert.equal(listed(directory)[0]!.sha256, digest);
  });
});

describe('models add says the name the gateway will serve', () => {
  const directory = temporaryDirectory();
  const file = join(directory, 'tiny.gguf');
  writeFileSync(file, bytes);
  const config = (name: string, providers: string, aliases = ''): string => {
    const path = join(directory, `${name}.yaml`);
    writeFileSync(path, `data_dir: ${join(directory, name)}\nproviders:\n${providers}${aliases}`);
    return path;
  };

  it('local/<name> with no provider configured', () => {
    mkdirSync(join(directory, 'bare'));
    const added = run(['models', 'add', file, '--name', 'tiny'], join(directory, 'bare'));
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /^served as local\/tiny from the next start of the gateway$/m);
  });

  it('embedded/<name> when a provider already has the id local', () => {
    const path = config(
      'taken',
      '  - { id: local, kind: openai-compatible, base_url: "http://127.0.0.1:1/v1", jurisdiction: local, operator: me, ownership: owned, models: [m] }\n',
    );
    const added = run(['models', 'add', file, '--name', 'tiny', '--config', path], directory);
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /^served as embedded\/tiny from the next start of the gateway$/m);
  });

  it('<provider id>/<name> for the config’s own kind: local provider that lists it, with the aliases that name it', () => {
    const path = config(
      'own',
      '  - { id: own, kind: local, jurisdiction: local, operator: me, ownership: owned, models: [tiny] }\n',
      'models:\n  fast: { candidates: [own/tiny] }\n',
    );
    const added = run(['models', 'add', file, '--name', 'tiny', '--config', path], directory);
    assert.equal(added.status, 0, added.stderr);
    assert.match(
      added.stdout,
      /^served as own\/tiny \(and through the alias fast\) from the next start of the gateway$/m,
    );
  });

  it('not served yet when the config’s kind: local provider does not list it', () => {
    const path = config(
      'unlisted',
      '  - { id: own, kind: local, jurisdiction: local, operator: me, ownership: owned, models: [other] }\n',
    );
    const added = run(['models', 'add', file, '--name', 'tiny', '--config', path], directory);
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /^not served yet: .*add "tiny" to one's models to serve it as own\/tiny$/m);
  });
});
