// `sovereign config schema` (the JSON Schema, for editors) and `sovereign config check`: the schema,
// then the checks `start` stops on (checkStartable), so that a config that passes here starts.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { configJsonSchema, type LoadedConfig } from '../config/load.js';
import { checkStartable, needsRegistry, type RegisteredModel } from './config-checks.js';
import { exitConfigError, loadConfigOrExit, openConfiguredStore } from './context.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('schema')
    .description('print the JSON Schema of sovereign.yaml (for editors)')
    .action(() => void process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`));
  config
    .command('check')
    .description(
      'validate a config file as `start` does (exit 2 on what start would stop on) and print it with defaults filled in',
    )
    .option('--config <file>', 'config file')
    .action(async (options: { config?: string }) => {
      const loaded = loadConfigOrExit(options.config);
      const checks = checkStartable(loaded, process.env, await registeredModels(loaded));
      for (const error of checks.errors) process.stderr.write(`sovereign: ${error}\n`);
      if (checks.errors.length > 0) process.exit(exitConfigError);
      // Notes go to standard error: standard output stays the "valid" line and the JSON.
      for (const note of checks.notes) process.stderr.write(`sovereign: note: ${note}\n`);
      process.stdout.write(
        `${loaded.source ?? 'built-in defaults'}: valid\n${JSON.stringify(loaded.config, null, 2)}\n`,
      );
    });
}

/**
 * The weights registry's entries, read only when the config names registered models. A check does
 * not create a data directory: with SQLite and no database yet, nothing is registered.
 */
async function registeredModels(loaded: LoadedConfig): Promise<RegisteredModel[]> {
  if (!needsRegistry(loaded)) return [];
  const postgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '');
  // The SQLite file's name, as src/store/kysely-store.ts opens it.
  if (!postgres && !existsSync(join(resolve(loaded.config.data_dir), 'sovereign.db'))) return [];
  const store = await openConfiguredStore(loaded);
  try {
    return await store.models();
  } finally {
    await store.close();
  }
}
