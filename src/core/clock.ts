// The one clock of the gateway: what time it is, and a wait on that time. `createApp` is handed one
// and passes it down (providers, breakers, probes, the action gate's timers, the ledger's
// checkpointer), so every timeout is testable on a clock a test moves by hand.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `ms` have passed on this clock, or at once when `signal` aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The system's clock: Date.now and timers. A sleep keeps the process alive only while something awaits it. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};
