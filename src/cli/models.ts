// `sovereign models add|pull|list|verify|remove`: the weights registry. Adding streams the file once
// (SHA-256 and GGUF metadata), signs its manifest with the gateway's key and records a ledger entry;
// pulling first downloads the file from a Hugging Face–compatible hub, checked against its digest.
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { describeGguf } from '../models/gguf.js';
import type { HashProgress } from '../models/hash.js';
import {
  defaultHubEndpoint,
  defaultPullTimeoutMs,
  parseHubReference,
  pullFile,
  PullError,
  type HubReference,
  type PullProgress,
} from '../models/pull.js';
import { modelNamePattern, ModelRegistry, RegistryError } from '../models/registry.js';
import { withEmbeddedModels } from '../pipeline/catalog.js';
import { StoreError, type ModelRecord } from '../store/store.js';
import { printTable } from './keys.js';
import { exitConfigError, fail, loadConfigOrExit, openConfiguredStore } from './context.js';
import { loadSigner } from './ledger-key.js';

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * A progress bar with MiB/s and ETA on standard error, only on a terminal, for work over
 * `minimumBytes` (64 MiB by default: smaller files are hashed before it would draw). The speed counts
 * the bytes of this run only, so a resumed download does not claim the earlier run's bytes.
 */
function progress(
  label: string,
  minimumBytes = 64 * 1024 * 1024,
): { onProgress: (progress: HashProgress) => void; stop(): void } {
  let bar: SingleBar | undefined;
  let started = 0;
  let firstBytes = 0;
  return {
    onProgress({ bytes, total }) {
      if (total < minimumBytes || !process.stderr.isTTY) return;
      if (!bar) {
        started = Date.now();
        firstBytes = bytes;
        bar = new SingleBar({
          format: `${label} [{bar}] {percentage}% | {done} of {size} | {speed}/s | {eta_formatted} left`,
          stream: process.stderr,
          hideCursor: true,
        });
        bar.start(total, bytes, { done: mib(bytes), size: mib(total), speed: '-' });
      }
      bar.update(bytes, {
        done: mib(bytes),
        speed: mib((bytes - firstBytes) / Math.max(0.001, (Date.now() - started) / 1000)),
      });
    },
    stop: () => bar?.stop(),
  };
}

/** One bar per phase of a pull: checking the bytes already on disk, then downloading the rest. */
function pullProgress(reference: HubReference): { onProgress: (progress: PullProgress) => void; stop(): void } {
  let phase: PullProgress['phase'] | undefined;
  let bar: ReturnType<typeof progress> | undefined;
  return {
    onProgress(update) {
      if (update.total === null) return;
      if (update.phase !== phase) {
        bar?.stop();
        phase = update.phase;
        bar = phase === 'checking' ? progress(`checking ${reference.file}`) : progress(`pulling ${reference.file}`, 0);
      }
      bar!.onProgress({ bytes: update.bytes, total: update.total });
    },
    stop: () => bar?.stop(),
  };
}

/**
 * The names the gateway serves a registered GGUF model under from its next start, worked out as
 * `start` builds its providers: with no `kind: local` provider in the config, the implicit embedded
 * one (`local`, or `embedded` when a provider already has the id `local`); otherwise each
 * `kind: local` provider that lists the model. Aliases whose candidates name one of those come too.
 */
function servedNames(
  config: Config,
  registered: ReadonlyArray<{ name: string; kind: string }>,
  name: string,
): { names: string[]; aliases: string[]; localProviders: string[] } {
  const locals = withEmbeddedModels(config, registered).providers.filter((provider) => provider.kind === 'local');
  const names = locals.filter((provider) => provider.models.includes(name)).map((provider) => `${provider.id}/${name}`);
  const aliases = Object.entries(config.models)
    .filter(([, alias]) => alias.candidates.some((candidate) => names.includes(candidate)))
    .map(([alias]) => alias);
  return { names, aliases, localProviders: locals.map((provider) => provider.id) };
}

function sayServedName(
  config: Config,
  registered: ReadonlyArray<{ name: string; kind: string }>,
  record: ModelRecord,
): void {
  if (record.kind !== 'gguf') return;
  const { names, aliases, localProviders } = servedNames(config, registered, record.name);
  if (names.length > 0) {
    const also =
      aliases.length > 0 ? ` (and through the alias${aliases.length > 1 ? 'es' : ''} ${aliases.join(', ')})` : '';
    process.stdout.write(`served as ${names.join(' and ')}${also} from the next start of the gateway\n`);
  } else {
    process.stdout.write(
      `not served yet: the config's kind: local provider${localProviders.length > 1 ? 's' : ''} ${localProviders.join(', ')} list${localProviders.length > 1 ? '' : 's'} its own models; add "${record.name}" to one's models to serve it as ${localProviders[0]}/${record.name}\n`,
    );
  }
}

