/** Shorthands the data map's item kinds share: who holds a person's data, and how long. */
import { DEFAULT_RETENTION_DAYS } from '../directory/record/retention.ts';
import type { Holder } from './data-map.ts';

export const owner = (fields: Holder['fields']): Holder => ({
  whose: 'owner',
  by: 'USER#<id> (the partition)',
  fields,
  erasure: 'settled',
});
export const UNTIL_ERASED = {
  kind: 'until',
  until: 'erased (or the application deletes it)',
} as const;
export const retention = (from: string) =>
  ({ kind: 'retention', defaultDays: DEFAULT_RETENTION_DAYS, from }) as const;
