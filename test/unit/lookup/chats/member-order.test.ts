import { describe, expect, it } from 'vitest';
import type { Membership } from '../../../../lib/directory/read/shapes.ts';
import {
  comparePositions,
  decodePosition,
  encodePosition,
  matchesStatus,
  pageAfter,
  sortMembers,
} from '../../../../lib/lookup/chats/member-order.ts';

const member = (userId: number, fields: Partial<Membership> = {}): Membership => ({
  userId,
  chatId: -100,
  status: 'member',
  isMember: true,
  messageCount: 0,
  ...fields,
});
const at = (day: number) => new Date(Date.UTC(2025, 10, day)).toISOString();
const ids = (members: Membership[]) => members.map((m) => m.userId);

const MEMBERS = [
  member(5, { lastSeenAt: at(3), messageCount: 10, joinedAt: at(1) }),
  member(2, { lastSeenAt: at(3), messageCount: 4 }),
  member(9, { messageCount: 4, joinedAt: at(2) }),
  member(1, { lastSeenAt: at(5), messageCount: 0, status: 'left', isMember: false }),
  member(7, { status: 'kicked', isMember: false }),
  member(3, { lastSeenAt: at(1), messageCount: 4, joinedAt: at(2) }),
];

describe('member status filter', () => {
  it('keeps members for member, the others for left, everyone for all', () => {
    const restrictedOutside = member(8, { status: 'restricted', isMember: false });
    const restrictedInside = member(9, { status: 'restricted', isMember: true });
    const all = [...MEMBERS, restrictedOutside, restrictedInside];
    expect(ids(all.filter((m) => matchesStatus(m, 'member')))).toEqual([5, 2, 9, 3, 9]);
    expect(ids(all.filter((m) => matchesStatus(m, 'left')))).toEqual([1, 7, 8]);
    expect(all.filter((m) => matchesStatus(m, 'all'))).toHaveLength(all.length);
  });
});

describe('member sort', () => {
  it('sorts by last seen, newest first, ties by user id, never-seen last', () => {
    expect(ids(sortMembers(MEMBERS, 'lastSeen'))).toEqual([1, 2, 5, 3, 7, 9]);
  });

  it('sorts by messages, most first, ties by user id (zero is a value)', () => {
    expect(ids(sortMembers(MEMBERS, 'messages'))).toEqual([5, 2, 3, 9, 1, 7]);
  });

  it('sorts by join time, latest first, members without one last', () => {
    expect(ids(sortMembers(MEMBERS, 'joined'))).toEqual([3, 9, 5, 1, 2, 7]);
  });

  it('orders positions: values descending, no value last, then user id', () => {
    expect(comparePositions({ value: 2, userId: 9 }, { value: 1, userId: 1 })).toBeLessThan(0);
    expect(comparePositions({ userId: 1 }, { value: 0, userId: 9 })).toBeGreaterThan(0);
    expect(comparePositions({ userId: 1 }, { userId: 2 })).toBeLessThan(0);
    expect(comparePositions({ value: 5, userId: 3 }, { value: 5, userId: 3 })).toBe(0);
  });
});

describe('sorted pages', () => {
  it('pages through every member exactly once, in order', () => {
    for (const sort of ['lastSeen', 'messages', 'joined'] as const) {
      const sorted = sortMembers(MEMBERS, sort);
      const seen: number[] = [];
      let after: ReturnType<typeof pageAfter>['next'];
      let pages = 0;
      do {
        const page = pageAfter(sorted, sort, after, 4);
        seen.push(...ids(page.items));
        after = page.next && decodePosition(encodePosition(page.next));
        pages++;
      } while (after && pages < 10);
      expect(seen, sort).toEqual(ids(sorted));
      expect(pages).toBe(2);
    }
  });

  it('has no next position when the page reaches the end exactly', () => {
    const sorted = sortMembers(MEMBERS, 'messages');
    expect(pageAfter(sorted, 'messages', undefined, 6).next).toBeUndefined();
    expect(pageAfter(sorted, 'messages', undefined, 5).next).toEqual({ value: 0, userId: 1 });
  });

  it('continues after the position even when that member has moved since', () => {
    // Member 2 was last on page one at lastSeen day 3; since then they wrote again (day 9).
    const before = sortMembers(MEMBERS, 'lastSeen');
    const { next } = pageAfter(before, 'lastSeen', undefined, 2);
    expect(next).toEqual({ value: Date.parse(at(3)), userId: 2 });
    const moved = MEMBERS.map((m) => (m.userId === 2 ? { ...m, lastSeenAt: at(9) } : m));
    const page = pageAfter(sortMembers(moved, 'lastSeen'), 'lastSeen', next, 10);
    expect(ids(page.items)).toEqual([5, 3, 7, 9]);
  });
});

describe('cursor positions', () => {
  it('round-trip with and without a value, negative values included', () => {
    for (const p of [
      { value: 1764000000000, userId: 1001 },
      { userId: 7 },
      { value: -5, userId: 1 },
    ]) {
      expect(decodePosition(encodePosition(p))).toEqual(p);
    }
  });

  it('refuse anything else', () => {
    for (const bad of ['', '1', ':1', '1:', 'x:1', '1:x', '1.5:2', '-:', `${2 ** 60}:1`, '1:2:3']) {
      expect(decodePosition(bad), bad).toBeUndefined();
    }
  });
});
