/**
 * Member list filters and orders (`GET /v1/chats/{chatId}/members?status=&sort=`), as pure
 * functions over memberships.
 *
 * Sorts are descending by their value (lastSeen: `lastSeenAt`, messages: `messageCount`,
 * joined: `joinedAt`), ties by user id ascending, members without the value last (by user id).
 * A page of a sorted list starts after a *position* (the value and user id of the previous
 * page's last member) rather than at an offset: a member who moves up between two pages (a
 * new message under `lastSeen`) then shifts nobody into the next page twice.
 */
import type { Membership } from '../../directory/read/shapes.ts';

export const MEMBER_STATUS_FILTERS = ['member', 'left', 'all'] as const;
export type MemberStatusFilter = (typeof MEMBER_STATUS_FILTERS)[number];
export const MEMBER_SORTS = ['lastSeen', 'messages', 'joined'] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

/** `member`: isMember true; `left`: isMember false (left, kicked, restricted outside); `all`. */
export function matchesStatus(membership: Membership, status: MemberStatusFilter): boolean {
  if (status === 'all') return true;
  return membership.isMember === (status === 'member');
}

const epochMs = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/** The value a member is sorted by; undefined when the membership has none. */
export function sortValue(membership: Membership, sort: MemberSort): number | undefined {
  switch (sort) {
    case 'lastSeen':
      return epochMs(membership.lastSeenAt);
    case 'joined':
      return epochMs(membership.joinedAt);
    case 'messages':
      return membership.messageCount;
  }
}

/** Where a member stands in a sorted list. */
export interface Position {
  value?: number;
  userId: number;
}

export const positionOf = (membership: Membership, sort: MemberSort): Position => {
  const value = sortValue(membership, sort);
  return value === undefined ? { userId: membership.userId } : { value, userId: membership.userId };
};

/** Negative when `a` comes first: values descending, without a value last, then user id. */
export function comparePositions(a: Position, b: Position): number {
  if (a.value !== b.value) {
    if (a.value === undefined) return 1;
    if (b.value === undefined) return -1;
    return b.value - a.value;
  }
  return a.userId - b.userId;
}

export function sortMembers(members: readonly Membership[], sort: MemberSort): Membership[] {
  return members
    .map((m) => ({ m, p: positionOf(m, sort) }))
    .sort((a, b) => comparePositions(a.p, b.p))
    .map(({ m }) => m);
}

/** A position as a cursor holds it: `<value>:<userId>`, `-` for no value. */
export function encodePosition(position: Position): string {
  return `${position.value ?? '-'}:${position.userId}`;
}

/** The position `text` encodes; undefined when it is not one. */
export function decodePosition(text: string): Position | undefined {
  const match = /^(-|-?\d+):(-?\d+)$/.exec(text);
  if (!match) return undefined;
  const userId = Number(match[2]);
  if (!Number.isSafeInteger(userId)) return undefined;
  if (match[1] === '-') return { userId };
  const value = Number(match[1]);
  return Number.isSafeInteger(value) ? { value, userId } : undefined;
}

/**
 * Up to `limit` members of the `sorted` list after `after` (from the start without it), and
 * the position to continue from when more remain.
 */
export function pageAfter(
  sorted: readonly Membership[],
  sort: MemberSort,
  after: Position | undefined,
  limit: number,
): { items: Membership[]; next?: Position } {
  const start =
    after === undefined
      ? 0
      : firstIndex(sorted, (m) => comparePositions(positionOf(m, sort), after) > 0);
  const items = sorted.slice(start, start + limit);
  const last = items.at(-1);
  return start + limit < sorted.length && last
    ? { items, next: positionOf(last, sort) }
    : { items };
}

/** The first index whose member passes `after` (the list is sorted, so a binary search). */
function firstIndex(sorted: readonly Membership[], passes: (m: Membership) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (passes(sorted[mid] as Membership)) high = mid;
    else low = mid + 1;
  }
  return low;
}
