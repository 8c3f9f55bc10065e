// The key that seals stored conversation state: from the environment variable
// `state.encryption_key_env` names (32 bytes, base64), else from the data directory, where it is
// generated at first start (file mode 0600), like the ledger's signing key.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';

export const stateKeyFile = 'state-encryption.key';

export class StateKeyError extends Error {
  override readonly name = 'StateKeyError';
}

export function loadStateKey(config: Config, environment: NodeJS.ProcessEnv, options: { create: boolean }): Buffer {
  if (config.state.encryption_key_env) {
    const text = environment[config.state.encryption_key_env];
    if (!text)
      throw new StateKeyError(
        `state.encryption_key_env: the environment variable ${config.state.encryption_key_env} is not set`,
      );
    return parse(text, `the environment variable ${config.state.encryption_key_env}`);
  }
  const file = join(resolve(config.data_dir), stateKeyFile);
  if (existsSync(file)) {
    // The key must stay private to the gateway's user.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return parse(readFileSync(file, 'utf8'), file);
  }
  if (!options.create)
    throw new StateKeyError(`no state encryption key yet (${file}); it is created at the gateway's first start`);
  const key = randomBytes(32);
  mkdirSync(resolve(config.data_dir), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

function parse(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.trim())
    throw new StateKeyError(
      `${where}: not a state encryption key (expected 32 bytes in base64, e.g. from \`openssl rand -base64 32\`)`,
    );
  return key;
}
