// What bench/run.ts hands a section (the repository root, a child process pinned to a CPU, the table
// printer), and the percentile the latency sections report.
import type { ChildProcess } from 'node:child_process';

export interface SectionTools {
  root: string;
  startProcess(cpu: number, args: string[], ready: RegExp, cwd?: string): Promise<ChildProcess>;
  table(header: string[], rows: Array<Array<string | number>>): void;
}

/** The value below which `fraction` of the samples fall (nearest rank). */
export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}
