// Ledger benchmarks: sustained appends into the embedded SQLite store through the log (group
// commit, synchronous=FULL) against raw better-sqlite3 inserts of the same rows in the same run,
// and proof generation at growing tree sizes (O(log n) hashes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { encodeEntry, type EntryRecord } from '../src/ledger/entry.js';
import { leafHash } from '../src/ledger/hash.js';
import { generateSigner } from '../src/ledger/note.js';
import { MerkleTree } from '../src/ledger/tree.js';
import { verifyInclusion } from '../src/ledger/verify-proof.js';
import { LedgerLog } from '../src/pipeline/ledger-log.js';
import { openSqliteStore } from '../src/store/kysely-store.js';
import { systemClock } from '../src/core/clock.js';

const record = (index: number): EntryRecord => ({
  v: 1,
  kind: 'chat',
  time: new Date().toISOString(),
  request_id: `bench-${index}-0000-0000-000000000000`,
  tenant: 'bench',
  endpoint: 'chat',
  model_requested: 'default',
  provider: 'local',
  provider_model: 'qwen3-8b',
  jurisdiction: 'SA',
  ownership: 'owned',
  operator: 'Hospital IT',
  labels: [],
  policy_hash: `sha256:${'0'.repeat(64)}`,
  outcome: 'ok',
  status: 200,
  error_code: null,
  request_sha256: 'a'.repeat(64),
  response_sha256: 'b'.repeat(64),
  attempts: [{ provider: 'local', outcome: 'ok' }],
  usage: { prompt_tokens: 12, completion_tokens: 9 },
});

export async function ledgerSection(
  table: (header: string[], rows: Array<Array<string | number>>) => void,
): Promise<void> {
  const total = Number(process.env.LEDGER_ENTRIES ?? 100_000);
  const producers = 64;
  const rows: Array<Array<string | number>> = [];

  // Baseline: the same rows straight into SQLite, in transactions of 1000, synchronous=FULL.
  {
    const directory = mkdtempSync(join(tmpdir(), 'sovereign-bench-'));
    const database = new BetterSqlite3(join(directory, 'raw.db'));
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.exec(
      'CREATE TABLE entries (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, leaf_hash BLOB NOT NULL, key_id TEXT, created_at INTEGER NOT NULL) STRICT',
    );
    const insert = database.prepare('INSERT INTO entries VALUES (?, ?, ?, ?, ?)');
    const leaves = Array.from({ length: 1000 }, (_, index) => encodeEntry(record(index)));
    const hashes = leaves.map((leaf) => leafHash(leaf));
    const batch = database.transaction((start: number) => {
      for (let offset = 0; offset < 1000; offset += 1)
        insert.run(start + offset, leaves[offset]!, hashes[offset]!, 'k', Date.now());
    });
    const started = process.hrtime.bigint();
    for (let start = 0; start < total; start += 1000) batch(start);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rows.push(['raw SQLite inserts (baseline; pre-encoded, 1000 per commit)', Math.round(total / seconds), '1.000']);
    database.close();
    rmSync(directory, { recursive: true, force: true });
  }
  const baseline = rows[0]![1] as number;

  // The log: encode, hash, group-commit from a worker, integrate into the tree; 64 concurrent producers.
  {
    const directory = mkdtempSync(join(tmpdir(), 'sovereign-bench-'));
    const store = openSqliteStore(directory);
    await store.migrate();
    const signer = generateSigner('bench.example/log');
    const log = new LedgerLog({
      store,
      signer,
      origin: signer.name,
      clock: systemClock,
      checkpointIntervalMs: 1000,
      onError: (error) => console.error(error),
    });
    await log.start();
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: producers }, async () => {
        while (next < total) {
          const index = next++;
          await log.append(record(index), { keyId: 'k' });
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rate = Math.round(total / seconds);
    rows.push([
      `ledger appends, ${producers} concurrent callers, each awaiting durability`,
      rate,
      (rate / baseline).toFixed(3),
    ]);
    await log.stop();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
  process.stdout.write(
    `Ledger appends into the embedded SQLite store (synchronous=FULL), ${total} entries. Target: ≥ 20,000 entries/s.\n`,
  );
  table(['what', 'entries/s', 'ratio'], rows);

  // Proofs: time and size at growing trees; a single SHA-256 of a node is the baseline unit.
  const proofRows: Array<Array<string | number>> = [];
  const tree = new MerkleTree();
  const one = leafHash(Buffer.from('x'));
  let hashNs = 0;
  {
    const started = process.hrtime.bigint();
    for (let index = 0; index < 100_000; index += 1) leafHash(one);
    hashNs = Number(process.hrtime.bigint() - started) / 100_000;
  }
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const size of [1_000, 100_000, 1_000_000]) {
    while (tree.size < size) tree.append(leafHash(Buffer.from(`leaf ${tree.size}`)));
    const root = tree.root();
    const samples = 2_000;
    let hashes = 0;
    const started = process.hrtime.bigint();
    for (let sample = 0; sample < samples; sample += 1) {
      // An index in the last, ragged part of the tree costs most; take half the samples there.
      const index = sample % 2 ? Math.floor(random() * size) : size - 1 - Math.floor(random() * Math.min(size, 1000));
      hashes += tree.inclusionProof(index, size).length;
    }
    const proofUs = Number(process.hrtime.bigint() - started) / 1e3 / samples;
    const proof = tree.inclusionProof(size - 1, size);
    const verifyStarted = process.hrtime.bigint();
    for (let sample = 0; sample < 200; sample += 1)
      verifyInclusion(size - 1, size, leafHash(Buffer.from(`leaf ${size - 1}`)), proof, root);
    const verifyUs = Number(process.hrtime.bigint() - verifyStarted) / 1e3 / 200;
    proofRows.push([
      size,
      (hashes / samples).toFixed(1),
      proofUs.toFixed(1),
      verifyUs.toFixed(1),
      ((proofUs * 1000) / hashNs).toFixed(1),
    ]);
  }
  process.stdout.write(`Inclusion proofs (one SHA-256 of a node takes ${(hashNs / 1000).toFixed(2)} µs here).\n`);
  table(['tree size', 'hashes per proof', 'make µs', 'verify µs', 'make / one hash'], proofRows);
}
