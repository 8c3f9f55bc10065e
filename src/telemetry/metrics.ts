// Prometheus metrics for one gateway instance (a registry of its own, so several apps can live in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'endpoint' | 'alias' | 'provider' | 'status'>;
  duration: Histogram<'endpoint' | 'alias' | 'provider'>;
  timeToFirstByte: Histogram<'alias' | 'provider'>;
  tokens: Counter<'alias' | 'provider' | 'direction'>;
  upstreamErrors: Counter<'provider' | 'kind'>;
  fallbacks: Counter<'alias' | 'provider'>;
  /** Reports each provider's circuit (1 = open or half-open) whenever /metrics is scraped. */
  observeCircuits(read: () => Array<[string, number]>): void;
  inFlight: Gauge;
}

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createMetrics(options: { defaultMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'sovereign_process_' });
  return {
    registry,
    requests: new Counter({ name: 'sovereign_requests_total', help: 'Requests answered, by endpoint, model alias, provider that answered and HTTP status.', labelNames: ['endpoint', 'alias', 'provider', 'status'], registers: [registry] }),
    duration: new Histogram({ name: 'sovereign_request_duration_seconds', help: 'Time from request to last byte of the answer.', labelNames: ['endpoint', 'alias', 'provider'], buckets: latencyBuckets, registers: [registry] }),
    timeToFirstByte: new Histogram({ name: 'sovereign_time_to_first_byte_seconds', help: 'Time from request to the first byte of a streamed answer.', labelNames: ['alias', 'provider'], buckets: latencyBuckets, registers: [registry] }),
    tokens: new Counter({ name: 'sovereign_tokens_total', help: 'Tokens in (prompt) and out (completion), as the upstream reported them.', labelNames: ['alias', 'provider', 'direction'], registers: [registry] }),
    upstreamErrors: new Counter({ name: 'sovereign_upstream_errors_total', help: 'Failed upstream attempts, by provider and kind of failure.', labelNames: ['provider', 'kind'], registers: [registry] }),
    fallbacks: new Counter({ name: 'sovereign_fallbacks_total', help: 'Times a request moved on from a failed provider to the next candidate.', labelNames: ['alias', 'provider'], registers: [registry] }),
    observeCircuits(read) {
      new Gauge({
        name: 'sovereign_circuit_open',
        help: '1 while the provider circuit breaker is open or half-open.',
        labelNames: ['provider'],
        registers: [registry],
        collect() {
          for (const [provider, value] of read()) this.set({ provider }, value);
        },
      });
    },
    inFlight: new Gauge({ name: 'sovereign_requests_in_flight', help: 'Requests being served now.', registers: [registry] }),
  };
}
