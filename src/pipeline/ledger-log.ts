// The log behind the ledger: appends entries with group commit, keeps the Merkle tree in memory,
// signs C2SP checkpoints off the response path, and serves receipts and proofs. The store is the
// single source of order (other processes, such as the CLI or other replicas, may append too), so
// the tree is always rebuilt from stored entries in index order, and every checkpoint this log
// signs extends the one before it. The last checkpoint is also kept outside the store (a mirror),
// so a store that lost entries together with their checkpoints is noticed at start.
import { open as openFile, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatCheckpoint, parseCheckpoint } from '../ledger/checkpoint.js';
import { every, type Clock } from '../core/clock.js';
import { encodeEntry, interruptedClose, type EntryRecord } from '../ledger/entry.js';
import { leafHash } from '../ledger/hash.js';
import { openNote, signNote, type SignerKey } from '../ledger/note.js';
import type { Receipt } from '../ledger/receipt.js';
import { MerkleTree } from '../ledger/tree.js';
import type { NewLedgerEntry, Store, StoredCheckpoint } from '../store/store.js';
import { type TrafficPoint, TrafficTally, type TrafficRow } from './dependency-report.js';

export class LedgerIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerIntegrityError';
  }
}

export interface AppendOptions {
  keyId: string | null;
  opensStream?: boolean;
  closesStream?: number;
}

interface Pending {
  entry: NewLedgerEntry;
  /** What the entry counts for in the traffic totals (not the record itself: see TrafficTally.point). */
  traffic: TrafficPoint | undefined;
  resolve(index: number): void;
  reject(error: Error): void;
}

/** Where the last signed checkpoint is kept besides the store (a file beside the data: fileCheckpointMirror). */
export interface CheckpointMirror {
  /** Named in messages. */
  readonly where: string;
  /** The signed note kept, or undefined when there is none yet. */
  read(): Promise<string | undefined>;
  /** Replaces it durably (a crash leaves the old note or the new one, never a mix). */
  write(note: string): Promise<void>;
}

/**
 * The mirror as a small file: written to a temporary file, fsynced, renamed over the old one, and the
 * directory fsynced, so the rename itself survives a power loss.
 */
