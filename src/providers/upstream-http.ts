// One undici pool per upstream origin, and the mapping of transport and HTTP failures to
// ProviderError kinds that decide retry and fallback. Shared by every HTTP provider kind.
import { Pool, errors as undiciErrors } from 'undici';
import { ProviderError } from '../core/errors.js';

export interface UpstreamTarget {
  providerId: string;
  pool: Pool;
  /** base_url's path without a trailing slash, e.g. "/v1". */
  basePath: string;
}

export function createUpstreamTarget(providerId: string, baseUrl: string, connections: number): UpstreamTarget {
  const url = new URL(baseUrl);
  // pipelining 1: upstream model servers answer one request at a time per connection.
  const pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  return { providerId, pool, basePath: url.pathname.replace(/\/+$/, '') };
}

export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Until the response headers (and for non-streams the whole body). */
  timeoutMs: number;
  /** Longest silence between two body chunks. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

export interface BufferedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * POSTs and collects the whole answer through undici's dispatch handler API: no Readable stream,
 * async iterator or end-of-stream bookkeeping per response, which the profile of the non-streaming
 * hot path showed to be the largest cost the gateway adds over a bare proxy. Non-2xx answers are
 * thrown as ProviderErrors.
 */
export function postUpstreamBuffered(target: UpstreamTarget, request: UpstreamRequest): Promise<BufferedResponse> {
  return requestUpstreamBuffered(target, 'POST', request);
}

/** A GET that only has to succeed (health probes). */
export async function getUpstream(target: UpstreamTarget, path: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  await requestUpstreamBuffered(target, 'GET', { path, headers, body: '', timeoutMs, idleTimeoutMs: timeoutMs });
}

function requestUpstreamBuffered(target: UpstreamTarget, method: 'GET' | 'POST', request: UpstreamRequest): Promise<BufferedResponse> {
  return new Promise<BufferedResponse>((resolve, reject) => {
    let statusCode = 0;
    let headers: BufferedResponse['headers'] = {};
    const pieces: Buffer[] = [];
    let size = 0;
    target.pool.dispatch(
      {
        method,
        path: target.basePath + request.path,
        headers: request.headers,
        body: method === 'GET' ? null : request.body,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.idleTimeoutMs,
      },
      {
        onRequestStart(controller) {
          const signal = request.signal;
          if (!signal) return;
          if (signal.aborted) controller.abort(signal.reason);
          else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
        },
        onResponseStart(_controller, status, responseHeaders) {
          statusCode = status;
          headers = responseHeaders;
        },
        onResponseData(_controller, chunk) {
          pieces.push(chunk);
          size += chunk.length;
        },
        onResponseEnd() {
          const body = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size);
          if (statusCode >= 200 && statusCode < 300) resolve({ statusCode, headers, body });
          else reject(statusFailure(target.providerId, statusCode, headers['retry-after'], body.toString('utf8', 0, Math.min(body.length, 2_000))));
        },
        onResponseError(_controller, error) {
          reject(transportError(target.providerId, error));
        },
      },
    );
  });
}

export function transportError(providerId: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new ProviderError(providerId, 'timeout', `${providerId}: no answer within the attempt deadline`, { cause: error });
  }
  if ((error as Error)?.name === 'AbortError' || error instanceof undiciErrors.RequestAbortedError) {
    return new ProviderError(providerId, 'timeout', `${providerId}: attempt aborted`, { cause: error });
  }
  const code = (error as { code?: string })?.code ?? '';
  return new ProviderError(providerId, 'connect', `${providerId}: connection failed (${code || (error as Error)?.message || 'unknown'})`, { cause: error });
}

export function statusFailure(providerId: string, status: number, retryAfter: string | string[] | undefined, text: string): ProviderError {
  const detail = upstreamMessage(text);
  const suffix = detail ? `: ${detail}` : '';
  if (status === 429) {
    return new ProviderError(providerId, 'rate_limited', `${providerId} is rate limiting (429)${suffix}`, {
      upstreamStatus: status,
      retryAfterSeconds: parseRetryAfter(retryAfter),
    });
  }
  if (status === 408) return new ProviderError(providerId, 'timeout', `${providerId} timed out (408)${suffix}`, { upstreamStatus: status });
  if (status === 401 || status === 403) return new ProviderError(providerId, 'auth', `${providerId} refused the gateway's credentials (${status})`, { upstreamStatus: status });
  if (status >= 500) return new ProviderError(providerId, 'server', `${providerId} failed (${status})${suffix}`, { upstreamStatus: status });
  return new ProviderError(providerId, 'rejected', `${providerId} rejected the request (${status})${suffix}`, { upstreamStatus: status });
}

/** The human message of an upstream error body in OpenAI's or Anthropic's shape. */
function upstreamMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error.slice(0, 500);
    if (parsed.error && typeof parsed.error.message === 'string') return parsed.error.message.slice(0, 500);
    if (typeof parsed.message === 'string') return parsed.message.slice(0, 500);
  } catch {
    // not JSON
  }
  return '';
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

export function remainingMs(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
