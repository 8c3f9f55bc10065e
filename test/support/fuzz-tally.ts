// What a fuzz suite counts per target (cases, accepted, refused, failures), printed once at the end of its file, and
// its seeded case budget (FUZZ_RUNS_SCALE multiplies it for a longer local run; CI runs the default).
import { after } from 'node:test';

export interface Tally {
  cases: number;
  accepted: number;
  refused: number;
  failures: string[];
}

export function fuzzTallies(
  suite: string,
  seed: number,
  targetWidth: number,
): { tally(target: string): Tally; runs(count: number): number } {
  const scale = Number(process.env.FUZZ_RUNS_SCALE ?? 1);
  const tallies = new Map<string, Tally>();
  after(() => {
    const lines = [...tallies].map(
      ([target, { cases, accepted, refused, failures }]) =>
        `  ${target.padEnd(targetWidth)} cases ${String(cases).padStart(5)}  accepted ${String(accepted).padStart(5)}  refused ${String(refused).padStart(5)}  failures ${failures.length}`,
    );
    const total = [...tallies.values()].reduce((sum, entry) => sum + entry.cases, 0);
    const failed = [...tallies.values()].reduce((sum, entry) => sum + entry.failures.length, 0);
    console.log(`fuzz (${suite}), seed ${seed}: ${total} cases, ${failed} failures\n${lines.join('\n')}`);
  });
  return {
    tally(target) {
      let entry = tallies.get(target);
      if (!entry) {
        entry = { cases: 0, accepted: 0, refused: 0, failures: [] };
        tallies.set(target, entry);
      }
      return entry;
    },
    runs: (count) => Math.max(1, Math.round(count * scale)),
  };
}
