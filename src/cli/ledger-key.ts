// The ledger's signing key: from the environment variable `ledger.signing_key_env` names, else
// from the data directory, where it is generated at first start (file mode 0600).
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { generateSigner, type NoteError, parseSignerKey, type SignerKey } from '../ledger/note.js';

export class LedgerKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerKeyError';
  }
}

export const signingKeyFile = 'ledger-signing.key';

export function defaultOrigin(): string {
  return `${hostname().replace(/[\s+]/g, '-') || 'localhost'}/sovereign-gateway`;
}

export function loadSigner(config: Config, environment: NodeJS.ProcessEnv, options: { create: boolean }): SignerKey {
  const origin = config.ledger.origin ?? defaultOrigin();
  let signer: SignerKey;
  if (config.ledger.signing_key_env) {
    const text = environment[config.ledger.signing_key_env];
    if (!text)
      throw new LedgerKeyError(
        `ledger.signing_key_env: the environment variable ${config.ledger.signing_key_env} is not set`,
      );
    signer = parse(text, `the environment variable ${config.ledger.signing_key_env}`);
  } else {
    const file = join(resolve(config.data_dir), signingKeyFile);
    if (existsSync(file)) {
      signer = parse(readFileSync(file, 'utf8'), file);
      // The key must stay private to the gateway's user.
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } else if (options.create) {
      signer = generateSigner(origin);
      mkdirSync(resolve(config.data_dir), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${signer.encodedPrivate}\n`, { mode: 0o600, flag: 'wx' });
    } else {
      throw new LedgerKeyError(`no ledger signing key yet (${file}); it is created at the gateway's first start`);
    }
  }
  if (signer.name !== origin)
    throw new LedgerKeyError(
      `the signing key is named "${signer.name}" but the log's origin is "${origin}"; they must be equal (set ledger.origin)`,
    );
  return signer;
}

function parse(text: string, where: string): SignerKey {
  try {
    return parseSignerKey(text.trim());
  } catch (error) {
    throw new LedgerKeyError(`${where}: not a signing key (${(error as NoteError).message})`);
  }
}