function registeredLine(record: ModelRecord): string {
  const metadata = JSON.parse(record.metadata) as Record<string, unknown>;
  return `registered ${record.kind} model "${record.name}": sha256:${record.sha256}${record.size === null ? '' : `, ${mib(record.size)}`}${metadata.quantisation ? `, ${metadata.quantisation}` : ''}${metadata.contextLength ? `, context ${metadata.contextLength}` : ''}\n`;
}

function summary(model: ModelRecord): Record<string, unknown> {
  return {
    name: model.name,
    kind: model.kind,
    path: model.path,
    size: model.size,
    sha256: model.sha256,
    metadata: JSON.parse(model.metadata),
    added_by: model.addedBy,
    added_at: new Date(model.addedAt).toISOString(),
    verified_at: model.verifiedAt === null ? null : new Date(model.verifiedAt).toISOString(),
  };
}

async function withRegistry<T>(
  configPath: string | undefined,
  needsSigner: boolean,
  work: (registry: ModelRegistry, config: Config) => Promise<T>,
): Promise<T> {
  const loaded = loadConfigOrExit(configPath);
  let signer;
  try {
    signer = loadSigner(loaded.config, process.env, { create: needsSigner });
  } catch (error) {
    return fail((error as Error).message, exitConfigError);
  }
  const store = await openConfiguredStore(loaded);
  try {
    return await work(new ModelRegistry({ store, verifier: signer, signer }), loaded.config);
  } catch (error) {
    if (error instanceof PullError)
      fail(error.message, error.code === 'invalid' || error.code === 'no_digest' ? exitConfigError : 1);
    if (error instanceof RegistryError)
      fail(error.message, error.code === 'invalid' || error.code === 'not_registered' ? exitConfigError : 1);
    if (error instanceof StoreError) fail(error.message, exitConfigError);
    throw error;
  } finally {
    await store.close();
  }
}

