import { describe, expect, it } from 'vitest';
import { capacityOf, itemSize, type Snapshot, valueSize } from '../../../scripts/bench/capacity.ts';
import { criticalPath, type RequestRecord } from '../../helpers/request-log.ts';

const record = (
  command: string,
  start: number,
  end: number,
  extra: Partial<RequestRecord> = {},
): RequestRecord => ({
  command,
  start,
  end,
  ok: true,
  consistentRead: false,
  keys: [],
  returned: [],
  ...extra,
});

describe('itemSize', () => {
  it('adds attribute names and values by the documented rules', () => {
    expect(valueSize('héllo')).toBe(6); // UTF-8 bytes
    expect(valueSize(12345)).toBe(4); // 5 significant digits -> 3 bytes, plus 1
    expect(valueSize(1200)).toBe(2); // trailing zeros trimmed: 2 digits -> 1, plus 1
    expect(valueSize(true)).toBe(1);
    expect(valueSize(null)).toBe(1);
    expect(valueSize(['a', 'bc'])).toBe(3 + 1 + 1 + 1 + 2);
    expect(valueSize({ k: 'v' })).toBe(3 + 1 + 1 + 1);
    expect(valueSize(new Set([1, 22]))).toBe(2 + 2);
    expect(itemSize({ pk: 'USER#1', sk: 'PROFILE', n: 7 })).toBe(2 + 6 + 2 + 7 + 1 + 2);
    expect(itemSize(undefined)).toBe(0);
  });
});

describe('capacityOf', () => {
  const key = { pk: 'USER#1', sk: 'CHAT#2' };
  const small = { ...key, gsi1pk: 'CHAT#2', gsi1sk: 'USER#1', n: 1 };
  const large = { ...small, n: 2, text: 'x'.repeat(1500) };

  it('charges a write 1 WCU per started KB of the larger image; a keys-only index only when its key changes', () => {
    const before: Snapshot = new Map([['USER#1|CHAT#2', small]]);
    const after: Snapshot = new Map([['USER#1|CHAT#2', large]]);
    const write = record('UpdateItemCommand', 0, 1, { keys: [key] });
    expect(capacityOf([write], before, after)).toEqual({ wcu: 2, indexWcu: 0, rcu: 0 });
    const moved: Snapshot = new Map([['USER#1|CHAT#2', { ...large, gsi1pk: 'CHAT#3' }]]);
    expect(capacityOf([write], before, moved)).toEqual({ wcu: 2, indexWcu: 2, rcu: 0 });
    const created: Snapshot = new Map([['USER#1|CHAT#2', { ...small, gsi2pk: 'USERNAME#a' }]]);
    expect(capacityOf([write], new Map(), created)).toEqual({ wcu: 1, indexWcu: 2, rcu: 0 });
  });

  it('charges a failed conditional write on the table but not on the index', () => {
    const both: Snapshot = new Map([['USER#1|CHAT#2', small]]);
    const failed = record('UpdateItemCommand', 0, 1, { keys: [key], ok: false });
    expect(capacityOf([failed], both, both)).toEqual({ wcu: 1, indexWcu: 0, rcu: 0 });
  });

  it('charges reads per started 4 KB, at least 1, half when eventually consistent', () => {
    const items: Snapshot = new Map([['USER#1|CHAT#2', large]]);
    const get = record('GetItemCommand', 0, 1, { keys: [key], consistentRead: true });
    const missing = record('GetItemCommand', 0, 1, {
      keys: [{ pk: 'UPDATE#1', sk: 'UPDATE' }],
      consistentRead: true,
    });
    const query = record('QueryCommand', 0, 1, { returned: [key, key, key] });
    // The Query reads 3 items of ~1.5 KB: 2 started 4 KB blocks, eventually consistent.
    expect(capacityOf([get, missing, query], items, items).rcu).toBe(1 + 1 + 2 * 0.5);
  });
});

describe('criticalPath', () => {
  it('counts requests sent together once and requests in sequence each', () => {
    const read = record('GetItemCommand', 0, 1);
    const writes = [2, 2.1, 2.2].map((start) => record('UpdateItemCommand', start, 4));
    const marker = record('PutItemCommand', 5, 6);
    expect(criticalPath([read, ...writes, marker])).toBe(3);
    expect(criticalPath([read])).toBe(1);
    expect(criticalPath([])).toBe(0);
  });

  it('follows the longest chain when one branch has a request after another', () => {
    const a = record('UpdateItemCommand', 0, 1);
    const b = record('UpdateItemCommand', 0, 5);
    const c = record('DeleteItemCommand', 1.5, 2);
    const d = record('UpdateItemCommand', 2.5, 3);
    expect(criticalPath([a, b, c, d])).toBe(3);
  });
});
