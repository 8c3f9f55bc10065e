// Pulls GGUF weights from a Hugging Face–compatible hub (huggingface.co, or an internal mirror): the
// SHA-256 the hub publishes, a download into `<file>.part` that a later pull resumes with a Range
// request, and a file that is kept only when every one of its bytes hashes to that digest.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Agent, request, type Dispatcher } from 'undici';

export const defaultHubEndpoint = 'https://huggingface.co';

/** Longest wait to connect, for an answer, and between two chunks of a download. */
export const defaultPullTimeoutMs = 30_000;

const maxRedirects = 5;
/** Received bytes are written in blocks of about this size (one write per block, not per chunk). */
const writeBlockBytes = 4 * 1024 * 1024;

export class PullError extends Error {
  constructor(
    readonly code:
      | 'invalid'
      | 'no_digest'
      | 'unauthorised'
      | 'not_found'
      | 'hub'
      | 'unreachable'
      | 'timeout'
      | 'interrupted'
      | 'mismatch'
      | 'exists',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PullError';
  }
}

/**
 * `<owner>/<name>/<file.gguf>[@revision]`: the file may sit in a subfolder; the revision is a branch, tag or commit.
 */
export interface HubReference {
  repo: string;
  file: string;
  revision: string;
}

const referencePattern = /^([A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*)\/(.+\.gguf)(?:@(.+))?$/i;
const revisionPattern = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;

export function parseHubReference(text: string): HubReference {
  const match = referencePattern.exec(text);
  if (!match)
    throw new PullError(
      'invalid',
      `"${text}" is not <owner>/<repo>/<file.gguf>[@revision] (e.g. Qwen/Qwen3-8B-GGUF/Qwen3-8B-Q4_K_M.gguf@main)`,
    );
  const [, repo, file, revision = 'main'] = match;
  // The file's path becomes a path under the download directory: no segment may climb out of it.
  const segments = file!.split('/');
  if (
    segments.some(
      (segment) => segment === '' || segment === '.' || segment === '..' || /[\\\u0000-\u001f]/.test(segment),
    )
  ) {
    throw new PullError(
      'invalid',
      `"${file}" is not a usable file path in a repository (no empty, "." or ".." parts, no backslashes)`,
    );
  }
  if (!revisionPattern.test(revision) || revision.split('/').includes('..'))
    throw new PullError('invalid', `"${revision}" is not a usable revision (a branch, tag or commit)`);
  return { repo: repo!, file: file!, revision };
}

/**
 * The hub's resolve URL of a file at a revision, as huggingface_hub's `hf_hub_url` builds it (the revision quoted
 * whole, the file per segment).
 */
export function resolveUrl(endpoint: string, reference: HubReference): string {
  const file = reference.file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${reference.repo}/resolve/${encodeURIComponent(reference.revision)}/${file}`;
}

/** What the hub publishes about a file, from a HEAD on its resolve URL. */
export interface PublishedFile {
  /** The SHA-256 the hub publishes (an LFS file's `x-linked-etag`, else `etag`, when it is 64 hex digits), or null. */
  sha256: string | null;
  /** The ETag as published, to explain a missing SHA-256 (a regular Git file's is its 40-hex blob id). */
  etag: string | null;
  size: number | null;
  /** Where the bytes are fetched from: the resolve URL, or the storage the hub redirects it to. */
  location: string;
  /** The commit the revision resolved to, when the hub says (`x-repo-commit`). */
  commit: string | null;
}

export interface PullProgress {
  /** `checking`: hashing bytes already on disk; `downloading`: receiving. */
  phase: 'checking' | 'downloading';
  bytes: number;
  total: number | null;
}

export interface PullOptions {
  /** The hub's base URL (HF_ENDPOINT), e.g. https://huggingface.co or an internal mirror. */
  endpoint: string;
  reference: HubReference;
  /** The file is kept at `<directory>/<file>`, downloaded into `<directory>/<file>.part`. */
  directory: string;
  /** Sent as a bearer token to the hub itself, never to the storage it redirects to. */
  token?: string;
  /**
   * `sha256:<hex>` the caller vouches for: required when the hub publishes no SHA-256, and checked against it when it
   * does.
   */
  digest?: string;
  timeoutMs?: number;
  onProgress?: (progress: PullProgress) => void;
}

export interface Pulled {
  path: string;
  sha256: string;
  size: number;
  /** The resolve URL (endpoint, repository, revision, file): where the weights came from. */
  source: string;
  /** Bytes already on disk (a `.part` from an earlier pull) that this pull continued from; 0 for a fresh download. */
  resumedFrom: number;
  /** True when the file was already complete at its place and only checked. */
  alreadyPresent: boolean;
  commit: string | null;
  /** Whose digest the bytes were checked against. */
  digestFrom: 'hub' | 'caller';
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

const header = (headers: ResponseHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** huggingface_hub's `_normalize_etag`: drop a weak marker and the quotes. */
const normaliseEtag = (value: string | undefined): string | null =>
  value === undefined ? null : value.replace(/^W\//, '').replace(/^"|"$/g, '');

const nonNegativeInteger = (value: string | undefined): number | null =>
  value !== undefined && /^\d+$/.test(value) ? Number(value) : null;

function parseDigest(digest: string): string {
  const match = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(digest);
  if (!match) throw new PullError('invalid', '--digest must be sha256:<64 hex digits>');
  return match[1]!.toLowerCase();
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** One pull's connection to the hub: bounded waits everywhere, and the token only for the hub's own origin. */
class HubSession {
  private readonly agent: Agent;
  private readonly hubOrigin: string;

  constructor(
    endpoint: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {
    this.hubOrigin = new URL(endpoint).origin;
    this.agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /**
   * A signed storage URL needs no token, and a token sent to a CDN or a bucket could be logged or
   * kept there: it goes to the hub's own origin only (huggingface_hub drops it the same way).
   */
  private headersFor(url: URL, extra: Record<string, string>): Record<string, string> {
    // identity: the digest and size are those of the bytes as stored, not of a compressed transfer.
    const headers: Record<string, string> = {
      'accept-encoding': 'identity',
      'user-agent': 'sovereign-gateway',
      ...extra,
    };
    if (this.token && url.origin === this.hubOrigin) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  async head(url: URL): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, { method: 'HEAD', headers: this.headersFor(url, {}), dispatcher: this.agent });
    } catch (error) {
      throw transportError(error, url, this.timeoutMs, 'before it answered');
    }
  }

  /**
   * A GET through undici's dispatch handler: every chunk reaches `sink` as soon as it is parsed, so
   * the bytes that arrived before a cut are all kept (a Readable body drops what it had buffered
   * when the cut destroys it). The sink pauses the socket while the disk is behind.
   */
  get(url: URL, extra: Record<string, string>, sink: ResponseSink): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: this.headersFor(url, extra),
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        {
          // Its presence selects undici's controller-based handler API (onResponse*), which the rest uses.
          onRequestStart: () => undefined,
          onResponseStart: (controller, status, headers) => {
            const refusal = sink.start(status, headers as ResponseHeaders);
            if (refusal) controller.abort(refusal);
          },
          onResponseData: (controller, chunk) => {
            const more = sink.data(chunk);
            if (more instanceof Error) controller.abort(more);
            else if (!more) {
              controller.pause();
              sink.whenDrained(() => controller.resume());
            }
          },
          onResponseEnd: () => resolve(),
          onResponseError: (_controller, error) => reject(error),
        },
      );
    });
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}

interface ResponseSink {
  /** Returns an error to abort the response with (its bytes are not taken). */
  start(status: number, headers: ResponseHeaders): Error | undefined;
  /** False: pause until `whenDrained` calls back; an error: abort. */
  data(chunk: Buffer): boolean | Error;
  whenDrained(resume: () => void): void;
}

function transportError(error: unknown, url: URL, timeoutMs: number, when: string): PullError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT')
    return new PullError('timeout', `could not connect to ${url.origin} within ${timeoutMs / 1000} s`, {
      cause: error,
    });
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new PullError('timeout', `${url.origin} went silent for ${timeoutMs / 1000} s ${when}`, { cause: error });
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code))
    return new PullError('unreachable', `cannot reach ${url.origin} (${code})`, { cause: error });
  return new PullError('interrupted', `the connection to ${url.origin} failed ${when}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** A refusal of the hub, said in the words huggingface_hub uses for its X-Error-Code values; never echoes the token. */
function statusError(
  statusCode: number,
  headers: ResponseHeaders,
  url: URL,
  reference: HubReference,
  hasToken: boolean,
): PullError {
  const errorCode = header(headers, 'x-error-code');
  const where = `${reference.repo}/${reference.file}@${reference.revision}`;
  if (statusCode === 401 || statusCode === 403) {
    const why = errorCode === 'GatedRepo' ? 'the repository is gated: accept its terms on the hub, then ' : '';
    return new PullError(
      'unauthorised',
      `the hub refused ${where} (${statusCode}): ${why}${hasToken ? 'check that HF_TOKEN grants access to it' : 'set HF_TOKEN to a token with access to it'}`,
    );
  }
  if (statusCode === 404) {
    const what =
      errorCode === 'RevisionNotFound'
        ? `no revision "${reference.revision}" in ${reference.repo}`
        : errorCode === 'EntryNotFound'
          ? `no file ${reference.file} in ${reference.repo} at ${reference.revision}`
          : `${where} was not found`;
    return new PullError('not_found', `the hub at ${url.origin} says ${what} (404)`);
  }
  return new PullError('hub', `${url.origin} answered ${statusCode} for ${where}${errorCode ? ` (${errorCode})` : ''}`);
}

/**
 * huggingface_hub's `get_hf_file_metadata`: a HEAD on the resolve URL that follows the hub's own
 * redirects (a renamed repository) but not the one to storage, because that redirect is the answer
 * that carries an LFS file's `x-linked-etag` (its SHA-256) and `x-linked-size`.
 */
async function publishedFile(
  session: HubSession,
  url: URL,
  reference: HubReference,
  hasToken: boolean,
): Promise<PublishedFile> {
  let current = url;
  for (let hop = 0; ; hop += 1) {
    const response = await session.head(current);
    const { statusCode, headers } = response;
    if (statusCode >= 300 && statusCode < 400 && header(headers, 'location')) {
      await response.body.dump();
      const target = new URL(header(headers, 'location')!, current);
      const carriesMetadata =
        header(headers, 'x-linked-etag') !== undefined || header(headers, 'x-linked-size') !== undefined;
      if (target.origin === current.origin && !carriesMetadata) {
        if (hop >= maxRedirects)
          throw new PullError('hub', `the hub redirected ${url.href} more than ${maxRedirects} times`);
        current = target;
        continue;
      }
      return metadataFrom(headers, target.href);
    }
    await response.body.dump();
    if (statusCode >= 400) throw statusError(statusCode, headers, current, reference, hasToken);
    return metadataFrom(headers, current.href);
  }
}

function metadataFrom(headers: ResponseHeaders, location: string): PublishedFile {
  const etag = normaliseEtag(header(headers, 'x-linked-etag') ?? header(headers, 'etag'));
  return {
    sha256: etag !== null && /^[0-9a-fA-F]{64}$/.test(etag) ? etag.toLowerCase() : null,
    etag,
    size: nonNegativeInteger(header(headers, 'x-linked-size') ?? header(headers, 'content-length')),
    location,
    commit: header(headers, 'x-repo-commit') ?? null,
  };
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Feeds a file's bytes into a running hash (the bytes an earlier pull left, so the final digest covers every byte). */
async function hashInto(
  hash: Hash,
  path: string,
  total: number | null,
  onProgress: PullOptions['onProgress'],
): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 8 * 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onProgress?.({ phase: 'checking', bytes, total });
  }
  return bytes;
}

/**
 * The part file as bytes arrive: each chunk is hashed at once and written in blocks of about 4 MiB,
 * one write at a time, in order, so the part on disk is always a prefix of the file.
 */
class PartSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Received and not yet on disk (pending, or in the write under way). */
  private unwritten = 0;
  private writes: Promise<void> = Promise.resolve();
  private resume: (() => void) | undefined;
  failure: Error | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    public hash: Hash,
    public bytes: number,
    private readonly onBytes: (bytes: number) => void,
  ) {}

  /** The server sent the whole file rather than the rest (200 to a Range): start over, and the digest with it. */
  restart(): void {
    this.hash = createHash('sha256');
    this.bytes = 0;
    this.writes = this.writes.then(() => this.handle.truncate(0));
  }

  /** False when the disk is two blocks behind: the caller pauses the socket until `whenDrained`. */
  push(chunk: Buffer): boolean {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.unwritten += chunk.length;
    if (this.pendingBytes >= writeBlockBytes) this.writePending();
    this.onBytes(this.bytes);
    return this.unwritten < 2 * writeBlockBytes;
  }

  whenDrained(resume: () => void): void {
    this.resume = resume;
  }

  private writePending(): void {
    if (this.pendingBytes === 0) return;
    const pieces = this.pending;
    const size = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.writes = this.writes
      .then(async () => {
        if (this.failure) return;
        const { bytesWritten } = await this.handle.writev(pieces);
        if (bytesWritten !== size)
          throw new Error(`short write to ${this.path} (${bytesWritten} of ${size} bytes): is the disk full?`);
      })
      .catch((error: Error) => void (this.failure ??= error))
      .then(() => {
        this.unwritten -= size;
        // After a failed write the socket is resumed too, so the next chunk sees the failure and aborts.
        if (this.resume && (this.unwritten < writeBlockBytes || this.failure)) {
          const resume = this.resume;
          this.resume = undefined;
          resume();
        }
      });
  }

  /** Writes what is left and waits for every write; the part then holds every byte received. */
  async finish(): Promise<void> {
    this.writePending();
    await this.writes;
    if (this.failure) throw this.failure;
  }
}

