import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from '../../lib/concurrency.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('forEachConcurrently', () => {
  it('runs every item, never more than `concurrency` at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5], { concurrency: 2 }, async (n) => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
      done.push(n);
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('runs every item after a failure by default, then throws the first failure', async () => {
    const done: number[] = [];
    const run = forEachConcurrently([1, 2, 3, 4], { concurrency: 2 }, async (n) => {
      await tick();
      if (n === 1) throw new Error('first');
      if (n === 3) throw new Error('second');
      done.push(n);
    });
    await expect(run).rejects.toThrow('first');
    expect(done.sort()).toEqual([2, 4]);
  });

  it('with stopOnFailure starts nothing after a failure and waits for the tasks under way', async () => {
    const started: number[] = [];
    let ended = 0;
    const failures: unknown[] = [];
    const run = forEachConcurrently(
      [1, 2, 3, 4, 5],
      { concurrency: 2, stopOnFailure: true, onFailure: (err) => failures.push(err) },
      async (n) => {
        started.push(n);
        if (n === 1) throw new Error('stop');
        await tick();
        ended++;
      },
    );
    await expect(run).rejects.toThrow('stop');
    expect(started).toEqual([1, 2]);
    expect(ended).toBe(1);
    expect(failures).toHaveLength(1);
  });
});
