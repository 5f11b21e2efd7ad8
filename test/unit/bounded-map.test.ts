import { describe, expect, it } from 'vitest';
import { setBounded } from '../../lib/bounded-map.ts';

describe('setBounded', () => {
  it('drops the least recently set entry beyond the bound', () => {
    const map = new Map<string, number>();
    setBounded(map, 'a', 1, 2);
    setBounded(map, 'b', 2, 2);
    setBounded(map, 'a', 3, 2);
    setBounded(map, 'c', 4, 2);
    expect([...map.entries()]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });
});
