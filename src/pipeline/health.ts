// Live health per provider, from real traffic and from background probes: recent latency, error
// rate, last error, and the share of the last hour's traffic each provider served.
import { type GatewayError, ProviderError } from '../core/errors.js';
import { ContextLengthError } from './context-fit.js';

const failures: Record<ProviderError['kind'], string> = {
  connect: 'could not be reached',
  timeout: 'did not answer in time',
  rate_limited: 'is rate limiting',
  server: 'failed',
  rejected: 'rejected the request',
  auth: "refused the gateway's credentials",
  invalid_response: 'answered with a body its API does not allow',
  busy: 'is at its max_concurrent calls',
  unavailable: 'cannot take this call now',
};

/**
 * How a provider failed, in words safe for any client: its id, the kind of failure and the upstream's
 * HTTP status. Never the upstream's own text, which can quote a request (another tenant's, or secrets
 * the upstream echoes back) or name internal hosts.
 */
export function describeFailure(
  error: Pick<ProviderError, 'providerId' | 'kind' | 'upstreamStatus'> & { ownWords?: boolean; message?: string },
): string {
  if (error.ownWords && error.message) return error.message;
  const status = error.upstreamStatus ? ` (${error.upstreamStatus})` : '';
  return `${error.providerId} ${failures[error.kind] ?? 'failed'}${status}`;
}

/** The upstream failure behind an error, if any (the chain is short: dispatch, then policy at most). */
function upstreamCause(error: GatewayError): ProviderError | undefined {
  let current: unknown = error.cause;
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    // The gateway's own words (its token count against the window), not the upstream's.
    if (current instanceof ContextLengthError) return undefined;
    if (current instanceof ProviderError) return current.ownWords ? undefined : current;
    current = current.cause;
  }
  return undefined;
}

/**
 * An error's message as a client may read it. A ProviderError's message carries the upstream's own
 * error text: the gateway's sentence around it is kept, the upstream's part replaced by
 * describeFailure. Fails closed: when that text cannot be found to cut out, only the summary is given.
 */
export function safeMessage(error: GatewayError): string {
  const upstream = upstreamCause(error);
  if (!upstream) return error.message;
  const safe = describeFailure(upstream);
  if (upstream.message !== '' && error.message.includes(upstream.message))
    return error.message.split(upstream.message).join(safe);
  return `The upstream failed: ${safe}.`;
}

export type HealthState = 'healthy' | 'degraded' | 'open_circuit' | 'cut';

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
  /** From a client's request (counts towards traffic share), not a probe. */
  traffic: boolean;
}

const keepMs = 60 * 60 * 1000;
const maxSamples = 20_000;

export class ProviderHealth {
  private samples: Sample[] = [];
  lastError: { message: string; at: number } | undefined;

  record(sample: Sample, error?: string): void {
    this.samples.push(sample);
    if (!sample.ok && error) this.lastError = { message: error.slice(0, 300), at: sample.at };
    if (this.samples.length > maxSamples) this.samples = this.samples.slice(-maxSamples / 2);
  }

  private recent(now: number): Sample[] {
    const since = now - keepMs;
    if (this.samples.length > 0 && this.samples[0]!.at < since)
      this.samples = this.samples.filter((sample) => sample.at >= since);
    return this.samples;
  }

  /** Over the last 100 attempts and probes. */
  errorRate(now: number): number {
    const last = this.recent(now).slice(-100);
    return last.length === 0 ? 0 : last.filter((sample) => !sample.ok).length / last.length;
  }

  latency(now: number): { p50: number | null; p99: number | null } {
    const times = this.recent(now)
      .slice(-1000)
      .filter((sample) => sample.ok)
      .map((sample) => sample.ms)
      .sort((a, b) => a - b);
    if (times.length === 0) return { p50: null, p99: null };
    const at = (quantile: number): number =>
      Math.round(times[Math.min(times.length - 1, Math.floor(quantile * times.length))]! * 10) / 10;
    return { p50: at(0.5), p99: at(0.99) };
  }

  trafficLastHour(now: number): number {
    return this.recent(now).filter((sample) => sample.traffic).length;
  }
}
