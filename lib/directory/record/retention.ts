/**
 * How long the directory keeps what it records: a month's items expire `retentionDays` after
 * the month ends, events and per-day activity `retentionDays` after their date. The recorder
 * stamps these expiries; readers skip what has expired (DynamoDB's TTL deletes it later).
 */
import { monthOf } from '../../store/keys.ts';

/** How long events and per-day activity are kept unless RETENTION_DAYS says otherwise. */
export const DEFAULT_RETENTION_DAYS = 400;
export const DAY_SECONDS = 86_400;

/** When a month's item may expire: `retentionDays` after the month ends. */
export function monthExpiry(month: string, retentionDays: number): number {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  return Date.UTC(year, mm, 1) / 1000 + retentionDays * DAY_SECONDS;
}

/**
 * The oldest month (`yyyy-mm`) still kept at `now` (epoch seconds): a month expires
 * `retentionDays` after it ends, so it is kept while it ended less than that long ago.
 */
export function firstKeptMonth(now: number, retentionDays: number): string {
  return monthOf(now - retentionDays * DAY_SECONDS);
}

/** The start (epoch seconds) of the UTC day of `at`. */
export const dayStart = (at: number) => at - (((at % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS);
