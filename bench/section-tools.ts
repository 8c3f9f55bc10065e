// What bench/run.ts hands a section (the repository root, a child process pinned to a CPU, the table
// printer), and the percentile the latency sections report.
import { type ChildProcess, spawnSync } from 'node:child_process';

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

/**
 * A `sovereign start` gateway on CPU 1 for `configFile`, and an API key made for it first with `keys create` (extra
 * arguments such as --admin in `keyOptions`).
 */
export async function startGateway(
  tools: Pick<SectionTools, 'root' | 'startProcess'>,
  configFile: string,
  keyOptions: string[] = [],
): Promise<{ key: string; gateway: ChildProcess }> {
  const created = spawnSync(
    process.execPath,
    ['bin/sovereign.js', 'keys', 'create', '--name', 'bench', ...keyOptions, '--config', configFile],
    { cwd: tools.root, encoding: 'utf8' },
  );
  const key = created.stdout.trim().split('\n').at(-1)!;
  const gateway = await tools.startProcess(1, ['bin/sovereign.js', 'start', '--config', configFile], /listening on/);
  return { key, gateway };
}

/**
 * Stops processes with SIGTERM and waits until they have exited: a gateway writes its last files as it shuts down,
 * so its data directory can be removed only after.
 */
export async function stopProcesses(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}
