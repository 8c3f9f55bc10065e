// Live health per provider, from real traffic and from background probes: recent latency, error
// rate, last error, and the share of the last hour's traffic each provider served.

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
