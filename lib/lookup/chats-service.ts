/** Lookups about one chat: profile, members, activity. */
import { chatActivity } from '../store/activity.ts';
import type { ActivityDay, Chat, Membership } from '../store/items.ts';
import { listChatMembers } from '../store/memberships.ts';
import { getChat } from '../store/profiles.ts';
import type { LookupContext, RequestContext } from './context.ts';
import { matchesStatus } from './member-order.ts';
import { type List, readList } from './paging.ts';
import { listSortedMembers, type MembersQuery, membersScope } from './sorted-members.ts';

export function getChatById(ctx: LookupContext, chatId: number): Promise<Chat | null> {
  return getChat(ctx.store, chatId);
}

/**
 * Members (current and former), each with the user's names. Without `sort`: one Query and one
 * BatchGet per page, `status` applied to the page read (so a page may hold fewer than `limit`
 * members, even none, and still have a next one). With `sort`: sorted-members.ts.
 */
export function listMembersOfChat(
  ctx: RequestContext,
  chatId: number,
  query: MembersQuery,
): Promise<List<Membership>> {
  const { sort } = query;
  if (sort) return listSortedMembers(ctx, chatId, { ...query, sort });
  return readList(ctx, membersScope(chatId, query), query, async (page) => {
    const { items, lastKey } = await listChatMembers(ctx.store, chatId, page);
    return {
      items: items.filter((m) => matchesStatus(m, query.status)),
      ...(lastKey ? { lastKey } : {}),
    };
  });
}

export async function getChatActivity(
  ctx: LookupContext,
  chatId: number,
  range: { from: string; to: string },
): Promise<{ days: ActivityDay[] }> {
  return { days: await chatActivity(ctx.store, chatId, range.from, range.to) };
}
