/**
 * DynamoDB capacity units of recorded requests, computed from item sizes by AWS's published
 * rules (docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * and GSI.html#GSI.Writes):
 * - item size: each attribute's UTF-8 name plus its value (strings: UTF-8 bytes; numbers:
 *   1 byte per two significant digits plus 1; booleans and null: 1; lists and maps: 3 plus
 *   1 per element plus the elements; sets: the sum of their elements);
 * - a write costs 1 WCU per started KB of the larger of the item before and after, at least
 *   1, also when its condition fails; a table write costs each index the item enters, leaves
 *   or changes its key in 1 more write (2 when the key changes), and a keys-only index
 *   (gsi1, gsi2) nothing when only other attributes change;
 * - a strongly consistent read costs 1 RCU per started 4 KB (eventually consistent: half),
 *   at least 1 per request; a Query sums the sizes of the items it reads; BatchGetItem and
 *   GetItem round each item on its own.
 * Item sizes before and after come from table snapshots around the measured update, so an
 * item written twice within one update is charged its before/after size both times.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../../lib/store/client.ts';
import { GLOBAL_SECONDARY_INDEXES } from '../../lib/store/table.ts';
import { type ItemKey, isWrite, type RequestRecord } from '../../test/helpers/request-log.ts';

export type Item = Record<string, unknown>;
export type Snapshot = Map<string, Item>;

const id = (key: ItemKey) => `${key.pk}|${key.sk}`;
const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function numberSize(n: number | bigint): number {
  const digits = String(n)
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Size in bytes of one attribute value. */
export function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Item);
    return 3 + entries.reduce((sum, [k, v]) => sum + 1 + utf8(k) + valueSize(v), 0);
  }
  return 0;
}

/** Size in bytes of an item: attribute names plus values. */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + utf8(name) + valueSize(value),
    0,
  );
}

/** Every item of the table, by `pk|sk`. */
export async function snapshot(store: StoreContext): Promise<Snapshot> {
  const items: Snapshot = new Map();
  let start: Item | undefined;
  do {
    const page = await store.client.send(
      new ScanCommand({ TableName: store.tableName, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) items.set(`${item.pk}|${item.sk}`, item);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Set
      ? [...v].sort()
      : v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
        : v,
  );
}

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
/** The item as an index holds it: its key values, or undefined when the item is not in it. */
function indexKey(index: (typeof GLOBAL_SECONDARY_INDEXES)[number], item: Item | undefined) {
  if (!item) return undefined;
  const values = index.KeySchema.map((k) => item[k.AttributeName]);
  return values.every((v) => v !== undefined) ? JSON.stringify(values) : undefined;
}

/** Index writes (and their units) caused by a table write that turned `before` into `after`. */
function indexWriteUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of GLOBAL_SECONDARY_INDEXES) {
    const was = indexKey(index, before);
    const is = indexKey(index, after);
    const keysOnly = index.Projection.ProjectionType === 'KEYS_ONLY';
    const size = (item: Item | undefined) => (keysOnly ? 1 : writeUnits(itemSize(item)));
    if (was === undefined && is === undefined) continue;
    if (was !== undefined && is !== undefined && was === is) {
      if (!keysOnly && stable(before) !== stable(after)) units += size(after);
      continue;
    }
    if (was !== undefined) units += size(before);
    if (is !== undefined) units += size(after);
  }
  return units;
}

export interface Capacity {
  /** Write capacity units on the table. */
  wcu: number;
  /** Write capacity units on the indexes (gsi1, gsi2). */
  indexWcu: number;
  rcu: number;
}

/** Capacity units of `records`, with item sizes from the snapshots before and after them. */
export function capacityOf(
  records: readonly RequestRecord[],
  before: Snapshot,
  after: Snapshot,
): Capacity {
  const total: Capacity = { wcu: 0, indexWcu: 0, rcu: 0 };
  const sizeAt = (key: ItemKey) => itemSize(after.get(id(key)) ?? before.get(id(key)));
  for (const record of records) {
    if (isWrite(record)) {
      for (const key of record.keys) {
        const old = before.get(id(key));
        const now = after.get(id(key));
        total.wcu += writeUnits(Math.max(itemSize(old), itemSize(now)));
        if (record.ok) total.indexWcu += indexWriteUnits(old, now);
      }
      continue;
    }
    const factor = record.consistentRead ? 1 : 0.5;
    if (record.command === 'QueryCommand' || record.command === 'ScanCommand') {
      const bytes = record.returned.reduce((sum, key) => sum + sizeAt(key), 0);
      total.rcu += Math.max(1, Math.ceil(bytes / 4096)) * factor;
    } else {
      for (const key of record.keys) {
        total.rcu += Math.max(1, Math.ceil(sizeAt(key) / 4096)) * factor;
      }
    }
  }
  return total;
}
