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
