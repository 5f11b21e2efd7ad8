/**
 * Per-key token bucket, in memory. Each key holds up to `burst` tokens, refilled at
 * `ratePerSecond`; a request takes one. It is per Lambda instance (per process locally):
 * the total a key can get is this limit times the number of warm instances, bounded in turn
 * by the HTTP API stage's throttling and the function's reserved concurrency.
 */
import { setBounded } from '../bounded-map.ts';
import { HttpError } from '../http/http-error.ts';

export interface RateLimitOptions {
  ratePerSecond: number;
  burst: number;
  /** Milliseconds clock (injected by tests). */
  now?: () => number;
  /** Buckets kept at most; the least recently used go first (they would be full anyway). */
  maxKeys?: number;
}

export type RateDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string): RateDecision;
  /** Takes a token or throws HttpError 429 with `Retry-After` (whole seconds, at least 1). */
  enforce(key: string): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const { ratePerSecond, burst } = options;
  if (!(ratePerSecond > 0) || !(burst >= 1)) {
    throw new Error('rate limit needs ratePerSecond > 0 and burst >= 1');
  }
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, Bucket>();

  function take(key: string): RateDecision {
    const t = now();
    const previous = buckets.get(key);
    const elapsed = previous ? Math.max(0, t - previous.at) / 1000 : 0;
    const tokens = previous ? Math.min(burst, previous.tokens + elapsed * ratePerSecond) : burst;
    // Re-inserted on every use, so the Map's first entry is the least recently used.
    buckets.delete(key);
    if (tokens >= 1) {
      setBounded(buckets, key, { tokens: tokens - 1, at: t }, maxKeys);
      return { allowed: true, remaining: Math.floor(tokens - 1) };
    }
    buckets.set(key, { tokens, at: t });
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / ratePerSecond)),
    };
  }

  return {
    take,
    enforce(key) {
      const decision = take(key);
      if (!decision.allowed) {
        throw new HttpError(429, 'rate limit exceeded for this API key; retry later', {
          headers: { 'retry-after': String(decision.retryAfterSeconds) },
        });
      }
    },
  };
}
