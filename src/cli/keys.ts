// `sovereign keys create|list|revoke`: works while the gateway runs (same database; it reloads keys every 500 ms).
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { generateSigner } from '../ledger/note.js';
import { createApiKey } from '../pipeline/auth.js';
import { allScopes, StoreError, type Scope } from '../store/store.js';
import { exitConfigError, fail, loadConfigOrExit, openConfiguredStore } from './context.js';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('manage the API keys clients use (stored hashed)');

  keys
    .command('create')
    .description('create a key and print it once, alone on the last line')
    .requiredOption('--name <name>', 'who the key is for (unique among active keys)')
    .option('--admin', 'grant the admin scope')
    .option('--scope <scope...>', `extra scopes (${allScopes.join(', ')})`)
    .option('--rpm <n>', 'requests per minute allowed (default: auth.default_rpm; 0 = unlimited)')
    .option('--config <file>', 'config file (default: ./sovereign.yaml, else built-in defaults)')
    .action(async (options: { name: string; admin?: boolean; scope?: string[]; rpm?: string; config?: string }) => {
      const scopes = new Set<Scope>(options.admin ? ['admin'] : []);
      for (const scope of options.scope ?? []) {
        if (!allScopes.includes(scope as Scope))
          fail(`unknown scope "${scope}" (allowed: ${allScopes.join(', ')})`, exitConfigError);
        scopes.add(scope as Scope);
      }
      const rpm = options.rpm === undefined ? null : Number(options.rpm);
      if (rpm !== null && (!Number.isInteger(rpm) || rpm < 0))
        fail('--rpm must be a whole number ≥ 0', exitConfigError);
      if (!/^[\w.@-]{1,64}$/.test(options.name))
        fail('--name must be 1–64 letters, digits, dots, dashes, underscores or @', exitConfigError);
      const store = await openConfiguredStore(loadConfigOrExit(options.config));
      try {
        const { key, record } = await createApiKey(store, {
          name: options.name,
          scopes: [...scopes],
          rpm,
          now: Date.now(),
        });
        process.stdout.write(
          `created key "${record.name}" (id ${record.id}, scopes: ${record.scopes.join(',') || 'none'}, rpm: ${record.rpm ?? 'default'})\n`,
        );
        process.stdout.write('store it now: it is shown only this once\n');
        process.stdout.write(`${key}\n`);
      } catch (error) {
        if (error instanceof StoreError) fail(error.message, exitConfigError);
        throw error;
      } finally {
        await store.close();
      }
    });

  keys
    .command('list')
    .description('list keys (never the keys themselves)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action(async (options: { json?: boolean; config?: string }) => {
      const store = await openConfiguredStore(loadConfigOrExit(options.config));
      try {
        const records = await store.listKeys();
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify(
              records.map(({ keyHash: _hash, ...rest }) => rest),
              null,
              2,
            )}\n`,
          );
          return;
        }
        const rows = records.map((record) => [
          record.name,
          record.id,
          `${record.keyPrefix}…`,
          record.scopes.join(',') || '-',
          String(record.rpm ?? 'default'),
          new Date(record.createdAt).toISOString(),
          record.revokedAt ? `revoked ${new Date(record.revokedAt).toISOString()}` : 'active',
        ]);
        printTable(['NAME', 'ID', 'PREFIX', 'SCOPES', 'RPM', 'CREATED', 'STATE'], rows);
      } finally {
        await store.close();
      }
    });

  registerSigningKeyCommand(keys);

  keys
    .command('revoke')
    .description('revoke a key by name or id (the gateway stops accepting it within a second)')
    .argument('<name-or-id>')
    .option('--config <file>', 'config file')
    .action(async (nameOrId: string, options: { config?: string }) => {
      const store = await openConfiguredStore(loadConfigOrExit(options.config));
      try {
        const record = await store.revokeKey(nameOrId, Date.now());
        process.stdout.write(`revoked key "${record.name}" (id ${record.id})\n`);
      } catch (error) {
        if (error instanceof StoreError) fail(error.message, exitConfigError);
        throw error;
      } finally {
        await store.close();
      }
    });
}

function registerSigningKeyCommand(keys: Command): void {
  keys
    .command('signing-key')
    .description(
      'create an Ed25519 action-signing key pair: the private key goes to --out (mode 0600), the verifier key (for actions.trusted_keys) to standard output',
    )
    .requiredOption('--name <name>', 'the key name, e.g. risk-engine.example.org (no spaces or "+")')
    .requiredOption('--out <file>', 'where to write the private key (refuses to overwrite)')
    .action((options: { name: string; out: string }) => {
      if (!/^[^\s+]{1,128}$/.test(options.name))
        fail('--name must be 1–128 characters without spaces or "+"', exitConfigError);
      const signer = generateSigner(options.name);
      try {
        writePrivateFile(options.out, `${signer.encodedPrivate}\n`);
      } catch (error) {
        fail(`cannot write ${options.out}: ${(error as Error).message}`, exitConfigError);
      }
      process.stderr.write(
        `private key written to ${options.out} (mode 0600${options.out.endsWith('.key') ? '' : '; name it *.key so the project’s .gitignore keeps it out of git'}); add the verifier key below to actions.trusted_keys\n`,
      );
      process.stdout.write(`${signer.encoded}\n`);
    });
}

/**
 * Creates the file (never over an existing one, never through a dangling link) with mode exactly 0600,
 * whatever the umask, set before the key is written: it never sits in a file others can read.
 */
function writePrivateFile(path: string, text: string): void {
  const descriptor = openSync(path, 'wx', 0o600);
  try {
    fchmodSync(descriptor, 0o600);
    writeSync(descriptor, text);
  } finally {
    closeSync(descriptor);
  }
}

export function printTable(header: string[], rows: string[][]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows])
    process.stdout.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd()}\n`,
    );
}
