// A call's cancellation (core/cancel.ts): its waits run once, in order, when it aborts, a stopped
// wait never runs, and a signal that is not a Cancellable's is waited on through its listener.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cancellable, onCancel } from '../src/core/cancel.js';

describe('Cancellable and onCancel', () => {
  it('runs every wait once, in the order they were added, after the signal has aborted with the reason', () => {
    const call = new Cancellable();
    const seen: string[] = [];
    let listenerSaw: unknown;
    call.signal.addEventListener('abort', () => {
      listenerSaw = call.signal.reason;
      seen.push('listener');
    });
    onCancel(call.signal, () => seen.push(`a:${String(call.signal.reason)}`));
    const stopB = onCancel(call.signal, () => seen.push('b'));
    onCancel(call.signal, () => seen.push('c'));
    stopB();
    stopB();
    call.abort('client_closed');
    call.abort('again');
    assert.deepEqual(seen, ['listener', 'a:client_closed', 'c']);
    assert.equal(listenerSaw, 'client_closed');
    assert.equal(call.aborted, true);
  });

  it('runs a wait added after the abort at once, and a stop after the abort does nothing', () => {
    const call = new Cancellable();
    let runs = 0;
    const stop = onCancel(call.signal, () => (runs += 1));
    call.abort(new Error('shutdown'));
    stop();
    onCancel(call.signal, () => (runs += 1));
    assert.equal(runs, 2);
  });

  it('removes waits from anywhere in the list (first, middle, last) and keeps the others', () => {
    for (const removed of [0, 1, 2]) {
      const call = new Cancellable();
      const seen: number[] = [];
      const stops = [0, 1, 2].map((index) => onCancel(call.signal, () => seen.push(index)));
      stops[removed]!();
      onCancel(call.signal, () => seen.push(3));
      call.abort('x');
      assert.deepEqual(
        seen,
        [0, 1, 2, 3].filter((index) => index !== removed),
      );
    }
  });

  it('waits on any other signal through its abort listener, and stops waiting on it', () => {
    const controller = new AbortController();
    let runs = 0;
    const stop = onCancel(controller.signal, () => (runs += 1));
    onCancel(controller.signal, () => (runs += 10));
    stop();
    controller.abort();
    assert.equal(runs, 10);
    const aborted = AbortSignal.abort();
    onCancel(aborted, () => (runs += 100));
    assert.equal(runs, 110);
  });
});
