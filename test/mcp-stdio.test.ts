// A stdio tool server the gateway started crashes: it is restarted after its back-off (on the
// gateway's clock), the helper process it had started is stopped with it, and at shutdown no process
// of any run is left behind.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as turnOfLoop } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestGateway, temporaryDirectory, type TestGateway } from './helpers.js';
import { eventually, ManualClock } from './support/manual-clock.js';
import { connectAgent } from './support/everything-http.js';

/** Running (a zombie waiting for a reaper that a container may not have is not running). */
/**
 * Closes the gateway while moving its clock: a stdio server is given 2 s (on that clock) to exit after its input
 * closes, then 2 s after SIGTERM.
 */
async function closeOnClock(gateway: TestGateway, clock: ManualClock): Promise<void> {
  let done = false;
  const closing = gateway.close().finally(() => (done = true));
  while (!done) {
    await clock.advance(500);
    await turnOfLoop();
  }
  await closing;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('stdio tool servers', () => {
  const clock = new ManualClock();
  const folder = temporaryDirectory('sovereign-stdio-');
  const pidFile = join(folder, 'pids.txt');
  let gateway: TestGateway;
  let agent: Client;
  const runs = (): number[][] =>
    readFileSync(pidFile, 'utf8')
      .trim()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split(' ').map(Number));

  before(async () => {
    writeFileSync(pidFile, '');
    gateway = await startTestGateway(
      {
        providers: [],
        models: {},
        mcp: {
          servers: [
            {
              id: 'crashy',
              transport: 'stdio',
              command: [process.execPath, join(process.cwd(), 'test/support/crashing-mcp-server.mjs'), pidFile],
              jurisdiction: 'local',
              operator: 'IT',
              ownership: 'owned',
            },
          ],
        },
      },
      { clock },
    );
    agent = await connectAgent(gateway);
  });
  let closed = false;
  after(async () => {
    if (!closed) {
      await agent?.close().catch(() => undefined);
      if (gateway) await closeOnClock(gateway, clock);
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it('restarts a server that exits, stops what it started, and leaves nothing behind at shutdown', async () => {
    const first = await agent.callTool({ name: 'crashy__ping', arguments: {} });
    assert.match(JSON.stringify(first.content), /pong/);
    const [[leader, helper]] = runs() as [[number, number]];
    await agent.callTool({ name: 'crashy__crash', arguments: {} });
    await eventually(
      () => alive(leader),
      (up) => !up,
      'the server exited',
      20_000,
    );
    await eventually(
      () => alive(helper),
      (up) => !up,
      'its helper process is stopped with it',
      20_000,
    );
    // Down until its back-off (1 s on the gateway's clock) has passed.
    const down = await agent.callTool({ name: 'crashy__ping', arguments: {} });
    assert.equal(down.isError, true);
    await clock.advance(1_000);
    await eventually(
      () => runs().length,
      (count) => count === 2,
      'a second run started',
      20_000,
    );
    const again = await eventually(
      () => agent.callTool({ name: 'crashy__ping', arguments: {} }),
      (result) => result.isError !== true,
      'the restarted server answers',
      20_000,
    );
    const [, [leader2, helper2]] = runs() as [number[], [number, number]];
    assert.match(JSON.stringify(again.content), new RegExp(`pong from ${leader2}`));
    await agent.close();
    await closeOnClock(gateway, clock);
    closed = true;
    for (const pid of [leader, helper, leader2, helper2]) assert.equal(alive(pid), false, `process ${pid} is gone`);
  });
});
