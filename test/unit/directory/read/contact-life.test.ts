/**
 * The contact's life item (contact-events.ts): which update is the contact's creator, the one
 * arbiter of contact.created, from what the item held before an update's write.
 */
import { describe, expect, it } from 'vitest';
import { lifeUpdate, lifeVerdict } from '../../../../lib/directory/read/contact-events.ts';

const self = { id: 42 };
const now = 1_770_000_000;

describe('lifeVerdict', () => {
  it('makes the first writer the creator, and a redelivery of it again', () => {
    expect(lifeVerdict(undefined, self, { now })).toBe('won');
    expect(
      lifeVerdict({ w: 42, wt: now - 5, s0: now - 5, expiresAt: now + 10 }, self, { now }),
    ).toBe('won');
  });

  it('leaves the creator another update when it is of this life', () => {
    const old = { w: 41, wt: now - 60, s0: now - 60, expiresAt: now + 86_400 };
    expect(lifeVerdict(old, self, { now })).toBe('lost');
    // A month written after an erasure keeps its floor: a creator since then stays.
    expect(lifeVerdict(old, self, { now, floor: now - 61 })).toBe('lost');
  });

  it('takes over a creator written before the erasure its month carries, or expired', () => {
    const before = { w: 41, wt: now - 600, s0: now - 600, expiresAt: now + 86_400 };
    expect(lifeVerdict(before, self, { now, floor: now - 300 })).toBe('stale');
    const expired = { w: 41, wt: now - 600, s0: now - 600, expiresAt: now - 1 };
    expect(lifeVerdict(expired, self, { now })).toBe('stale');
  });
});

describe('lifeUpdate', () => {
  it('sets the creator only where there is none, as a single source an erasure settles', () => {
    const input = lifeUpdate(7, { id: 42, at: now }, now + 100).toInput('t');
    expect(input.Key).toEqual({ pk: 'USER#7', sk: 'LIFE' });
    expect(input.UpdateExpression).toMatch(/if_not_exists/);
    const values = Object.values(input.ExpressionAttributeValues ?? {});
    expect(values).toEqual(expect.arrayContaining([42, now, now + 100]));
    expect(input.ConditionExpression).toBeUndefined();
  });
});
