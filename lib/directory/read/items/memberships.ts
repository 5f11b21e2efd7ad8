/**
 * Memberships and membership events from their items: a membership's status is its newest
 * status event among its sources (registers.ts), a message after it proves membership; seen
 * times are maxima and minima over the sources, counts their sum.
 */
import type {
  ChatType,
  MemberStatus,
  MembershipEventKind,
} from '../../../telegram/update/facts.ts';
import {
  FIRST_SEEN,
  MEMBER_CHAT_SNAPSHOT,
  MEMBER_SOURCES,
  MEMBER_USER_SNAPSHOT,
  type MemberSource,
  memberAttrs,
  type Register,
} from '../../record/registers.ts';
import type { ChatSummary, ContactSummary, Membership, MembershipEvent } from '../shapes.ts';
import { bool, compact, type Item, isoOf, max, min, num, str } from './values.ts';

/** The status sources of a membership, in the order that wins a tie (last wins). */
const STATUS_ORDER: readonly MemberSource[] = ['g', 'm', 'l', 'c'];

/** A membership's status as its sources make it, with the date of the event that set it. */
export function membershipState(item: Item): {
  status: MemberStatus;
  isMember: boolean;
  statusAt?: number;
  lastSeen?: number;
} {
  let status: MemberStatus = 'member';
  let isMember = true;
  let statusAt = Number.NEGATIVE_INFINITY;
  for (const p of STATUS_ORDER) {
    const a = memberAttrs(p);
    const at = num(item[a.statusAt]);
    const st = str(item[a.status]);
    if (at === undefined || st === undefined || at < statusAt) continue;
    status = st as MemberStatus;
    isMember = bool(item[a.isMember]) ?? false;
    statusAt = at;
  }
  // A message after the newest status event proves membership (never a demotion).
  const lastSeen = max([num(item[memberAttrs('m').seen]), num(item[memberAttrs('g').seen])]);
  if (!isMember && lastSeen !== undefined && lastSeen > statusAt) {
    return { status: 'member', isMember: true, statusAt: lastSeen, lastSeen };
  }
  return {
    status,
    isMember,
    ...(Number.isFinite(statusAt) ? { statusAt } : {}),
    ...(lastSeen !== undefined ? { lastSeen } : {}),
  };
}

export function toMembership(item: Item): Membership {
  const { status, isMember, lastSeen } = membershipState(item);
  const sources = (pick: (a: ReturnType<typeof memberAttrs>) => string) =>
    MEMBER_SOURCES.map((p) => num(item[pick(memberAttrs(p))]));
  return compact({
    userId: Number(item.userId),
    chatId: Number(item.chatId),
    status,
    isMember,
    joinedAt: isoOf(max(sources((a) => a.joinedAt))),
    leftAt: isoOf(max(sources((a) => a.leftAt))),
    // The earliest contribution of any source: a source may have begun before the item did.
    firstSeenAt: isoOf(
      min([
        num(item[FIRST_SEEN]),
        num(item[memberAttrs('g').first as string]),
        ...sources((a) => a.since),
      ]),
    ),
    lastSeenAt: isoOf(lastSeen),
    messageCount:
      (num(item[memberAttrs('m').count]) ?? 0) + (num(item[memberAttrs('g').count]) ?? 0),
  });
}

/** The member's names as the membership holds them. */
export function memberUser(item: Item): ContactSummary | undefined {
  const snapshot = item[MEMBER_USER_SNAPSHOT] as Register | undefined;
  if (typeof snapshot?.f !== 'string') return undefined;
  return compact({
    id: Number(item.userId),
    isBot: snapshot.b ?? false,
    firstName: snapshot.f,
    lastName: snapshot.l,
    username: snapshot.u,
  });
}

/** The chat's names as the membership holds them. */
export function memberChat(item: Item): ChatSummary | undefined {
  const snapshot = item[MEMBER_CHAT_SNAPSHOT] as Register | undefined;
  if (typeof snapshot?.ty !== 'string') return undefined;
  return compact({
    id: Number(item.chatId),
    type: snapshot.ty as ChatType,
    title: snapshot.ti,
    username: snapshot.u,
  });
}

export function toMembershipEvent(item: Item): MembershipEvent {
  return compact({
    chatId: Number(item.chatId),
    userId: Number(item.userId),
    at: isoOf(num(item.at)) ?? '',
    kind: str(item.kind) as MembershipEventKind,
    fromStatus: str(item.fromStatus) as MemberStatus,
    toStatus: str(item.toStatus) as MemberStatus,
    actorId: item.actorId === null ? null : num(item.actorId),
    inviteLink: str(item.inviteLink),
    viaJoinRequest: item.viaJoinRequest === true,
  });
}
