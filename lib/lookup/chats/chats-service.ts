/** Lookups about one chat: profile, members, activity. */
import { type Activity, chatActivity, monthRange } from '../../directory/read/activity.ts';
import { type EventFilter, listChatEvents } from '../../directory/read/membership-events.ts';
import { listChatMembers } from '../../directory/read/memberships.ts';
import { getChat } from '../../directory/read/profiles.ts';
import type {
  Chat,
  ChatActivityDay,
  Membership,
  MembershipEvent,
} from '../../directory/read/shapes.ts';
import { type TopMember, topMembers } from '../../directory/read/top-members.ts';
import { listTaggedMembers } from '../../directory/tags/tagged-members.ts';
import type { ListPage } from '../../store/query.ts';
import type { LookupContext, RequestContext } from '../context.ts';
import { type List, type ListQuery, readList } from '../paging.ts';
import { matchesStatus } from './member-order.ts';
import { listSortedMembers, type MembersQuery, membersScope } from './sorted-members.ts';

export function getChatById(ctx: LookupContext, chatId: number): Promise<Chat | null> {
  return getChat(ctx.store, chatId);
}

/**
 * Members (current and former), each with the user's names. Without `sort`: one Query and one
 * BatchGet per page, `status` applied to the page read (so a page may hold fewer than `limit`
 * members, even none, and still have a next one); with `tag`, pages run over the tag index
 * (tagged-members.ts). With `sort`: sorted-members.ts.
 */
export function listMembersOfChat(
  ctx: RequestContext,
  chatId: number,
  query: MembersQuery,
): Promise<List<Membership>> {
  const { sort, tag, status } = query;
  if (sort) return listSortedMembers(ctx, chatId, { ...query, sort });
  const keep = (page: ListPage<Membership>): ListPage<Membership> => ({
    items: page.items.filter((m) => matchesStatus(m, status)),
    ...(page.lastKey ? { lastKey: page.lastKey } : {}),
  });
  return readList(ctx, membersScope(chatId, query), query, async (page) =>
    // With tag, paged over the tag's users: one Query of the tag index and one or two BatchGets.
    keep(
      tag !== undefined
        ? await listTaggedMembers(ctx.store, chatId, tag, page)
        : await listChatMembers(ctx.store, chatId, page),
    ),
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
