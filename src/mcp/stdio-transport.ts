// An MCP stdio client transport of our own, for two guarantees the SDK's does not give: the server's
// environment is only what the config gives plus PATH and HOME (the SDK's passes SHELL, USER, TERM and
// LOGNAME too), and the server runs in its own process group, so stopping it stops every process it
// started (the SDK's signals only the child, and a server started through `npx` or a shell script
// leaves its real process behind). Messages are framed with the SDK's own ReadBuffer and
// serializeMessage, so the wire format is the SDK's.
import { type ChildProcess, spawn } from 'node:child_process';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../core/clock.js';

export interface StdioSettings {
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd?: string;
  clock: Clock;
  /** The server's standard error, a line at a time (logged by the caller; never parsed). */
  onStderr?: (line: string) => void;
}

/** How long a server is given to exit after its input closes, then after SIGTERM, before SIGKILL. */
const exitGraceMs = 2_000;

export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private exited: Promise<void> | undefined;

  constructor(private readonly settings: StdioSettings) {}

  /** The process group's id (the server's pid), while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const [command, ...args] = this.settings.command;
    const environment: Record<string, string> = {};
    for (const name of ['PATH', 'HOME']) if (process.env[name] !== undefined) environment[name] = process.env[name]!;
    Object.assign(environment, this.settings.env);
    return new Promise((resolve, reject) => {
      const child = spawn(command!, args, {
        env: environment,
        cwd: this.settings.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        // Its own process group: close() signals the whole group.
        detached: true,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once('close', () => done()));
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => resolve());
      child.once('close', () => {
        this.child = undefined;
        // The server is gone (it exited or crashed): what it started goes with it, killed after the grace if it
        // ignores SIGTERM.
        if (child.pid !== undefined) {
          const group = child.pid;
          this.signalGroup(group, 'SIGTERM');
          void this.settings.clock.sleep(exitGraceMs).then(() => this.signalGroup(group, 'SIGKILL'));
        }
        this.onclose?.();
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.onerror?.(error as Error);
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message);
        }
      });
      child.stdin!.on('error', (error) => this.onerror?.(error));
      let partial = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        // A line that never ends is cut: at most 2,000 characters of it are kept.
        partial = (lines.pop() ?? '').slice(0, 2_000);
        for (const line of lines) if (line !== '') this.settings.onStderr?.(line.slice(0, 2_000));
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin) return reject(new Error('the tool server is not running'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', () => resolve());
    });
  }

  /** Ends its input, then signals its whole process group (SIGTERM, then SIGKILL), each after a grace on the clock. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    const exited = this.exited!;
    const { clock } = this.settings;
    const within = async (ms: number): Promise<boolean> => {
      const over = new AbortController();
      const done = await Promise.race([exited.then(() => true), clock.sleep(ms, over.signal).then(() => false)]);
      over.abort();
      return done;
    };
    child.stdin?.end();
    if (await within(exitGraceMs)) return this.signalGroup(child.pid, 'SIGTERM');
    this.signalGroup(child.pid, 'SIGTERM');
    if (await within(exitGraceMs)) return;
    this.signalGroup(child.pid, 'SIGKILL');
    await exited;
  }

  /** Signals every process of the server's group (children it started included); one already gone is no error. */
  private signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }
}