export function fileCheckpointMirror(path: string): CheckpointMirror {
  return {
    where: path,
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(note) {
      const temporary = `${path}.${process.pid}.tmp`;
      const file = await openFile(temporary, 'w', 0o600);
      try {
        await file.writeFile(note);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
      const directory = await openFile(dirname(path), 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    },
  };
}

/** How often a log whose last commit failed checks whether commits go through again. */
const commitRecheckMs = 1_000;

export interface LedgerLogOptions {
  store: Store;
  signer: SignerKey;
  origin: string;
  /** The gateway's clock: entry times, the checkpoint interval, receipt waits. */
  clock: Clock;
  /** Longest time between an entry and the checkpoint that covers it. */
  checkpointIntervalMs: number;
  onError: (error: unknown) => void;
  /** Keeps the last signed checkpoint outside the store too (`sovereign start`: a file in the data directory). */
  mirror?: CheckpointMirror;
}

/** An entry's record from its stored bytes; anything another writer stored that is not one counts as nothing. */
function parsedEntry(leaf: Buffer): Partial<EntryRecord> | undefined {
  try {
    return JSON.parse(leaf.toString('utf8')) as Partial<EntryRecord>;
  } catch {
    return undefined;
  }
}

export class LedgerLog {
  private readonly tree = new MerkleTree();
  private pending: Pending[] = [];
  private committing = false;
  private latest: StoredCheckpoint | undefined;
  private readonly running = new AbortController();
  private signing: Promise<void> | undefined;
  private readonly checkpointWaiters: Array<{ size: number; resolve(): void }> = [];
  private stopped = false;
  private started = false;
  /** Every change to the tree runs on this chain, one at a time and in order. */
  private treeChain: Promise<void> = Promise.resolve();
  private healthy = true;
  private rechecking = false;
  /** Size of the checkpoint last written to the mirror. */
  private mirroredSize = -1;
  /** Traffic totals of every integrated entry, for the dependency report. */
  private readonly tally = new TrafficTally();

  constructor(private readonly options: LedgerLogOptions) {}

  get origin(): string {
    return this.options.origin;
  }

  get verifierKey(): string {
    return this.options.signer.encoded;
  }

  /** Entries integrated into the in-memory tree. */
  get size(): number {
    return this.tree.size;
  }

  /**
   * False from a failed commit until a commit (or the log's own write check, every second) goes
   * through again: readiness, since every call then fails with ledger_unavailable (a full disk, a
   * read-only data directory, a lost database connection).
   */
  get commitHealthy(): boolean {
    return this.healthy;
  }

  /** Traffic recorded at or after `time`, from running totals (the entries appended so far integrated first). */
  async traffic(time: number): Promise<TrafficRow[]> {
    await this.catchUp();
    return this.tally.since(time);
  }

  /**
   * Rebuilds the tree from the store, checks it against every checkpoint ever signed (refusing to
   * go on if history was rewritten), closes the streams a crash left open, and starts signing.
   */
  async start(): Promise<{ interrupted: number }> {
    await this.catchUp();
    for (const checkpoint of await this.options.store.checkpointRoots()) {
      if (checkpoint.size > this.tree.size)
        throw new LedgerIntegrityError(
          `a checkpoint of size ${checkpoint.size} was signed, but the store holds only ${this.tree.size} entries`,
        );
      if (!this.tree.root(checkpoint.size).equals(checkpoint.root))
        throw new LedgerIntegrityError(
          `the stored entries do not match the checkpoint signed at size ${checkpoint.size}: the log was altered`,
        );
    }
    await this.checkMirror();
    this.latest = await this.options.store.latestCheckpoint();
    const open = await this.options.store.openStreamIndexes();
    await Promise.all(open.map((index) => this.closeInterrupted(index)));
    await this.signCheckpoint();
    void every(
      this.options.clock,
      this.options.checkpointIntervalMs,
      this.running.signal,
      () => this.signCheckpoint(),
      this.options.onError,
    );
    this.started = true;
    return { interrupted: open.length };
  }

  /**
   * The checkpoint kept outside the store must be one this log signed and that the stored entries
   * still give: a store behind it lost entries (deleted with their checkpoints, or restored from an
   * older copy), which the store's own checkpoints cannot show.
   */
  private async checkMirror(): Promise<void> {
    const { mirror } = this.options;
    if (!mirror) return;
    const note = await mirror.read();
    if (note === undefined) return;
    let size: number;
    let root: Buffer;
    try {
      const checkpoint = parseCheckpoint(openNote(note, [this.options.signer]).text);
      if (checkpoint.origin !== this.options.origin)
        throw new Error(`it is a checkpoint of the log "${checkpoint.origin}", not "${this.options.origin}"`);
      ({ size, root } = checkpoint);
    } catch (error) {
      throw new LedgerIntegrityError(
        `the checkpoint kept in ${mirror.where} is not one this log signed (${(error as Error).message}); if the signing key or ledger.origin was changed on purpose, move that file away and start again`,
      );
    }
    if (size > this.tree.size)
      throw new LedgerIntegrityError(
        `the store holds ${this.tree.size} ledger entries, but the last checkpoint this gateway signed (kept in ${mirror.where}) covers ${size}: entries were deleted, or the database was restored from an older copy. If that was intended, move that file away and start again`,
      );
    if (!this.tree.root(size).equals(root))
      throw new LedgerIntegrityError(
        `the stored entries do not match the checkpoint of size ${size} kept in ${mirror.where}: the log was altered`,
      );
    this.mirroredSize = size;
  }

  /** Keeps the latest checkpoint in the mirror; a failure is reported and retried at the next checkpoint. */
  private async mirrorLatest(): Promise<void> {
    const { mirror } = this.options;
    const latest = this.latest;
    if (!mirror || !latest || latest.size <= this.mirroredSize) return;
    try {
      await mirror.write(latest.note);
      this.mirroredSize = Math.max(this.mirroredSize, latest.size);
    } catch (error) {
      this.options.onError(error);
    }
  }

  /** Appends an entry; resolves with its index once it is durable (commits are shared by concurrent callers). */
  append(record: EntryRecord, options: AppendOptions): Promise<number> {
    if (this.stopped) return Promise.reject(new Error('the ledger is closed'));
    const leaf = encodeEntry(record);
    const entry: NewLedgerEntry = {
      leaf,
      leafHash: leafHash(leaf),
      keyId: options.keyId,
      createdAt: this.options.clock.now(),
      opensStream: options.opensStream,
      closesStream: options.closesStream,
    };
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ entry, traffic: this.tally.point(record), resolve, reject });
      if (!this.committing) {
        // The commit starts after this turn of the event loop, so the appends of the other requests read in the same
        // I/O phase share its fdatasync: 4 % less CPU per proxied call at 16 connections, no change at one (issue 17).
        this.committing = true;
        setImmediate(() => void this.commit());
      }
    });
  }

  private async commit(): Promise<void> {
    this.committing = true;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      let first: number;
      try {
        first = (await this.options.store.appendLedgerEntries(batch.map((item) => item.entry))).first;
      } catch (error) {
        this.commitFailed();
        for (const item of batch) item.reject(error as Error);
        continue;
      }
      this.healthy = true;
      batch.forEach((item, offset) => {
        item.resolve(first + offset);
      });
      // Integration into the tree happens after the callers were answered: off their path.
      this.withTree(async () => {
        if (first > this.tree.size) await this.catchUpLocked(first);
        // (If a catch-up from the store already took these entries, there is nothing left to add.)
        if (first === this.tree.size)
          for (const item of batch) {
            this.tree.append(item.entry.leafHash);
            if (item.traffic) this.tally.count(item.traffic, item.entry.createdAt);
          }
      }).catch(this.options.onError);
    }
    this.committing = false;
  }

  /** Marks the log unready and, once, starts checking on the clock whether a commit would go through again. */
  private commitFailed(): void {
    this.healthy = false;
    if (this.rechecking) return;
    this.rechecking = true;
    void (async () => {
      try {
        while (!this.healthy && !this.running.signal.aborted) {
          await this.options.clock.sleep(commitRecheckMs, this.running.signal);
          if (this.healthy || this.running.signal.aborted) break;
          try {
            await this.options.store.probeWrite(this.options.clock.now());
            this.healthy = true;
          } catch {
            // Still failing; the calls that fail meanwhile report why.
          }
        }
      } finally {
        this.rechecking = false;
      }
    })();
  }

  private withTree(change: () => Promise<void>): Promise<void> {
    const next = this.treeChain.then(change);
    // The chain goes on after a failure; the failure itself goes to whoever asked for the change.
    this.treeChain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** Integrates entries other processes appended, up to `until` (default: all). */
  private catchUp(until?: number): Promise<void> {
    return this.withTree(() => this.catchUpLocked(until));
  }

  private async catchUpLocked(until?: number): Promise<void> {
    const end = until ?? (await this.options.store.ledgerSize());
    while (this.tree.size < end) {
      // Leaves are re-hashed rather than trusting the stored hashes: a leaf altered in the store is caught here.
      const rows = await this.options.store.ledgerEntries(this.tree.size, Math.min(end, this.tree.size + 10_000));
      if (rows.length === 0 || rows[0]!.index !== this.tree.size)
        throw new LedgerIntegrityError(`entry ${this.tree.size} is missing from the store`);
      for (const row of rows) {
        const hash = leafHash(row.leaf);
        if (!hash.equals(row.leafHash))
          throw new LedgerIntegrityError(
            `entry ${row.index} does not hash to its stored leaf hash: the log was altered`,
          );
        this.tree.append(hash);
        this.tally.add(parsedEntry(row.leaf), row.createdAt);
      }
    }
  }

  private async closeInterrupted(openIndex: number): Promise<void> {
    const [opening] = await this.options.store.ledgerEntries(openIndex, openIndex + 1);
    const opened = opening ? (JSON.parse(opening.leaf.toString('utf8')) as EntryRecord) : undefined;
    await this.append(interruptedClose(opened, { time: this.options.clock.now(), openIndex }), {
      keyId: opening?.keyId ?? null,
      closesStream: openIndex,
    });
  }

  /** Signs a checkpoint for everything integrated so far, if that is more than the last one. */
  signCheckpoint(): Promise<void> {
    this.signing ??= this.doSign().finally(() => (this.signing = undefined));
    return this.signing;
  }

  private async doSign(): Promise<void> {
    await this.catchUp();
    const size = this.tree.size;
    if (this.latest && this.latest.size >= size) {
      // A checkpoint another replica signed (or one from before this start) is mirrored too.
      await this.mirrorLatest();
      return this.release();
    }
    const root = this.tree.root(size);
    const note = signNote(formatCheckpoint({ origin: this.options.origin, size, root }), [this.options.signer]);
    const checkpoint: StoredCheckpoint = { size, root, note, createdAt: this.options.clock.now() };
    await this.options.store.saveCheckpoint(checkpoint);
    // Another replica may have saved a checkpoint for this size first: keep the stored one.
    this.latest = (await this.options.store.latestCheckpoint()) ?? checkpoint;
    // Only after the store has it: the mirror is never ahead of the store it guards.
    await this.mirrorLatest();
    this.release();
  }

  private release(): void {
    for (let index = this.checkpointWaiters.length - 1; index >= 0; index -= 1) {
      const waiter = this.checkpointWaiters[index]!;
      if (this.latest && this.latest.size >= waiter.size) {
        this.checkpointWaiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    return this.latest;
  }

  /** Waits (up to `waitMs`) for a checkpoint covering `index`, asking for one at once. */
  async waitForCheckpoint(index: number, waitMs: number): Promise<StoredCheckpoint | undefined> {
    if (this.latest && this.latest.size > index) return this.latest;
    const covered = new Promise<void>((resolve) => this.checkpointWaiters.push({ size: index + 1, resolve }));
    void this.signCheckpoint().catch(this.options.onError);
    const waited = new AbortController();
    await Promise.race([covered, this.options.clock.sleep(waitMs, waited.signal)]);
    waited.abort();
    // A commit may still be integrating; one more signing round covers it.
    if (!(this.latest && this.latest.size > index) && index < this.tree.size) await this.signCheckpoint();
    return this.latest && this.latest.size > index ? this.latest : undefined;
  }

  /** The receipt of an entry against the latest checkpoint (undefined if none covers it yet). */
  async receipt(index: number, waitMs: number): Promise<{ receipt: Receipt; keyId: string | null } | undefined> {
    const [stored] = await this.options.store.ledgerEntries(index, index + 1);
    if (!stored) return undefined;
    const checkpoint = await this.waitForCheckpoint(index, waitMs);
    if (!checkpoint) return undefined;
    if (checkpoint.size > this.tree.size) await this.catchUp(checkpoint.size);
    const proof = this.tree.inclusionProof(index, checkpoint.size).map((hash) => hash.toString('base64'));
    return {
      receipt: { index, leaf: stored.leaf.toString('base64'), proof, checkpoint: checkpoint.note },
      keyId: stored.keyId,
    };
  }

  consistencyProof(from: number, to: number): Buffer[] {
    return this.tree.consistencyProof(from, to);
  }

  /** Stops signing after flushing pending entries and signing a last checkpoint. */
  async stop(): Promise<void> {
    // Commits in flight finish on their own (a disk write, not a clock): wait for them by polling the event loop.
    while (this.committing || this.pending.length > 0) await new Promise((resolve) => setImmediate(resolve));
    await this.treeChain;
    this.running.abort();
    // A log that never started (e.g. refused altered history) signs nothing.
    if (this.started) await this.signCheckpoint().catch(this.options.onError);
    this.stopped = true;
  }
}
