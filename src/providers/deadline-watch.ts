// The deadlines of the calls in flight to one upstream, kept on the gateway's clock: one sleep per
// upstream (not one timer per request) wakes at the earliest deadline and expires what is due, so
// a test that moves a ManualClock sees an attempt time out exactly when its deadline passes.
import type { Clock } from '../core/clock.js';

/** One call's deadline; `move` changes it (a stream's idle time restarts with every chunk). */
export interface WatchedDeadline {
  /** Sets a new deadline (ms since the epoch, on the clock); earlier or later than before. */
  move(deadline: number): void;
  /** The call is over: its deadline no longer matters. */
  release(): void;
}

interface Entry {
  deadline: number;
  expire: () => void;
}

export class DeadlineWatch {
  private readonly entries = new Set<Entry>();
  /** When the current sleep ends (Infinity when none is running). */
  private wakeAt = Number.POSITIVE_INFINITY;
  /** Ends the current sleep early (a new, earlier deadline, or close). */
  private sleeping: AbortController | undefined;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** Calls `expire` once the clock reaches `deadline`, unless released first. */
  watch(deadline: number, expire: () => void): WatchedDeadline {
    const entry: Entry = { deadline, expire };
    this.entries.add(entry);
    this.armFor(deadline);
    return {
      move: (next) => {
        entry.deadline = next;
        if (this.entries.has(entry)) this.armFor(next);
      },
      // A released entry leaves the sleep running: it wakes, finds nothing due and sleeps until the
      // next deadline. Cancelling it would cost an abort and a new sleep per call.
      release: () => void this.entries.delete(entry),
    };
  }

  /** Ends the sleep and forgets every deadline (the upstream is closed). */
  close(): void {
    this.closed = true;
    this.entries.clear();
    this.sleeping?.abort();
    this.sleeping = undefined;
    this.wakeAt = Number.POSITIVE_INFINITY;
  }

  /**
   * Makes sure a sleep ends no later than `deadline`. Deadlines mostly come in increasing order, so a new sleep is
   * rare.
   */
  private armFor(deadline: number): void {
    if (this.closed || deadline >= this.wakeAt) return;
    this.sleeping?.abort();
    const sleeping = new AbortController();
    this.sleeping = sleeping;
    this.wakeAt = deadline;
    void this.clock.sleep(deadline - this.clock.now(), sleeping.signal).then(() => {
      if (sleeping.signal.aborted) return;
      this.sleeping = undefined;
      this.wakeAt = Number.POSITIVE_INFINITY;
      this.expireDue();
    });
  }

  private expireDue(): void {
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.entries) {
      if (entry.deadline <= now) {
        this.entries.delete(entry);
        entry.expire();
      } else if (entry.deadline < next) {
        next = entry.deadline;
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.armFor(next);
  }
}
