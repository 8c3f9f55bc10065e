// What every command needs: the config (from --config, ./sovereign.yaml or defaults) and the store.
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { parseListen } from '../config/schema.js';
import { openStore } from '../store/kysely-store.js';
import type { Store } from '../store/store.js';

/** Exit code for a bad config or bad usage, as the README documents. */
export const exitConfigError = 2;

/** Says what went wrong on standard error and exits: 1 by default, exitConfigError for bad usage. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`sovereign: ${message}\n`);
  process.exit(code);
}

export function loadConfigOrExit(path: string | undefined): LoadedConfig {
  try {
    return loadConfig(path);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sovereign: ${error.message}\n`);
      process.exit(exitConfigError);
    }
    throw error;
  }
}

export async function openConfiguredStore(loaded: LoadedConfig): Promise<Store> {
  const store = openStore({ dataDirectory: resolve(loaded.config.data_dir), databaseUrl: process.env.DATABASE_URL });
  await store.migrate();
  return store;
}

/** The gateway a command talks to: --url, else the config's listen address. */
export function gatewayUrl(url: string | undefined, configPath: string | undefined): string {
  if (url) return url.replace(/\/+$/, '');
  const { host, port } = parseListen(loadConfigOrExit(configPath).config.listen);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** One call to a running gateway with an API key (--key, else $SOVEREIGN_KEY); exits on a network failure or an error status. */
export async function callGateway(options: { url?: string; key?: string; config?: string }, method: 'GET' | 'POST', path: string, body?: unknown, scopeHint = 'the admin scope'): Promise<string> {
  const key = options.key ?? process.env.SOVEREIGN_KEY;
  if (!key) fail(`no API key: pass --key or set SOVEREIGN_KEY (a key with ${scopeHint})`, exitConfigError);
  const url = gatewayUrl(options.url, options.config);
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    return fail(`cannot reach the gateway at ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) fail(`the gateway answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}