export function registerModelCommands(program: Command): void {
  const models = program
    .command('models')
    .description('the weights registry: registered GGUF files, adapters and external models, verified before load');

  models
    .command('add')
    .description(
      'register a GGUF model or LoRA adapter (hashes it, reads its metadata, signs its manifest, records a ledger entry); or, with --digest, a model an external engine serves',
    )
    .argument('[file]', 'the .gguf file')
    .option('--name <name>', 'the name clients and the config use (default: the file’s general.name)')
    .option('--license <licence>', 'overrides general.license')
    .option('--source <where>', 'where the weights came from (URL, vendor, internal build)')
    .option(
      '--digest <sha256:hex>',
      'register a model served by an external engine (e.g. Ollama’s manifest digest) instead of a file',
    )
    .option('--engine <engine>', 'with --digest: which engine serves it (ollama, vllm…)')
    .option(
      '--adapter',
      'the file must be a LoRA adapter (general.type: adapter), e.g. one a fine-tune of an exported dataset produced',
    )
    .option('--json', 'print the registered record as JSON')
    .option('--config <file>', 'config file')
    .action(
      async (
        file: string | undefined,
        options: {
          name?: string;
          license?: string;
          source?: string;
          digest?: string;
          engine?: string;
          adapter?: boolean;
          json?: boolean;
          config?: string;
        },
      ) => {
        if (!file && !options.digest)
          fail('give a .gguf file, or --name and --digest for an external model', exitConfigError);
        if (options.adapter) {
          if (options.digest) fail('--adapter registers a file: it does not go with --digest', exitConfigError);
          // Read before anything is registered: a base model given as an adapter is refused with no ledger entry.
          const described = await describeGguf(file!).catch((error: Error) => fail(error.message, exitConfigError));
          if (described.type !== 'adapter')
            fail(
              `${file} is not a LoRA adapter (its general.type is ${described.type}); register base models without --adapter`,
              exitConfigError,
            );
        }
        if (options.digest && !options.name)
          fail('--digest needs --name (the model name the engine serves)', exitConfigError);
        const { record, config, registered } = await withRegistry(options.config, true, async (registry, config) => {
          let record: ModelRecord;
          if (options.digest) record = await registry.addExternal(options.name!, options.digest, options);
          else {
            const bar = progress(`hashing ${file}`);
            try {
              record = await registry.add(file!, { ...options, onProgress: bar.onProgress });
            } finally {
              bar.stop();
            }
          }
          return { record, config, registered: await registry.list() };
        });
        if (options.json) return void process.stdout.write(`${JSON.stringify(summary(record), null, 2)}\n`);
        process.stdout.write(registeredLine(record));
        sayServedName(config, registered, record);
      },
    );

  models
    .command('pull')
    .description(
      'download a GGUF file from a Hugging Face–compatible hub (HF_ENDPOINT, default https://huggingface.co; HF_TOKEN as a bearer token), check it against the SHA-256 the hub publishes, and register it as `models add` does; an interrupted pull resumes where it stopped',
    )
    .argument(
      '<reference>',
      '<owner>/<repo>/<file.gguf>[@revision]: the file may be in a subfolder; the revision is a branch, tag or commit (default main)',
    )
    .option('--name <name>', 'the name clients and the config use (default: the file’s general.name)')
    .option('--license <licence>', 'overrides general.license')
    .option('--dir <directory>', 'where the file is kept (default: <data_dir>/models)')
    .option(
      '--digest <sha256:hex>',
      'the SHA-256 to check against when the hub publishes none (a file not stored with LFS); when it does, the two must agree',
    )
    .option(
      '--timeout <seconds>',
      `longest wait to connect, for an answer, and between two chunks (default ${defaultPullTimeoutMs / 1000})`,
    )
    .option('--json', 'print the registered record as JSON')
    .option('--config <file>', 'config file')
    .action(
      async (
        text: string,
        options: {
          name?: string;
          license?: string;
          dir?: string;
          digest?: string;
          timeout?: string;
          json?: boolean;
          config?: string;
        },
      ) => {
        let reference: HubReference;
        try {
          reference = parseHubReference(text);
        } catch (error) {
          return fail((error as Error).message, exitConfigError);
        }
        const timeoutSeconds = options.timeout === undefined ? defaultPullTimeoutMs / 1000 : Number(options.timeout);
        if (!(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds))
          fail(`--timeout must be a number of seconds above 0, got "${options.timeout}"`, exitConfigError);
        const endpoint = (process.env.HF_ENDPOINT || defaultHubEndpoint).replace(/\/+$/, '');
        const { record, config, registered, pulled } = await withRegistry(
          options.config,
          true,
          async (registry, config) => {
            // Said before a download that may take an hour, not after it.
            if (options.name !== undefined) {
              if (!modelNamePattern.test(options.name))
                fail(`"${options.name}" is not a usable model name (letters, digits, . _ : -)`, exitConfigError);
              if (await registry.get(options.name))
                fail(
                  `a model named "${options.name}" is already registered (see \`sovereign models list\`)`,
                  exitConfigError,
                );
            }
            const bar = pullProgress(reference);
            let pulled;
            try {
              pulled = await pullFile({
                endpoint,
                reference,
                directory: resolve(options.dir ?? join(config.data_dir, 'models')),
                token: process.env.HF_TOKEN || undefined,
                digest: options.digest,
                timeoutMs: timeoutSeconds * 1000,
                onProgress: bar.onProgress,
              });
            } finally {
              bar.stop();
            }
            const hashing = progress(`hashing ${reference.file}`);
            try {
              const record = await registry.add(pulled.path, {
                name: options.name,
                license: options.license,
                source: pulled.source,
                onProgress: hashing.onProgress,
              });
              return { record, config, registered: await registry.list(), pulled };
            } catch (error) {
              hashing.stop();
              if (error instanceof RegistryError || error instanceof StoreError)
                fail(
                  `${error.message}; the verified file is kept at ${pulled.path}: register it with \`sovereign models add ${pulled.path} --name <name>\``,
                  exitConfigError,
                );
              throw error;
            } finally {
              hashing.stop();
            }
          },
        );
        if (options.json) return void process.stdout.write(`${JSON.stringify(summary(record), null, 2)}\n`);
        const how = pulled.alreadyPresent
          ? 'already downloaded'
          : pulled.resumedFrom > 0
            ? `resumed after ${mib(pulled.resumedFrom)}`
            : 'downloaded';
        const checked = pulled.digestFrom === 'hub' ? "the hub's published SHA-256" : 'the --digest given';
        process.stdout.write(
          `pulled ${pulled.source}${pulled.commit ? ` (commit ${pulled.commit})` : ''} into ${pulled.path}: ${how}, ${mib(pulled.size)}, matches ${checked}\n`,
        );
        process.stdout.write(registeredLine(record));
        sayServedName(config, registered, record);
      },
    );

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
          return [
            record.name,
            record.kind,
            record.size === null ? '-' : mib(record.size),
            String(metadata.quantisation ?? '-'),
            String(metadata.contextLength ?? '-'),
            String(metadata.license ?? '-'),
            `${record.sha256.slice(0, 12)}…`,
            record.verifiedAt === null ? '-' : new Date(record.verifiedAt).toISOString(),
          ];
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
            process.stdout.write(
              `ok   ${each}  sha256:${model.sha256}${model.kind === 'external' ? ' (external: manifest signature only)' : ''}\n`,
            );
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
