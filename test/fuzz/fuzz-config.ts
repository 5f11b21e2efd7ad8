/**
 * Fuzz run sizes. `npm test` uses a fixed seed and CI-sized counts; `npm run fuzz` sets
 * FUZZ_RUNS (runs per property, scaled by each property's weight) and, unless FUZZ_SEED is
 * given, a fresh seed per run. A failure prints its seed and path: replay with FUZZ_SEED=<seed>.
 */
import type { Parameters } from 'fast-check';

const override = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;

/** Whether this is the heavy `npm run fuzz` run. */
export const HEAVY = override !== undefined;

export const FUZZ_SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : HEAVY
    ? Date.now() % 2 ** 31
    : 20251124;

if (HEAVY) console.log(`fuzz seed ${FUZZ_SEED} (replay a failure with FUZZ_SEED=${FUZZ_SEED})`);

/**
 * fast-check parameters: `ciRuns` in `npm test`, FUZZ_RUNS x `weight` in `npm run fuzz`.
 * `shrink: false` reports the first failing input as found (for properties whose runs are
 * slow enough that shrinking would outlast the test timeout).
 */
export function fuzzParams<T>(
  ciRuns: number,
  weight = 1,
  options: { shrink?: boolean } = {},
): Parameters<T> {
  const numRuns = override === undefined ? ciRuns : Math.max(1, Math.round(override * weight));
  return { seed: FUZZ_SEED, numRuns, endOnFailure: options.shrink === false };
}

/** A test timeout: `ciMs` in `npm test`, an hour in `npm run fuzz`. */
export function fuzzTimeout(ciMs: number): number {
  return HEAVY ? 3_600_000 : ciMs;
}
