import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../lib/access/rate-limiter.ts';
import { HttpError } from '../../../lib/http/http-error.ts';

function limiter(options: { ratePerSecond: number; burst: number; maxKeys?: number }) {
  let clock = 0;
  const limit = createRateLimiter({ ...options, now: () => clock });
  return { limit, advance: (ms: number) => (clock += ms) };
}

describe('token bucket rate limiter', () => {
  it('allows a burst, then refuses with a whole-second Retry-After of at least 1', () => {
    const { limit } = limiter({ ratePerSecond: 10, burst: 3 });
    expect([1, 2, 3].map(() => limit.take('k').allowed)).toEqual([true, true, true]);
    expect(limit.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the configured rate, never above the burst', () => {
    const { limit, advance } = limiter({ ratePerSecond: 2, burst: 2 });
    limit.take('k');
    limit.take('k');
    expect(limit.take('k').allowed).toBe(false);
    advance(500);
    expect(limit.take('k').allowed).toBe(true);
    expect(limit.take('k').allowed).toBe(false);
    advance(60_000);
    expect(limit.take('k')).toEqual({ allowed: true, remaining: 1 });
    expect(limit.take('k').allowed).toBe(true);
    expect(limit.take('k').allowed).toBe(false);
  });

  it('asks to wait as long as a token takes at slow rates', () => {
    const { limit } = limiter({ ratePerSecond: 0.1, burst: 1 });
    limit.take('k');
    expect(limit.take('k')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('keeps one bucket per key', () => {
    const { limit } = limiter({ ratePerSecond: 1, burst: 1 });
    expect(limit.take('a').allowed).toBe(true);
    expect(limit.take('a').allowed).toBe(false);
    expect(limit.take('b').allowed).toBe(true);
  });

  it('forgets the least recently used buckets beyond maxKeys (they start full again)', () => {
    const { limit } = limiter({ ratePerSecond: 1, burst: 1, maxKeys: 2 });
    limit.take('a');
    limit.take('b');
    limit.take('c');
    expect(limit.take('a').allowed).toBe(true);
    expect(limit.take('c').allowed).toBe(false);
  });

  it('enforce throws a 429 HttpError carrying Retry-After', () => {
    const { limit } = limiter({ ratePerSecond: 1, burst: 1 });
    limit.enforce('k');
    try {
      limit.enforce('k');
      throw new Error('expected a 429');
    } catch (err: unknown) {
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(429);
      expect((err as HttpError).headers).toEqual({ 'retry-after': '1' });
    }
  });
});
