// The one clock of the gateway: what time it is, and a wait on that time. `createApp` is handed one
// and passes it down (providers, breakers, probes, the action gate's timers, the ledger's
// checkpointer), so every timeout is testable on a clock a test moves by hand.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `ms` have passed on this clock, or at once when `signal` aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The system's clock: Date.now and timers. A sleep does not by itself keep the process alive (what waits on it does: a
 * socket, a pending request).
 */
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
      timer.unref();
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * Runs `work` every `intervalMs` (a number, or a function for a jittered or backed-off interval) on
 * the clock, until `signal` aborts; a failing run is reported and the loop goes on.
 */
export async function every(
  clock: Clock,
  intervalMs: number | (() => number),
  signal: AbortSignal,
  work: () => Promise<unknown> | unknown,
  onError: (error: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    await clock.sleep(typeof intervalMs === 'number' ? intervalMs : intervalMs(), signal);
    if (signal.aborted) return;
    try {
      await work();
    } catch (error) {
      onError(error);
    }
  }
}

/**
 * A time given as a duration back from `now` ("7d", "24h", "30m") or an RFC 3339 time, in milliseconds since the
 * epoch; undefined when it is neither (each caller says so in its own way).
 */
export function timeSince(text: string, now: number): number | undefined {
  const duration = /^(\d+)(m|h|d)$/.exec(text);
  if (duration) return now - Number(duration[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 'm'];
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}
