// What every command needs: the config (from --config, ./sovereign.yaml or defaults) and the store.
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { parseListen } from '../config/schema.js';
import { keyPrefix } from '../pipeline/auth.js';
import { openStore } from '../store/kysely-store.js';
import type { Store } from '../store/store.js';

/** Exit code for a bad config or bad usage, as docs/cli.md documents. */
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

/**
 * The API key of a command that talks to a running gateway: --api-key, or --key where --key means
 * the API key, else $SOVEREIGN_KEY (empty counts as unset). A verifier or signing key given in its
 * place is refused here (exit 2), so it is neither sent as a bearer token nor mistaken for a 401.
 */
export function apiKeyFrom(options: { key?: string; apiKey?: string }): string | undefined {
  if (options.key !== undefined && options.apiKey !== undefined && options.key !== options.apiKey)
    fail('--key and --api-key both name the API key here, with different values: give one of them', exitConfigError);
  const [source, value] =
    options.apiKey !== undefined
      ? ['--api-key', options.apiKey]
      : options.key !== undefined
        ? ['--key', options.key]
        : ['SOVEREIGN_KEY', process.env.SOVEREIGN_KEY || undefined];
  if (value !== undefined) {
    const wrongKind = notAnApiKey(value);
    if (wrongKind)
      fail(
        `${source} takes an API key (${keyPrefix}…, from \`sovereign keys create\`), and this is ${wrongKind}`,
        exitConfigError,
      );
  }
  return value;
}

/**
 * What a value given as an API key is instead, if it is plainly another kind of key; undefined when it may be an API
 * key.
 */
function notAnApiKey(value: string): string | undefined {
  if (value.startsWith('PRIVATE+KEY+'))
    return 'a private signing key (PRIVATE+KEY+…), which is never sent to the gateway';
  if (verifierKeyShape.test(value))
    return 'a verifier key (name+hexid+base64), which `sovereign verify --key` and `sovereign ledger audit --key` take';
  if (value.startsWith('@'))
    return 'a file reference (@file): only verifier keys are read from files; give the API key itself';
  return undefined;
}

/** A verifier key's shape (C2SP signed-note: name+hexid+base64), loose enough to recognise a mangled one. */
const verifierKeyShape = /^[^\s+]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/=]+$/;

/** Says what to pass when a command that needs an API key has none. */
export function requireApiKey(key: string | undefined, scopeHint?: string): string {
  if (!key)
    return fail(
      `no API key: pass --api-key (or --key) or set SOVEREIGN_KEY${scopeHint ? ` (a key with ${scopeHint})` : ''}`,
      exitConfigError,
    );
  return key;
}

/**
 * "the gateway answered 400 (invalid_request): <message>": the error's own message when the body is our JSON error
 * shape.
 */
export function gatewayRefusal(status: number, text: string): string {
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (error && typeof error.message === 'string')
      return `the gateway answered ${status}${typeof error.code === 'string' ? ` (${error.code})` : ''}: ${error.message.slice(0, 1_000)}`;
  } catch {
    // Not JSON: show the start of the body as it is.
  }
  return `the gateway answered ${status}: ${text.slice(0, 300)}`;
}

/**
 * One call to a running gateway with an API key (--api-key or --key, else $SOVEREIGN_KEY); exits
 * on a network failure or an error status: 2 when the gateway calls the request itself wrong (400),
 * as for any bad usage, 1 otherwise.
 */
export async function callGateway(
  options: { url?: string; key?: string; apiKey?: string; config?: string },
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  scopeHint = 'the admin scope',
): Promise<string> {
  const key = requireApiKey(apiKeyFrom(options), scopeHint);
  const url = gatewayUrl(options.url, options.config);
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    return fail(`cannot reach the gateway at ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) fail(gatewayRefusal(response.status, text), response.status === 400 ? exitConfigError : 1);
  return text;
}
