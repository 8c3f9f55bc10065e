// `sovereign start`: load and validate the config (exit 2 if bad: the schema, then the checks
// `config check` runs too, then loading the detectors' model), open and migrate the store, create the
// providers, serve, and shut down gracefully on SIGTERM/SIGINT. A store that cannot be opened or
// written is one line naming where and why (exit 1), never a stack.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { request as undiciRequest } from 'undici';
import { createApp } from '../api/server.js';
import { parseListen } from '../config/schema.js';
import { systemClock } from '../core/clock.js';
import { createProviders, weightsDigests, withEmbeddedModels } from '../pipeline/catalog.js';
import { ModelRegistry } from '../models/registry.js';
import { createDeepScanner } from '../pipeline/deep-scan.js';
import { createApiKey } from '../pipeline/auth.js';
import { fileCheckpointMirror, LedgerIntegrityError, LedgerLog } from '../pipeline/ledger-log.js';
import { createLogger } from '../telemetry/logger.js';
import { loadSigner } from './ledger-key.js';
import { loadStateKey } from './state-key.js';
import { checkStartable, configSource } from './config-checks.js';
import { exitConfigError, loadConfigOrExit, openConfiguredStore } from './context.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the gateway')
    .option('--config <file>', 'config file (default: ./sovereign.yaml, else built-in defaults)')
    .option('--port <n>', 'listen on this port instead of the config’s')
    .action(async (options: { config?: string; port?: string }) => {
      await start(options);
    });
}

