/**
 * When a failed delivery is tried again: soon at first (a receiver restarting costs a few
 * seconds), then further apart, for up to a day after the first attempt; the last attempt is
 * at the day's end. Each delay varies by up to ±20% so that deliveries failed together are
 * not retried together.
 *
 * Attempts, after the first (nominal): 10 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h later, then
 * 24 h after the first: 9 attempts over a day.
 */
export const RETRY_DELAYS_SECONDS = [10, 60, 300, 1800, 7200, 18_000, 36_000] as const;
/** How long after its first attempt a delivery is still retried. */
export const RETRY_WINDOW_SECONDS = 86_400;
const JITTER = 0.2;

/**
 * The next attempt after attempt number `attempt` (1-based) failed at `now`, or undefined when
 * the delivery has had its day. `random` is in [0, 1).
 */
export function nextAttemptAt(
  attempt: number,
  firstAttemptAt: number,
  now: number,
  random: number,
): number | undefined {
  const end = firstAttemptAt + RETRY_WINDOW_SECONDS;
  if (now >= end) return undefined;
  const base = RETRY_DELAYS_SECONDS[attempt - 1];
  if (base === undefined) return end;
  const delay = Math.max(1, Math.round(base * (1 - JITTER + 2 * JITTER * random)));
  return Math.min(now + delay, end);
}
