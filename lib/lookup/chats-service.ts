/** Lookups about one chat: profile, members, activity. */
import { chatActivity } from '../store/activity.ts';
import type { ActivityDay, Chat, Membership } from '../store/items.ts';
import { listChatMembers } from '../store/memberships.ts';
import { getChat } from '../store/profiles.ts';
import type { LookupContext, RequestContext } from './context.ts';
import { type List, type ListQuery, readList } from './paging.ts';

export function getChatById(ctx: LookupContext, chatId: number): Promise<Chat | null> {
  return getChat(ctx.store, chatId);
}

/** Members (current and former), each with the user's profile; one Query and one BatchGet. */
export function listMembersOfChat(
  ctx: RequestContext,
  chatId: number,
  query: ListQuery,
): Promise<List<Membership>> {
  return readList(ctx, `members:${chatId}`, query, (page) =>
    listChatMembers(ctx.store, chatId, page),
  );
}

export async function getChatActivity(
  ctx: LookupContext,
  chatId: number,
  range: { from: string; to: string },
): Promise<{ days: ActivityDay[] }> {
  return { days: await chatActivity(ctx.store, chatId, range.from, range.to) };
}
