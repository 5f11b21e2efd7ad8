import { describe, expect, it } from 'vitest';
import { createPacer } from '../../../lib/messaging/broadcast-pacer.ts';
import { maxInWindow } from '../../helpers/broadcasts.ts';

/** A virtual clock: sleeps resolve in time order as soon as nothing else can run. */
function virtualTime(start = 1_000_000) {
  let clock = start;
  const timers: { at: number; resolve: () => void }[] = [];
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => clock,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        timers.push({ at: clock + Math.max(0, ms), resolve });
      }),
    /** Runs until `done` settles, advancing the clock to each next timer. */
    async run<T>(done: Promise<T>): Promise<T> {
      let finished = false;
      const result = done.finally(() => {
        finished = true;
      });
      while (!finished) {
        await flush();
        if (finished) break;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) continue;
        clock = Math.max(clock, next.at);
        next.resolve();
      }
      return result;
    },
  };
}

/** `workers` workers sending `sends` messages (to distinct chats), as the sender does. */
async function pace(options: {
  rate: number;
  sends: number;
  workers: number;
  chats?: (i: number) => number;
}) {
  const time = virtualTime();
  const pacer = createPacer({ rate: options.rate, now: time.now, sleep: time.sleep });
  const starts: { chat: number; at: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.sends) {
      const i = next++;
      const chat = options.chats?.(i) ?? i;
      await pacer.slot(chat);
      await time.sleep(i % 3 === 0 ? 30 : 2); // store work of varying length
      expect(await pacer.gate(chat)).toBe(true);
      starts.push({ chat, at: time.now() });
    }
  };
  await time.run(Promise.all(Array.from({ length: options.workers }, worker)));
  return { starts, pacer };
}

describe('createPacer', () => {
  it.each([1, 25, 30])('starts at most %i requests in any second, evenly', async (rate) => {
    const { starts } = await pace({ rate, sends: 4 * rate, workers: 8 });

    const times = starts.map((s) => s.at);
    expect(maxInWindow(times)).toBeLessThanOrEqual(rate);
    // And not much slower: the spacing is (1000 + 25) / rate.
    const span = Math.max(...times) - Math.min(...times);
    expect(span).toBeLessThanOrEqual(Math.ceil((4 * rate - 1) * (1025 / rate)) + 40);
  });

  it('gives a chat at most one request per second', async () => {
    const { starts } = await pace({ rate: 30, sends: 40, workers: 8, chats: (i) => i % 4 });

    for (const chat of [0, 1, 2, 3]) {
      const times = starts.filter((s) => s.chat === chat).map((s) => s.at);
      expect(times).toHaveLength(10);
      expect(maxInWindow(times)).toBe(1);
    }
  });

  it('starts nothing during a pause, and nothing before notBefore', async () => {
    const time = virtualTime();
    const pacer = createPacer({
      rate: 10,
      now: time.now,
      sleep: time.sleep,
      notBefore: time.now() + 500,
    });
    const first = await time.run(pacer.slot(1));
    expect(first).toBe(time.now());
    expect(first).toBeGreaterThanOrEqual(1_000_500);
    await time.run(pacer.gate(1));

    pacer.pause(time.now() + 3000);
    const paused = time.now();
    await time.run(Promise.all([pacer.slot(2), pacer.slot(3)]));
    expect(await time.run(pacer.gate(2))).toBe(true);
    expect(time.now()).toBeGreaterThanOrEqual(paused + 3000);
    expect(pacer.nextFree).toBeGreaterThan(time.now());
  });

  it('gives no slot, and lets nothing through, when that would be after the deadline', async () => {
    const time = virtualTime();
    const pacer = createPacer({ rate: 1, now: time.now, sleep: time.sleep });
    await time.run(pacer.slot(1));
    expect(await time.run(pacer.gate(1))).toBe(true);

    expect(await time.run(pacer.slot(2, time.now() + 500))).toBeUndefined();
    expect(await time.run(pacer.gate(2, time.now() + 500))).toBe(false);
    expect(pacer.given).toBe(1);
  });
});
