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
  /** Neighbours in the watch's list of calls in flight (undefined at its ends, and once out of it). */
  previous: Entry | undefined;
  next: Entry | undefined;
  listed: boolean;
}

export class DeadlineWatch {
  /**
   * The calls in flight, as a list linked through the entries rather than a Set: a long-lived Set with one add and one
   * delete per call has its table rebuilt every few dozen calls, in the old generation, and each table it leaves
   * behind keeps the calls it held (closures, undici request, response buffers) alive through every scavenge until
   * the next full collection: under load that promoted ~4 KB per call.
   */
  private first: Entry | undefined;
  private last: Entry | undefined;
  /** When the current sleep ends (Infinity when none is running). */
  private wakeAt = Number.POSITIVE_INFINITY;
  /** Ends the current sleep early (a new, earlier deadline, or close). */
  private sleeping: AbortController | undefined;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** Calls `expire` once the clock reaches `deadline`, unless released first. */
  watch(deadline: number, expire: () => void): WatchedDeadline {
    const entry: Entry = { deadline, expire, previous: this.last, next: undefined, listed: true };
    if (this.last) this.last.next = entry;
    else this.first = entry;
    this.last = entry;
    this.armFor(deadline);
    return {
      move: (next) => {
        entry.deadline = next;
        if (entry.listed) this.armFor(next);
      },
      // A released entry leaves the sleep running: it wakes, finds nothing due and sleeps until the
      // next deadline. Cancelling it would cost an abort and a new sleep per call.
      release: () => this.unlink(entry),
    };
  }

  private unlink(entry: Entry): void {
    if (!entry.listed) return;
    const { previous, next } = entry;
    if (previous) previous.next = next;
    else this.first = next;
    if (next) next.previous = previous;
    else this.last = previous;
    entry.previous = undefined;
    entry.next = undefined;
    entry.listed = false;
  }

  /** Ends the sleep and forgets every deadline (the upstream is closed). */
  close(): void {
    this.closed = true;
    while (this.first) this.unlink(this.first);
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
    const due: Entry[] = [];
    for (let entry = this.first; entry; entry = entry.next) {
      if (entry.deadline <= now) due.push(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    for (const entry of due) {
      // An expiry may release another due call (it is then not expired).
      if (!entry.listed) continue;
      this.unlink(entry);
      entry.expire();
    }
    if (next !== Number.POSITIVE_INFINITY) this.armFor(next);
  }
}