/**
 * GETs the bytes after those already in the part, following redirects (the token only to the hub:
 * see HubSession), straight into the sink. Says whether the server sent the whole file again (200
 * to a Range), so the part was started over.
 */
async function download(
  session: HubSession,
  location: URL,
  sink: PartSink,
  reference: HubReference,
  hasToken: boolean,
): Promise<{ restarted: boolean }> {
  let current = location;
  let restarted = false;
  for (let hop = 0; ; hop += 1) {
    const from = sink.bytes;
    let answer: { status: number; headers: ResponseHeaders } | undefined;
    let taking = false;
    await session.get(current, from > 0 ? { range: `bytes=${from}-` } : {}, {
      start(status, headers) {
        answer = { status, headers };
        if (status === 200) {
          if (from > 0) {
            sink.restart();
            restarted = true;
          }
          taking = true;
        } else if (status === 206) {
          const range = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header(headers, 'content-range') ?? '');
          if (!range || Number(range[1]) !== from)
            return new PullError(
              'hub',
              `asked for bytes ${from}- of ${reference.file}, the server sent ${header(headers, 'content-range') ?? 'no Content-Range'}`,
            );
          taking = true;
        }
        return undefined;
      },
      data: (chunk) => (!taking ? true : (sink.failure ?? sink.push(chunk))),
      whenDrained: (resume) => sink.whenDrained(resume),
    });
    const { status, headers } = answer!;
    if (status >= 300 && status < 400 && header(headers, 'location')) {
      if (hop >= maxRedirects)
        throw new PullError('hub', `the download of ${reference.file} was redirected more than ${maxRedirects} times`);
      current = new URL(header(headers, 'location')!, current);
      continue;
    }
    // RFC 9110 §15.5.17: the part already holds every byte there is; the digest decides.
    if (taking || (status === 416 && from > 0)) return { restarted };
    throw statusError(status, headers, current, reference, hasToken);
  }
}

