/** Lookups about one chat: profile, members, activity. */
import { type Activity, chatActivity, monthRange } from '../store/activity.ts';
import type { Chat, ChatActivityDay, Membership, MembershipEvent } from '../store/items.ts';
import { type EventFilter, listChatEvents } from '../store/membership-events.ts';
import { listChatMembers } from '../store/memberships.ts';
import { getChat } from '../store/profiles.ts';
import { listTaggedMembers } from '../store/tagged-members.ts';
import { type TopMember, topMembers } from '../store/top-members.ts';
import type { LookupContext, RequestContext } from './context.ts';
import { type List, type ListQuery, readList } from './paging.ts';

export function getChatById(ctx: LookupContext, chatId: number): Promise<Chat | null> {
  return getChat(ctx.store, chatId);
}

/** Members (current and former), each with the user's profile; one Query and one BatchGet. */
export function listMembersOfChat(
  ctx: RequestContext,
  chatId: number,
  query: ListQuery & { tag?: string },
): Promise<List<Membership>> {
  const { tag } = query;
  if (tag !== undefined) {
    // Paged over the tag's users: one Query of the tag index and one or two BatchGets.
    return readList(ctx, `members:${chatId}:tag:${tag}`, query, (page) =>
      listTaggedMembers(ctx.store, chatId, tag, page),
    );
  }
  return readList(ctx, `members:${chatId}`, query, (page) =>
    listChatMembers(ctx.store, chatId, page),
  );
}

export function getChatActivity(
  ctx: LookupContext,
  chatId: number,
  range: { from: string; to: string },
): Promise<Activity<ChatActivityDay>> {
  return chatActivity(ctx.store, chatId, range.from, range.to);
}

/** The chat's membership events, newest first: one index Query and one BatchGet per page. */
export function listEventsOfChat(
  ctx: RequestContext,
  chatId: number,
  query: ListQuery & EventFilter,
): Promise<List<MembershipEvent>> {
  const { from, to, kind } = query;
  return readList(ctx, `events:chat:${chatId}:${from}:${to}:${kind}`, query, (page) =>
    listChatEvents(ctx.store, chatId, { from, to, kind }, page),
  );
}

/** Members ranked by messages over the whole months the range touches. */
export async function getTopMembers(
  ctx: LookupContext,
  chatId: number,
  query: { from: string; to: string; limit: number },
): Promise<{ from: string; to: string; items: TopMember[] }> {
  const months = monthRange(query.from, query.to);
  const items = await topMembers(
    ctx.store,
    chatId,
    months.from.slice(0, 7),
    months.to.slice(0, 7),
    query.limit,
  );
  return { ...months, items };
}
