// A clock the test moves by hand: `now()` stands still until `advance(ms)`, which resolves, in
// order of their deadlines, every sleep that falls due and lets their continuations run. No test
// waits on the wall clock to see a timeout.
import type { Clock } from '../../src/core/clock.js';

interface Sleeper {
  at: number;
  resolve: () => void;
  order: number;
}

export class ManualClock implements Clock {
  private current: number;
  private readonly sleepers: Sleeper[] = [];
  private order = 0;

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = { at: this.current + Math.max(0, ms), resolve: () => undefined, order: this.order++ };
      const done = (): void => {
        const index = this.sleepers.indexOf(sleeper);
        if (index >= 0) this.sleepers.splice(index, 1);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      sleeper.resolve = done;
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** How many sleeps are waiting (for a test to tell that the code under test has started waiting). */
  get waiting(): number {
    return this.sleepers.length;
  }

  /**
   * Moves time forward, waking each sleeper whose time has come (earliest first) and letting what it resumes run before
   * the next.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.sleepers
        .filter((sleeper) => sleeper.at <= target)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      due.resolve();
      await settle();
    }
    this.current = target;
    await settle();
  }
}

/** Lets pending promise continuations and I/O callbacks that are already due run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits for a condition that real I/O will make true (a request reaching a double, a wait being registered), polling
 * the event loop; fails after `limitMs` of wall time rather than hanging.
 */
export async function until(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The same for a value read by I/O (an HTTP answer, a store row): re-reads it each turn of the event loop until `done`
 * holds, and returns it; fails after `limitMs` of wall time rather than hanging.
 */
export async function eventually<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  what: string,
  limitMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