/**
 * Downloads the file, resuming a `.part` an earlier pull left, and keeps it only when its SHA-256 is
 * the published one (or the caller's, when the hub publishes none). A mismatch removes the part; an
 * interrupted or silent transfer keeps it for the next pull.
 */
export async function pullFile(options: PullOptions): Promise<Pulled> {
  const { reference, onProgress } = options;
  const timeoutMs = options.timeoutMs ?? defaultPullTimeoutMs;
  const given = options.digest === undefined ? undefined : parseDigest(options.digest);
  let endpoint: URL;
  try {
    endpoint = new URL(options.endpoint);
  } catch {
    throw new PullError('invalid', `the hub endpoint "${options.endpoint}" (HF_ENDPOINT) is not a URL`);
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:')
    throw new PullError(
      'invalid',
      `the hub endpoint ${endpoint.href} (HF_ENDPOINT) must be an http:// or https:// URL`,
    );
  const source = resolveUrl(options.endpoint, reference);
  const directory = resolve(options.directory);
  const path = resolve(directory, ...reference.file.split('/'));
  if (!path.startsWith(directory + sep))
    throw new PullError('invalid', `${reference.file} would land outside ${directory}`);
  const part = `${path}.part`;
  const hasToken = Boolean(options.token);

  const session = new HubSession(options.endpoint, options.token, timeoutMs);
  try {
    const published = await publishedFile(session, new URL(source), reference, hasToken);
    if (published.sha256 && given && published.sha256 !== given) {
      throw new PullError(
        'mismatch',
        `the hub publishes sha256:${published.sha256} for ${reference.file}, not the --digest sha256:${given}: nothing was downloaded`,
      );
    }
    const expected = published.sha256 ?? given;
    if (!expected) {
      const etag = published.etag
        ? ` (its ETag is ${published.etag}${/^[0-9a-f]{40}$/i.test(published.etag) ? ', a Git blob id: the file is not stored with LFS' : ''})`
        : '';
      throw new PullError(
        'no_digest',
        `the hub publishes no SHA-256 for ${reference.file}${etag}: get its SHA-256 from someone you trust and pass --digest sha256:<hex>; nothing was downloaded`,
      );
    }
    const digestFrom = published.sha256 ? 'hub' : 'caller';
    const pulled = { path, source, commit: published.commit, digestFrom } as const;

    // A complete file at its place is checked, never overwritten: it may be another pull's, registered under another
    // name.
    const present = await sizeOf(path);
    if (present !== null) {
      const hash = createHash('sha256');
      await hashInto(hash, path, present, onProgress);
      const sha256 = hash.digest('hex');
      if (sha256 !== expected)
        throw new PullError(
          'exists',
          `${path} already exists and is not this file (sha256:${sha256}, expected sha256:${expected}): move it away or pull with --dir`,
        );
      return { ...pulled, sha256, size: present, resumedFrom: present, alreadyPresent: true };
    }

    await mkdir(dirname(part), { recursive: true });
    const hash = createHash('sha256');
    let resumedFrom = (await sizeOf(part)) ?? 0;
    // A part longer than the published file cannot be its prefix.
    if (published.size !== null && resumedFrom > published.size) {
      await rm(part, { force: true });
      resumedFrom = 0;
    }
    if (resumedFrom > 0) await hashInto(hash, part, published.size, onProgress);

    // Opened before the GET, so the answer's bytes are taken as they arrive.
    const handle = await open(part, 'a');
    const sink = new PartSink(handle, part, hash, resumedFrom, (bytes) =>
      onProgress?.({ phase: 'downloading', bytes, total: published.size }),
    );
    const location = new URL(published.location);
    try {
      if (published.size === null || resumedFrom < published.size) {
        try {
          if ((await download(session, location, sink, reference, hasToken)).restarted) resumedFrom = 0;
        } catch (error) {
          await sink.finish().catch(() => undefined);
          // An answer that brought nothing (a refusal, an expired storage URL) leaves no empty part behind.
          if (sink.bytes === 0) await rm(part, { force: true });
          if (error instanceof PullError) throw error;
          if (sink.bytes === 0) throw transportError(error, location, timeoutMs, 'before any byte arrived');
          const failure = transportError(error, location, timeoutMs, `after ${mib(sink.bytes)}`);
          throw new PullError(
            failure.code,
            `${failure.message}; the ${mib(sink.bytes)} received are kept in ${part}: run the same pull again to resume`,
            { cause: error },
          );
        }
      }
      await sink.finish();
      await handle.sync();
    } finally {
      await handle.close();
    }
    const bytes = sink.bytes;

    if (published.size !== null && bytes < published.size) {
      throw new PullError(
        'interrupted',
        `the download of ${reference.file} ended after ${bytes} of ${published.size} bytes; they are kept in ${part}: run the same pull again to resume`,
      );
    }
    const sha256 = sink.hash.digest('hex');
    if (sha256 !== expected) {
      await rm(part, { force: true });
      throw new PullError(
        'mismatch',
        `the downloaded ${reference.file} hashes to sha256:${sha256}, not the ${digestFrom === 'hub' ? "hub's published" : '--digest'} sha256:${expected}: it is refused, nothing was registered, and ${part} was removed`,
      );
    }
    await rename(part, path);
    return { ...pulled, sha256, size: bytes, resumedFrom, alreadyPresent: false };
  } finally {
    await session.close();
  }
}
