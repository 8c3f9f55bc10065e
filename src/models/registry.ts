// The weights registry (escrow): which exact bytes each model name stands for, with a signed
// manifest, and the check that runs before any model is loaded. A verification is remembered for a
// file identity (size, mtime, inode); any change to it means the file is hashed again.
import { stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { encodeEntry, modelEntry } from '../ledger/entry.js';
import { leafHash } from '../ledger/hash.js';
import type { SignerKey, VerifierKey } from '../ledger/note.js';
import type { ModelRecord, Store } from '../store/store.js';
import { describeGguf, type GgufSummary } from './gguf.js';
import { hashFile, type HashProgress } from './hash.js';
import { buildStatement, openEnvelope, signStatement, type DsseEnvelope } from './manifest.js';

export const modelNamePattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export class RegistryError extends Error {
  constructor(
    readonly code: 'not_registered' | 'mismatch' | 'missing_file' | 'bad_manifest' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface RegistryOptions {
  store: Store;
  /** The key manifests are checked with (the gateway's ledger key). */
  verifier: VerifierKey;
  /** The key manifests are signed with; only commands that add models need it. */
  signer?: SignerKey;
  now?: () => number;
}

export interface AddOptions {
  name?: string;
  license?: string;
  source?: string;
  onProgress?: (progress: HashProgress) => void;
}

export interface Verified {
  model: ModelRecord;
  /** False when a remembered verification of the same file identity was used. */
  rehashed: boolean;
}

/** Who runs this process, as the ledger names a command-line actor: user@host. */
export const actor = (): string => {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
};

export class ModelRegistry {
  private readonly now: () => number;

  constructor(private readonly options: RegistryOptions) {
    this.now = options.now ?? Date.now;
  }

  list(): Promise<ModelRecord[]> {
    return this.options.store.models();
  }

  get(name: string): Promise<ModelRecord | undefined> {
    return this.options.store.model(name);
  }

  /**
   * Hashes and describes a GGUF file (once through it), signs its manifest, stores it, and records the addition in the
   * ledger.
   */
  async add(file: string, options: AddOptions = {}): Promise<ModelRecord> {
    const path = resolve(file);
    let summary: GgufSummary;
    try {
      summary = await describeGguf(path);
    } catch (error) {
      throw new RegistryError('invalid', (error as Error).message);
    }
    const name =
      options.name ??
      (summary.name
        ? summary.name
            .toLowerCase()
            .replace(/[^a-z0-9._:-]+/g, '-')
            .replace(/^-+|-+$/g, '')
        : '') ??
      '';
    if (!modelNamePattern.test(name))
      throw new RegistryError(
        'invalid',
        `"${name}" is not a usable model name: give one with --name (letters, digits, . _ : -)`,
      );
    const identity = await stat(path);
    const { sha256, size } = await hashFile(path, options.onProgress);
    const kind: ModelRecord['kind'] = summary.type === 'adapter' ? 'lora' : 'gguf';
    const metadata = { ...summary, license: options.license ?? summary.license, source: options.source ?? null };
    return this.register(
      { name, kind, path, size, sha256, metadata },
      { size: identity.size, mtimeMs: identity.mtimeMs, ino: String(identity.ino) },
    );
  }

  /** Registers a model an external engine serves (Ollama, vLLM) by its digest. */
  async addExternal(
    name: string,
    digest: string,
    options: { license?: string; source?: string; engine?: string } = {},
  ): Promise<ModelRecord> {
    if (!modelNamePattern.test(name))
      throw new RegistryError('invalid', `"${name}" is not a usable model name (letters, digits, . _ : -)`);
    const match = /^(?:sha256:)?([0-9a-f]{64})$/.exec(digest);
    if (!match)
      throw new RegistryError(
        'invalid',
        '--digest must be sha256:<64 hex digits> (for Ollama: the manifest digest `ollama show --modelfile` or its API report)',
      );
    return this.register(
      {
        name,
        kind: 'external',
        path: null,
        size: null,
        sha256: match[1]!,
        metadata: { engine: options.engine ?? null, license: options.license ?? null, source: options.source ?? null },
      },
      undefined,
    );
  }

  private async register(
    model: Pick<ModelRecord, 'name' | 'kind' | 'path' | 'size' | 'sha256'> & { metadata: Record<string, unknown> },
    identity: { size: number; mtimeMs: number; ino: string } | undefined,
  ): Promise<ModelRecord> {
    const signer = this.options.signer;
    if (!signer) throw new Error('adding a model needs the signing key');
    const addedAt = this.now();
    const addedBy = actor();
    const statement = buildStatement(
      model.name,
      [{ name: model.path ? model.path.split('/').at(-1)! : model.name, sha256: model.sha256 }],
      {
        kind: model.kind,
        size: model.size,
        metadata: model.metadata,
        added_by: addedBy,
        added_at: new Date(addedAt).toISOString(),
      },
    );
    const envelope = JSON.stringify(signStatement(statement, signer));
    const record: ModelRecord = {
      ...model,
      metadata: JSON.stringify(model.metadata),
      envelope,
      addedBy,
      addedAt,
      verifiedAt: identity ? addedAt : null,
      verifiedSize: identity?.size ?? null,
      verifiedMtimeMs: identity ? Math.floor(identity.mtimeMs) : null,
      verifiedIno: identity?.ino ?? null,
    };
    await this.options.store.addModel(record);
    await this.record('model_add', record, addedBy);
    return record;
  }

  async remove(name: string): Promise<ModelRecord> {
    const model = await this.get(name);
    if (!model || !(await this.options.store.removeModel(name)))
      throw new RegistryError(
        'not_registered',
        `no model named "${name}" is registered (see \`sovereign models list\`)`,
      );
    await this.record('model_remove', model, actor());
    return model;
  }

  /**
   * Checks a registered file against its signed manifest, before it is loaded: the signature, then
   * the bytes (re-hashed unless this exact file identity was verified before, or `force`).
   */
  async verify(
    name: string,
    options: { force?: boolean; onProgress?: (progress: HashProgress) => void } = {},
  ): Promise<Verified> {
    const model = await this.get(name);
    if (!model)
      throw new RegistryError(
        'not_registered',
        `model "${name}" is not in the weights registry (add it with \`sovereign models add <file.gguf> --name ${name}\`)`,
      );
    let signedDigest: string | undefined;
    try {
      const statement = openEnvelope(JSON.parse(model.envelope) as DsseEnvelope, this.options.verifier);
      signedDigest = statement.predicate.resources[0]?.digest;
    } catch (error) {
      throw new RegistryError(
        'bad_manifest',
        `model "${name}": its signed manifest does not verify with the gateway's key ${this.options.verifier.encoded}: ${(error as Error).message}`,
      );
    }
    if (signedDigest !== model.sha256)
      throw new RegistryError(
        'bad_manifest',
        `model "${name}": the registry's digest sha256:${model.sha256} is not the one its manifest signs (sha256:${signedDigest})`,
      );
    if (model.kind === 'external' || !model.path) return { model, rehashed: false };
    let identity;
    try {
      identity = await stat(model.path);
    } catch (error) {
      throw new RegistryError(
        'missing_file',
        `model "${name}": its file ${model.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it is not served`,
      );
    }
    const sameFile =
      model.verifiedAt !== null &&
      model.verifiedSize === identity.size &&
      model.verifiedMtimeMs === Math.floor(identity.mtimeMs) &&
      model.verifiedIno === String(identity.ino);
    if (sameFile && !options.force) return { model, rehashed: false };
    const { sha256 } = await hashFile(model.path, options.onProgress);
    if (sha256 !== model.sha256) {
      throw new RegistryError(
        'mismatch',
        `model "${name}": ${model.path} no longer matches its manifest (expected sha256:${model.sha256}, found sha256:${sha256}); it is refused and not served`,
      );
    }
    const verifiedAt = this.now();
    await this.options.store.recordVerification(name, {
      at: verifiedAt,
      size: identity.size,
      mtimeMs: identity.mtimeMs,
      ino: String(identity.ino),
    });
    return {
      model: {
        ...model,
        verifiedAt,
        verifiedSize: identity.size,
        verifiedMtimeMs: Math.floor(identity.mtimeMs),
        verifiedIno: String(identity.ino),
      },
      rehashed: true,
    };
  }

  /**
   * Additions and removals are ledger entries; this process appends them directly (the gateway integrates entries other
   * processes append).
   */
  private async record(kind: 'model_add' | 'model_remove', model: ModelRecord, by: string): Promise<number> {
    const entry = modelEntry(kind, {
      time: this.now(),
      by,
      model: {
        name: model.name,
        kind: model.kind,
        sha256: model.sha256,
        size: model.size,
        manifest_sha256: createHash('sha256').update(model.envelope).digest('hex'),
      },
    });
    const leaf = encodeEntry(entry);
    const { first } = await this.options.store.appendLedgerEntries([
      { leaf, leafHash: leafHash(leaf), keyId: null, createdAt: this.now() },
    ]);
    return first;
  }
}