async function start(options: { config?: string; port?: string }): Promise<void> {
  const loaded = loadConfigOrExit(options.config);
  const listen = parseListen(loaded.config.listen);
  if (options.port !== undefined) {
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`sovereign: --port must be a port number (0–65535), got "${options.port}"\n`);
      process.exit(exitConfigError);
    }
    listen.port = port;
  }
  const where = configSource(loaded);
  const dataDirectory = resolve(loaded.config.data_dir);
  const storePlace = storeLocation(dataDirectory, process.env.DATABASE_URL);
  let store;
  let registered;
  try {
    store = await openConfiguredStore(loaded);
    registered = await store.models();
  } catch (error) {
    process.stderr.write(`sovereign: cannot open the store at ${storePlace}: ${failureCause(error)}\n`);
    process.exit(1);
  }
  // The same checks as `config check`, with the same messages: every problem is named, then exit 2.
  const { errors } = checkStartable(loaded, process.env, registered);
  if (errors.length > 0) {
    for (const error of errors) process.stderr.write(`sovereign: ${error}\n`);
    process.exit(exitConfigError);
  }
  let signer;
  let stateKey;
  try {
    signer = loadSigner(loaded.config, process.env, { create: true });
    stateKey = loadStateKey(loaded.config, process.env, { create: true });
  } catch (error) {
    process.stderr.write(`sovereign: ${where}: ${(error as Error).message}\n`);
    process.exit(exitConfigError);
  }
  const logger = createLogger(loaded.config.log.level);
  const registry = new ModelRegistry({ store, verifier: signer });
  const config = withEmbeddedModels(loaded.config, registered);
  let providers;
  try {
    providers = createProviders(config, process.env, { registry, clock: systemClock });
  } catch (error) {
    process.stderr.write(`sovereign: ${where}: ${(error as Error).message}\n`);
    process.exit(exitConfigError);
  }
  // The last signed checkpoint is kept beside the data too: a database that lost entries together
  // with their checkpoints (or was restored from an older copy) is refused at the next start.
  try {
    mkdirSync(dataDirectory, { recursive: true, mode: 0o700 });
  } catch (error) {
    process.stderr.write(`sovereign: cannot create the data directory ${dataDirectory}: ${failureCause(error)}\n`);
    process.exit(1);
  }
  const ledger = new LedgerLog({
    store,
    signer,
    origin: signer.name,
    clock: systemClock,
    checkpointIntervalMs: config.ledger.checkpoint_interval_ms,
    onError: (error) => logger.error({ err: error }, 'ledger'),
    mirror: fileCheckpointMirror(join(dataDirectory, checkpointFile)),
  });
  let deepScanner;
  const ner = config.policy?.detectors?.ner;
  if (ner) {
    try {
      deepScanner = await createDeepScanner(ner, { registry, clock: systemClock });
    } catch (error) {
      // Loading the model is the one check `config check` leaves to start (it is slow).
      const message = (error as Error).message;
      process.stderr.write(
        `sovereign: ${where}: ${message.startsWith('policy.detectors.ner') ? message : `policy.detectors.ner: ${message}`}\n`,
      );
      process.exit(exitConfigError);
    }
  }
  const app = createApp({
    config,
    store,
    providers,
    logger,
    ledger,
    defaultMetrics: true,
    weights: weightsDigests(config, registered),
    deepScanner,
    stateKey,
  });
  try {
    await app.start();
  } catch (error) {
    if (error instanceof LedgerIntegrityError) {
      process.stderr.write(`sovereign: refusing to start: ${error.message}\n`);
      process.exit(1);
    }
    // Starting writes (interrupted streams closed, a checkpoint signed, the checkpoint file): a
    // read-only or full disk shows here, as an error with a code. Anything else is a bug: its stack helps.
    if (!hasCode(error)) throw error;
    process.stderr.write(`sovereign: cannot start with the store at ${storePlace}: ${failureCause(error)}\n`);
    process.exit(1);
  }

  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(listen.port, listen.host, () => resolve());
  }).catch((error: NodeJS.ErrnoException) => {
    process.stderr.write(
      `sovereign: cannot listen on ${listen.host}:${listen.port} (${error.code ?? error.message})\n`,
    );
    process.exit(1);
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const base = `http://${host}:${port}`;

  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  say(
    `sovereign-gateway listening on ${base} (store: ${store.dialect}${store.dialect === 'sqlite' ? ` in ${config.data_dir}` : ''}; config: ${loaded.source ?? 'built-in defaults'})`,
  );
  say(`ledger: ${ledger.origin}, ${ledger.size} entries; verifier key ${ledger.verifierKey}`);

  if (config.auth.required && app.keys.size === 0) {
    if (loaded.source === undefined) {
      const { key } = await createApiKey(store, { name: 'admin', scopes: ['admin'], rpm: null, now: Date.now() });
      await app.keys.refresh();
      say('first start: created an admin API key (shown only this once; store it now):');
      say(`  ${key}`);
      // Every later example and the CLI's default read the key from $SOVEREIGN_KEY.
      say(`  export SOVEREIGN_KEY=${key}`);
      say(`  curl ${base}/v1/models -H "Authorization: Bearer ${key}"`);
    } else {
      say('no API key exists yet: create one with `npx sovereign keys create --name admin --admin`');
    }
  } else if (!config.auth.required) {
    say('auth.required is false: open local mode, anyone who can reach this loopback address may call the gateway');
  }
  const embedded = config.providers.find(
    (provider) => provider.kind === 'local' && !loaded.config.providers.includes(provider),
  );
  if (embedded)
    say(
      `serving the registered local models in-process as ${embedded.models.map((model) => `${embedded.id}/${model}`).join(', ')} (weights verified before load)`,
    );
  if (providers.size === 0) {
    const ollama = await detectOllama();
    say(
      'no provider configured and no local model registered: add weights with `npx sovereign models add <file.gguf>` (served in-process on the next start),',
    );
    say(
      ollama
        ? `  or use the Ollama answering at http://127.0.0.1:11434 — add it to sovereign.yaml: providers: [{ id: ollama, kind: openai-compatible, base_url: "http://127.0.0.1:11434/v1", jurisdiction: local, operator: me, ownership: owned, models: [${ollama.join(', ')}] }]`
        : '  or point at an Ollama/vLLM endpoint under `providers:` in sovereign.yaml (see docs/configuration.md) and start with --config sovereign.yaml',
    );
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void app
      .shutdown(config.shutdown_grace_ms)
      .then(() => store.close())
      .then(() => {
        logger.info('stopped');
        logger.flush();
        setTimeout(() => process.exit(0), 50).unref();
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** The checkpoint kept beside the data (docs/ledger.md). */
export const checkpointFile = 'ledger-checkpoint';

/** Where the store is, for messages: the SQLite file, or the PostgreSQL server and database without credentials. */
function storeLocation(dataDirectory: string, databaseUrl: string | undefined): string {
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    try {
      const url = new URL(databaseUrl);
      return `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname} (DATABASE_URL)`;
    } catch {
      return 'PostgreSQL (DATABASE_URL, not a valid URL)';
    }
  }
  return join(dataDirectory, 'sovereign.db');
}

const causes: Array<[RegExp, string]> = [
  [/^(SQLITE_READONLY|EROFS|EACCES|EPERM)/, 'it is read-only or this user may not write it'],
  [/^(SQLITE_FULL|ENOSPC|EDQUOT)/, 'the disk is full'],
  [/^SQLITE_CANTOPEN/, 'the file cannot be opened or created (is the directory writable, and is the path a file?)'],
  [/^(SQLITE_NOTADB|SQLITE_CORRUPT)/, 'it is not a SQLite database, or it is damaged'],
  [
    /^(ENOTDIR|EISDIR|EEXIST)/,
    'a path on the way is not what it should be (a file where a directory belongs, or the reverse)',
  ],
  [/^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN)/, 'the database server cannot be reached'],
  [/^28/, 'the database refused the credentials'],
];

function hasCode(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (typeof (current as { code?: unknown }).code === 'string') return true;
    current = current.cause;
  }
  return false;
}

/** The cause of a failure in one line: what it means, then the code and the first line of the message. */
function failureCause(error: unknown): string {
  // The innermost error with a code says most (a migration failure wraps the SqliteError).
  let current: unknown = error;
  let coded: { code?: unknown; message?: unknown } | undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (typeof (current as { code?: unknown }).code === 'string') coded = current as { code?: unknown };
    current = current.cause;
  }
  const source = (coded ?? error) as { code?: unknown; message?: unknown };
  const code = typeof source.code === 'string' ? source.code : undefined;
  const message = String(source.message ?? source)
    .split('\n')[0]!
    .slice(0, 300);
  const meaning = code ? causes.find(([pattern]) => pattern.test(code))?.[1] : undefined;
  return `${meaning ? `${meaning} ` : ''}(${code ? `${code}: ` : ''}${message})`;
}

/** Model names of an Ollama on the default port, if one answers within 300 ms. */
async function detectOllama(): Promise<string[] | undefined> {
  try {
    const response = await undiciRequest('http://127.0.0.1:11434/api/tags', { headersTimeout: 300, bodyTimeout: 300 });
    if (response.statusCode !== 200) return undefined;
    const body = (await response.body.json()) as { models?: Array<{ name?: string }> };
    return (body.models ?? [])
      .map((model) => model.name ?? '')
      .filter(Boolean)
      .slice(0, 10);
  } catch {
    return undefined;
  }
}
