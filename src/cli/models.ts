// `sovereign models add|list|verify|remove`: the weights registry. Adding streams the file once
// (SHA-256 and GGUF metadata), signs its manifest with the gateway's key and records a ledger entry.
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { HashProgress } from '../models/hash.js';
import { ModelRegistry, RegistryError } from '../models/registry.js';
import { StoreError, type ModelRecord } from '../store/store.js';
import { printTable } from './keys.js';
import { exitConfigError, fail, loadConfigOrExit, openConfiguredStore } from './context.js';
import { loadSigner } from './ledger-key.js';

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A progress bar with bytes/s and ETA, on standard error, for files over 64 MiB (smaller ones are done before it would draw). */
function progress(label: string): { onProgress: (progress: HashProgress) => void; stop(): void } {
  let bar: SingleBar | undefined;
  const started = Date.now();
  return {
    onProgress({ bytes, total }) {
      if (total < 64 * 1024 * 1024 || !process.stderr.isTTY) return;
      if (!bar) {
        bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {done} of {size} | {speed}/s | {eta_formatted} left`, stream: process.stderr, hideCursor: true });
        bar.start(total, 0, { done: mib(0), size: mib(total), speed: '-' });
      }
      bar.update(bytes, { done: mib(bytes), speed: mib(bytes / Math.max(0.001, (Date.now() - started) / 1000)) });
    },
    stop: () => bar?.stop(),
  };
}

function summary(model: ModelRecord): Record<string, unknown> {
  return { name: model.name, kind: model.kind, path: model.path, size: model.size, sha256: model.sha256, metadata: JSON.parse(model.metadata), added_by: model.addedBy, added_at: new Date(model.addedAt).toISOString(), verified_at: model.verifiedAt === null ? null : new Date(model.verifiedAt).toISOString() };
}

async function withRegistry<T>(configPath: string | undefined, needsSigner: boolean, work: (registry: ModelRegistry) => Promise<T>): Promise<T> {
  const loaded = loadConfigOrExit(configPath);
  let signer;
  try {
    signer = loadSigner(loaded.config, process.env, { create: needsSigner });
  } catch (error) {
    return fail((error as Error).message, exitConfigError);
  }
  const store = await openConfiguredStore(loaded);
  try {
    return await work(new ModelRegistry({ store, verifier: signer, signer }));
  } catch (error) {
    if (error instanceof RegistryError) fail(error.message, error.code === 'invalid' || error.code === 'not_registered' ? exitConfigError : 1);
    if (error instanceof StoreError) fail(error.message, exitConfigError);
    throw error;
  } finally {
    await store.close();
  }
}

export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('the weights registry: registered GGUF files, adapters and external models, verified before load');

  models
    .command('add')
    .description('register a GGUF model or LoRA adapter (hashes it, reads its metadata, signs its manifest, records a ledger entry); or, with --digest, a model an external engine serves')
    .argument('[file]', 'the .gguf file')
    .option('--name <name>', 'the name clients and the config use (default: the file’s general.name)')
    .option('--license <licence>', 'overrides general.license')
    .option('--source <where>', 'where the weights came from (URL, vendor, internal build)')
    .option('--digest <sha256:hex>', 'register a model served by an external engine (e.g. Ollama’s manifest digest) instead of a file')
    .option('--engine <engine>', 'with --digest: which engine serves it (ollama, vllm…)')
    .option('--json', 'print the registered record as JSON')
    .option('--config <file>', 'config file')
    .action(async (file: string | undefined, options: { name?: string; license?: string; source?: string; digest?: string; engine?: string; json?: boolean; config?: string }) => {
      if (!file && !options.digest) fail('give a .gguf file, or --name and --digest for an external model', exitConfigError);
      if (options.digest && !options.name) fail('--digest needs --name (the model name the engine serves)', exitConfigError);
      const record = await withRegistry(options.config, true, async (registry) => {
        if (options.digest) return registry.addExternal(options.name!, options.digest, options);
        const bar = progress(`hashing ${file}`);
        try {
          return await registry.add(file!, { ...options, onProgress: bar.onProgress });
        } finally {
          bar.stop();
        }
      });
      if (options.json) return void process.stdout.write(`${JSON.stringify(summary(record), null, 2)}\n`);
      const metadata = JSON.parse(record.metadata) as Record<string, unknown>;
      process.stdout.write(`registered ${record.kind} model "${record.name}": sha256:${record.sha256}${record.size === null ? '' : `, ${mib(record.size)}`}${metadata.quantisation ? `, ${metadata.quantisation}` : ''}${metadata.contextLength ? `, context ${metadata.contextLength}` : ''}\n`);
      if (record.kind === 'gguf') process.stdout.write(`serve it: it is served as local/${record.name} on the next start (or list it under a kind: local provider's models)\n`);
    });

  models
    .command('list')
    .description('the registry: name, size, quantisation, context, licence, last verification')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action(async (options: { json?: boolean; config?: string }) => {
      const records = await withRegistry(options.config, false, (registry) => registry.list());
      if (options.json) return void process.stdout.write(`${JSON.stringify(records.map(summary), null, 2)}\n`);
      printTable(
        ['NAME', 'KIND', 'SIZE', 'QUANT', 'CONTEXT', 'LICENCE', 'SHA256', 'VERIFIED'],
        records.map((record) => {
          const metadata = JSON.parse(record.metadata) as Record<string, unknown>;
          return [record.name, record.kind, record.size === null ? '-' : mib(record.size), String(metadata.quantisation ?? '-'), String(metadata.contextLength ?? '-'), String(metadata.license ?? '-'), `${record.sha256.slice(0, 12)}…`, record.verifiedAt === null ? '-' : new Date(record.verifiedAt).toISOString()];
        }),
      );
    });

  models
    .command('verify')
    .description('re-hash registered files and check their signed manifests (all, or one)')
    .argument('[name]')
    .option('--config <file>', 'config file')
    .action(async (name: string | undefined, options: { config?: string }) => {
      const failures = await withRegistry(options.config, false, async (registry) => {
        const names = name ? [name] : (await registry.list()).map((record) => record.name);
        let failed = 0;
        for (const each of names) {
          const bar = progress(`verifying ${each}`);
          try {
            const { model } = await registry.verify(each, { force: true, onProgress: bar.onProgress });
            bar.stop();
            process.stdout.write(`ok   ${each}  sha256:${model.sha256}${model.kind === 'external' ? ' (external: manifest signature only)' : ''}\n`);
          } catch (error) {
            bar.stop();
            if (!(error instanceof RegistryError) || (name && error.code === 'not_registered')) throw error;
            failed += 1;
            process.stdout.write(`FAIL ${each}  ${error.message}\n`);
          }
        }
        return failed;
      });
      if (failures > 0) process.exit(1);
    });

  models
    .command('remove')
    .description('remove a model from the registry (the file is left where it is; a ledger entry records the removal)')
    .argument('<name>')
    .option('--config <file>', 'config file')
    .action(async (name: string, options: { config?: string }) => {
      const record = await withRegistry(options.config, false, (registry) => registry.remove(name));
      process.stdout.write(`removed "${record.name}" (sha256:${record.sha256}); its file was not deleted\n`);
    });
}
