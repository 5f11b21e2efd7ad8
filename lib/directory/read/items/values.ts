/**
 * Readers of item attributes for the mappers of items/: a value of the expected type or
 * `undefined`, ISO times, folds of several sources (maxima, minima), and which items a
 * reader sees at all (`unexpired`).
 */
import { monthOfSk } from '../../../store/keys.ts';
import { EXPIRES_AT } from '../../record/registers.ts';
import { DEFAULT_RETENTION_DAYS, monthExpiry } from '../../record/retention.ts';

export type Item = Record<string, unknown>;

export const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
export const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
export const isoOf = (seconds: number | undefined) =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
export const max = (values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
};
export const min = (values: (number | undefined)[]) => {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.min(...defined) : undefined;
};

/**
 * Items not yet expired at `now` (epoch seconds). DynamoDB's TTL deletes an expired item
 * within days, the embedded store never: readers skip them either way. An item expires at
 * its `expiresAt` (the retention it was written under) or, for a month, RETENTION_DAYS after
 * the month by the retention in force (`retentionDays`): a lowered RETENTION_DAYS holds at
 * once (events: membership-events.ts).
 */
export function unexpired(
  items: Item[],
  retentionDays: number = DEFAULT_RETENTION_DAYS,
  now = Math.floor(Date.now() / 1000),
): Item[] {
  return items.filter((item) => {
    const expiresAt = num(item[EXPIRES_AT]);
    const month = monthOfSk(String(item.sk));
    return (
      (expiresAt === undefined || expiresAt > now) &&
      (month === undefined || monthExpiry(month, retentionDays) > now)
    );
  });
}

/** Drops undefined values so they are absent from JSON, not null. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The monthly items (`PROFILE#yyyy-mm`) among `items`. */
export const months = (items: Item[]) => items.filter((i) => monthOfSk(String(i.sk)) !== undefined);
