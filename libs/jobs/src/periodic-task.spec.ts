import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeriodicTask } from './periodic-task.js';

describe('PeriodicTask (the reaper and the retention sweep)', () => {
  it('repeats its pass, never two at once, and goes on after a failed one', async () => {
    let running = 0;
    let most = 0;
    let passes = 0;
    const task = new PeriodicTask(
      async () => {
        passes++;
        most = Math.max(most, ++running);
        await sleep(10);
        running--;
        if (passes === 1) throw new Error('first pass fails');
      },
      1,
      'test pass failed',
    );
    task.start(0);
    await sleep(100);
    await task.stop();
    expect(passes).toBeGreaterThan(2);
    expect(most).toBe(1);
  });

  it('stop() waits for the pass under way, which sees `stopping`, and cancels the next', async () => {
    let passes = 0;
    let sawStopping = false;
    const task = new PeriodicTask(
      async () => {
        passes++;
        await sleep(30);
        sawStopping = task.stopping;
      },
      1,
      'test pass failed',
    );
    task.start(0);
    await sleep(10);
    await task.stop();
    expect(sawStopping).toBe(true);
    await sleep(30);
    expect(passes).toBe(1);
  });

  it('a pass not yet due never runs once stopped', async () => {
    let passes = 0;
    const task = new PeriodicTask(() => Promise.resolve(passes++), 1, 'test pass failed');
    task.start(20);
    await task.stop();
    await sleep(40);
    expect(passes).toBe(0);
  });
});
