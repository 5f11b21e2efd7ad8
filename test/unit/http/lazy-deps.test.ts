import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeError, memoizeDeps } from '../../../lib/http/lazy-deps.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('memoizeDeps', () => {
  it('builds once for concurrent callers', async () => {
    const factory = vi.fn(async () => ({ built: Math.random() }));
    const get = memoizeDeps(factory);
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('does not keep a failed build', async () => {
    let calls = 0;
    const get = memoizeDeps(async () => {
      calls++;
      if (calls === 1) throw new Error('ssm down');
      return 'ok';
    });
    await expect(get()).rejects.toThrow('ssm down');
    await expect(get()).resolves.toBe('ok');
  });

  it('rebuilds after maxAge so rotated secrets arrive, keeping the old ones if the rebuild fails', async () => {
    vi.useFakeTimers();
    let secret = 'old';
    let fail = false;
    const get = memoizeDeps(
      async () => {
        if (fail) throw new Error('ssm down');
        return secret;
      },
      { maxAgeMs: 1000 },
    );
    expect(await get()).toBe('old');
    secret = 'new';
    expect(await get()).toBe('old');
    vi.advanceTimersByTime(1001);
    expect(await get()).toBe('new');
    fail = true;
    secret = 'newer';
    vi.advanceTimersByTime(1001);
    expect(await get()).toBe('new');
  });
});

describe('memoizeDeps rebuild', () => {
  it('hands the previous dependencies to the rebuild, so long-lived parts can be kept', async () => {
    vi.useFakeTimers();
    const seen: (string | undefined)[] = [];
    let n = 0;
    const get = memoizeDeps(
      async (previous: string | undefined) => {
        seen.push(previous);
        return `deps${++n}`;
      },
      { maxAgeMs: 1000 },
    );
    await get();
    vi.advanceTimersByTime(1001);
    expect(await get()).toBe('deps2');
    expect(seen).toEqual([undefined, 'deps1']);
  });
});

describe('describeError', () => {
  it('names the error and keeps its text under a key the logger does not reserve', () => {
    expect(describeError(new TypeError('boom'))).toEqual({ error: 'TypeError', detail: 'boom' });
  });
});
