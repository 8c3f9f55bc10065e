// A Hugging Face–compatible hub on 127.0.0.1: `<base>/<repo>/resolve/<revision>/<file>` answers an LFS
// file with a 302 to storage (a second origin) carrying `x-linked-etag` (its SHA-256) and `x-linked-size`,
// a regular Git file with 200 and its blob id as ETag; bytes come with Range support, and can be cut or stalled.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface HubFile {
  /** `owner/name`. */
  repo: string;
  /** Branch, tag or commit it is served at; default main. */
  revision?: string;
  /** Path in the repository (may have subfolders). */
  file: string;
  bytes: Buffer;
  /**
   * Stored with LFS (default true): the hub publishes its SHA-256. Otherwise a regular Git file, with only a Git blob
   * id.
   */
  lfs?: boolean;
  /** Publishes this SHA-256 instead of the true one (a tampered or corrupted mirror). */
  publishedSha256?: string;
  /** The repository is private: the hub wants this bearer token. */
  token?: string;
}

export interface HubRequest {
  origin: 'hub' | 'storage';
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The status answered. */
  status: number;
}

export interface HubDouble {
  /** What HF_ENDPOINT is set to for this hub (its origin and base path). */
  endpoint: string;
  storageOrigin: string;
  /** Every request to the hub or its storage, in order of arrival. */
  received: HubRequest[];
  /** The next download sends this many bytes, then the connection is destroyed. */
  cutNextDownloadAfter(bytes: number): void;
  /** The next download sends this many bytes, then goes silent with the connection open. */
  stallNextDownloadAfter(bytes: number): void;
  /** Answer every download with 200 and every byte, whatever the Range asks (a server without range support). */
  ignoreRanges(ignore: boolean): void;
  close(): Promise<void>;
}

export interface HubDoubleOptions {
  /** A path prefix before the repositories, as an internal mirror may have (e.g. /mirror/hf). */
  basePath?: string;
  /** Renamed repositories: old `owner/name` → new; the hub answers the old name with a relative redirect. */
  renames?: Record<string, string>;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const sha1 = (text: string | Buffer): string => createHash('sha1').update(text).digest('hex');
/** Git's object id of a blob: SHA-1 over "blob <size>\0" and the bytes. */
const gitBlobId = (bytes: Buffer): string => sha1(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]));

async function listen(server: Server, sockets: Set<Socket>): Promise<string> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startHubDouble(files: HubFile[], options: HubDoubleOptions = {}): Promise<HubDouble> {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const received: HubRequest[] = [];
  const sockets = new Set<Socket>();
  let nextDownload: { kind: 'cut' | 'stall'; afterBytes: number } | undefined;
  let rangesIgnored = false;

  /** Serves a file's bytes: all of them, or the range asked for (RFC 9110 §14), cut or stalled when scripted. */
  function serveBytes(
    request: IncomingMessage,
    response: ServerResponse,
    bytes: Buffer,
    headers: Record<string, string>,
  ): number {
    const range = rangesIgnored ? null : /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    let start = 0;
    let status = 200;
    if (range) {
      start = Number(range[1]);
      if (start >= bytes.length) {
        response.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
        response.end();
        return 416;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    }
    const body = bytes.subarray(start);
    response.writeHead(status, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
    });
    if (request.method === 'HEAD') {
      response.end();
      return status;
    }
    const scripted = nextDownload;
    nextDownload = undefined;
    if (!scripted) {
      response.end(body);
      return status;
    }
    // The bytes are handed to the kernel before the cut, so the client receives them and then the end.
    response.write(body.subarray(0, scripted.afterBytes), () => {
      if (scripted.kind === 'cut') request.socket.destroy();
    });
    return status;
  }

  const byKey = new Map(files.map((file) => [`${file.repo}@${file.revision ?? 'main'}:${file.file}`, file]));
  const storagePaths = new Map(files.map((file, index) => [`/lfs/${index}/${sha256(file.bytes)}`, file]));

  const storageSockets = new Set<Socket>();
  const storage = createServer((request, response) => {
    const file = storagePaths.get(request.url ?? '');
    let status = 404;
    if (file) status = serveBytes(request, response, file.bytes, { etag: `"${sha1(file.bytes)}"` });
    else {
      response.writeHead(404);
      response.end();
    }
    received.push({
      origin: 'storage',
      method: request.method ?? 'GET',
      path: request.url ?? '',
      headers: request.headers,
      status,
    });
  });
  const storageOrigin = await listen(storage, storageSockets);

  const hub = createServer((request, response) => {
    const answer = (status: number, headers: Record<string, string> = {}): void => {
      response.writeHead(status, headers);
      response.end();
      received.push({
        origin: 'hub',
        method: request.method ?? 'GET',
        path: request.url ?? '',
        headers: request.headers,
        status,
      });
    };
    const url = new URL(request.url ?? '/', 'http://hub');
    const path = decodeURIComponent(url.pathname);
    const match = path.startsWith(`${basePath}/`)
      ? /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path.slice(basePath.length))
      : null;
    if (!match) return answer(404, { 'x-error-code': 'RepoNotFound' });
    const [, repo, revision, filePath] = match;
    const renamed = options.renames?.[repo!];
    // A relative Location, as the hub sends for a renamed repository (huggingface_hub follows only those on its HEAD).
    if (renamed)
      return answer(307, {
        location: url.pathname.replace(`${basePath}/${repo}/resolve/`, `${basePath}/${renamed}/resolve/`),
      });
    const file = byKey.get(`${repo}@${revision}:${filePath}`);
    if (!file)
      return answer(404, {
        'x-error-code': files.some((candidate) => candidate.repo === repo) ? 'EntryNotFound' : 'RepoNotFound',
      });
    if (file.token && request.headers.authorization !== `Bearer ${file.token}`)
      return answer(401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Invalid username or password.' });
    const commit = sha1(`${file.repo}@${file.revision ?? 'main'}`);
    if (file.lfs ?? true) {
      const index = files.indexOf(file);
      // The pointer file's blob id is the plain ETag; the linked (LFS) object's SHA-256 is x-linked-etag.
      return answer(302, {
        location: `${storageOrigin}/lfs/${index}/${sha256(file.bytes)}`,
        etag: `"${gitBlobId(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(file.bytes)}\nsize ${file.bytes.length}\n`))}"`,
        'x-linked-etag': `"${file.publishedSha256 ?? sha256(file.bytes)}"`,
        'x-linked-size': String(file.bytes.length),
        'x-repo-commit': commit,
      });
    }
    const status = serveBytes(request, response, file.bytes, {
      etag: `"${gitBlobId(file.bytes)}"`,
      'x-repo-commit': commit,
    });
    received.push({
      origin: 'hub',
      method: request.method ?? 'GET',
      path: request.url ?? '',
      headers: request.headers,
      status,
    });
  });
  const hubOrigin = await listen(hub, sockets);

  return {
    endpoint: `${hubOrigin}${basePath}`,
    storageOrigin,
    received,
    cutNextDownloadAfter: (bytes) => void (nextDownload = { kind: 'cut', afterBytes: bytes }),
    stallNextDownloadAfter: (bytes) => void (nextDownload = { kind: 'stall', afterBytes: bytes }),
    ignoreRanges: (ignore) => void (rangesIgnored = ignore),
    close: async () => {
      for (const socket of [...sockets, ...storageSockets]) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => hub.close(() => resolve())),
        new Promise<void>((resolve) => storage.close(() => resolve())),
      ]);
    },
  };
}
