/**
 * `GET /v1/chats/{chatId}/members?sort=`: the order needs every member, so each page reads the
 * whole list (chat-roster.ts: one Query per ~13,000 members, one BatchGetItem per 100, 8 in
 * flight), filters by status and tag (the tag index and the candidates' notes), sorts
 * (member-order.ts) and answers the members after the cursor's
 * position. The cursor is signed and bound to the chat, the filter, the sort and the API key
 * like every other (cursor.ts); it holds a position (`pos`), not a DynamoDB key. Chats with
 * more members than limits.ts allows answer 413.
 */

import { listChatMemberKeys, readChatMembers } from '../../directory/read/chat-roster.ts';
import { taggedAmong } from '../../directory/read/member-extras.ts';
import type { Membership } from '../../directory/read/shapes.ts';
import { InvalidCursorError } from '../../http/cursor.ts';
import { HttpError } from '../../http/http-error.ts';
import { callerOf, type RequestContext } from '../context.ts';
import { limitsOf } from '../limits.ts';
import type { List, ListQuery } from '../paging.ts';
import {
  decodePosition,
  encodePosition,
  type MemberSort,
  type MemberStatusFilter,
  matchesStatus,
  pageAfter,
  sortMembers,
} from './member-order.ts';

export interface MembersQuery extends ListQuery {
  tag?: string;
  status: MemberStatusFilter;
  sort?: MemberSort;
}

/**
 * The cursor scope of a member list: `members:<chatId>`, then `tag:<tag>`, `status=<s>` and
 * `sort=<k>` when given (a tag holds no colon).
 */
export function membersScope(
  chatId: number,
  query: { tag?: string; status: MemberStatusFilter; sort?: MemberSort },
): string {
  return [
    `members:${chatId}`,
    ...(query.tag !== undefined ? [`tag:${query.tag}`] : []),
    ...(query.status !== 'all' ? [`status=${query.status}`] : []),
    ...(query.sort ? [`sort=${query.sort}`] : []),
  ].join(':');
}

export async function listSortedMembers(
  ctx: RequestContext,
  chatId: number,
  query: MembersQuery & { sort: MemberSort },
): Promise<List<Membership>> {
  const binding = { scope: membersScope(chatId, query), keyId: callerOf(ctx).keyId };
  let after: ReturnType<typeof decodePosition>;
  if (query.cursor !== undefined) {
    const { pos } = ctx.cursors.decode(binding, query.cursor);
    after = pos === undefined ? undefined : decodePosition(pos);
    if (!after) throw new InvalidCursorError();
  }
  const keys = await listChatMemberKeys(ctx.store, chatId);
  const most = limitsOf(ctx).sortedMembers;
  if (keys.length > most) {
    throw new HttpError(
      413,
      `the chat has ${keys.length} members; sort reads all of them and is limited to chats of ${most}: page without sort, or export the members (GET /v1/chats/${chatId}/members/export)`,
    );
  }
  let members = (await readChatMembers(ctx.store, keys)).filter((m) =>
    matchesStatus(m, query.status),
  );
  if (query.tag !== undefined) {
    const tagged = await taggedAmong(
      ctx.store,
      query.tag,
      members.map((m) => m.userId),
    );
    members = members.filter((m) => tagged.has(m.userId));
  }
  const page = pageAfter(sortMembers(members, query.sort), query.sort, after, query.limit);
  return {
    items: page.items,
    ...(page.next
      ? { nextCursor: ctx.cursors.encode(binding, { pos: encodePosition(page.next) }) }
      : {}),
  };
}
