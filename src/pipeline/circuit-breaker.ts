// One circuit breaker per provider: opens after N consecutive failures, lets one trial request
// through after the cool-down (half-open), and closes again on its success.

export type BreakerState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private state: BreakerState = 'closed';
  private trialInFlight = false;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  /** May a request be sent now? In half-open, only one trial at a time. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.now() - this.openedAt < this.cooldownMs) return false;
      this.state = 'half_open';
    }
    if (this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.state = 'closed';
    this.trialInFlight = false;
  }

  /**
   * The request neither proved nor disproved health (the provider was at capacity): a half-open trial may be made
   * again.
   */
  release(): void {
    this.trialInFlight = false;
  }

  failure(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.state === 'half_open' || this.failures >= this.threshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }

  /** How long until it lets a trial through: the rest of an open breaker's cool-down, else 0. */
  trialInMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.cooldownMs - (this.now() - this.openedAt));
  }

  /** The state as a reader sees it (an open breaker past its cool-down reads half_open). */
  current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.cooldownMs) return 'half_open';
    return this.state;
  }
}
