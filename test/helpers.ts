// Starts a real gateway in-process on 127.0.0.1 (an ephemeral port) over a fresh SQLite store in a temp folder.
import type { LookupFunction } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp, type App } from '../src/api/server.js';
import { systemClock, type Clock } from '../src/core/clock.js';
import { parseConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { generateSigner, type SignerKey } from '../src/ledger/note.js';
import { createApiKey } from '../src/pipeline/auth.js';
import { LedgerLog } from '../src/pipeline/ledger-log.js';
import { createProviders, weightsDigests } from '../src/pipeline/catalog.js';
import { createDeepScanner } from '../src/pipeline/deep-scan.js';
import { ModelRegistry } from '../src/models/registry.js';
import { openSqliteStore } from '../src/store/kysely-store.js';
import type { Store } from '../src/store/store.js';
import { createLogger } from '../src/telemetry/logger.js';
import { loadStateKey } from '../src/cli/state-key.js';

export interface TestGateway {
  url: string;
  key: string;
  app: App;
  store: Store;
  config: Config;
  logs: string[];
  dataDirectory: string;
  signer: SignerKey;
  close(): Promise<void>;
}

export function temporaryDirectory(prefix = 'sovereign-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestGatewayOptions {
  env?: NodeJS.ProcessEnv;
  keyRefreshMs?: number;
  /** Reuse a data directory (a restart); it is then left in place on close. */
  dataDirectory?: string;
  /** Reuse a ledger signing key (a restart). */
  signer?: SignerKey;
  /** Runs before the providers are created, e.g. to register local models with the registry. */
  prepare?: (registry: ModelRegistry) => Promise<void>;
  /** The gateway's clock (a ManualClock from test/support/manual-clock.ts, for timeouts). */
  clock?: Clock;
  /** How the providers' upstream names resolve (default: the system's resolver). */
  resolve?: LookupFunction;
}

export async function startTestGateway(
  rawConfig: Record<string, unknown>,
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  const dataDirectory = options.dataDirectory ?? temporaryDirectory();
  const config = parseConfig({ data_dir: dataDirectory, ...rawConfig }, 'test config');
  const store = openSqliteStore(dataDirectory);
  await store.migrate();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger('info', sink);
  const signer = options.signer ?? generateSigner('test.example/sovereign-gateway');
  const registry = new ModelRegistry({ store, verifier: signer, signer });
  await options.prepare?.(registry);
  const registered = await registry.list();
  const ledger = new LedgerLog({
    store,
    signer,
    origin: signer.name,
    clock: options.clock ?? systemClock,
    checkpointIntervalMs: config.ledger.checkpoint_interval_ms,
    onError: (error) => logs.push(String(error)),
  });
  const ner = config.policy?.detectors?.ner;
  // As `sovereign start` does: the model layer is created (and its model loaded) when the policy names one.
  const deepScanner = ner ? await createDeepScanner(ner, { registry }) : undefined;
  const app = createApp({
    config,
    store,
    providers: createProviders(config, options.env ?? {}, {
      registry,
      clock: options.clock ?? systemClock,
      resolve: options.resolve,
    }),
    logger,
    ledger,
    weights: weightsDigests(config, registered),
    keyRefreshMs: options.keyRefreshMs ?? 100,
    deepScanner,
    clock: options.clock,
    stateKey: loadStateKey(config, {}, { create: true }),
  });
  const { key } = await createApiKey(store, {
    name: options.dataDirectory ? `tester-${Math.random().toString(36).slice(2, 8)}` : 'tester',
    scopes: ['admin'],
    rpm: null,
    now: Date.now(),
  });
  await app.start();
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    key,
    app,
    store,
    config,
    logs,
    dataDirectory,
    signer,
    async close() {
      await app.shutdown(1_000);
      await store.close();
      if (!options.dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** The policy most tests run under: personal data only to owned providers, anything else anywhere. */
export const piiOwnedPolicy = {
  name: 'p',
  rules: [
    { when: { labels_any: ['pii'] }, allow: { ownership: ['owned'] } },
    { when: {}, allow: {} },
  ],
};

/** A provider entry for the config, pointing at a double. */
export function providerEntry(id: string, url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    kind: 'openai-compatible',
    base_url: url,
    jurisdiction: 'local',
    operator: `${id} operator`,
    ownership: 'owned',
    models: ['m1', 'm2'],
    ...extra,
  };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}
