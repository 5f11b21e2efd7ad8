/**
 * A chat's whole member list at once, for what needs every member before it can answer (a
 * sorted member list, the export): the chat's keys from GSI1 (`CHAT#<id>`, keys only, about
 * 13,000 keys per 1 MB Query page), then the memberships by BatchGetItem, 100 per request,
 * several in flight. Paged lists read one page instead (memberships.ts listChatMembers).
 */
import { tableKeys } from '../../store/batch-get.ts';
import { bulkGet } from '../../store/bulk-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { chatPk, type Key } from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { GSI1 } from '../../store/table.ts';
import {
  FIRST_SEEN,
  MEMBER_SOURCES,
  MEMBER_USER_SNAPSHOT,
  memberAttrs,
} from '../record/registers.ts';
import { chatMemberOf } from './memberships.ts';
import type { Membership } from './shapes.ts';

/**
 * What a listed membership is made of (items/memberships.ts toMembership, memberUser): its
 * ids, each source's status, times and counters, and the member's names; not the high-water
 * marks, the chat's names or the erasure attributes. A membership item is read whole elsewhere.
 */
export const MEMBER_LIST_ATTRIBUTES: readonly string[] = [
  'userId',
  'chatId',
  FIRST_SEEN,
  MEMBER_USER_SNAPSHOT,
  ...MEMBER_SOURCES.flatMap((p) => {
    const a = memberAttrs(p);
    const names = [a.status, a.isMember, a.statusAt, a.seen, a.joinedAt, a.leftAt, a.since];
    return [...names, a.count, ...(a.first ? [a.first] : [])];
  }),
];

/** The table keys of every membership indexed under the chat (current and former members). */
export async function listChatMemberKeys(ctx: StoreContext, chatId: number): Promise<Key[]> {
  try {
    const entries = await queryAll(ctx, {
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': chatPk(chatId) },
    });
    return tableKeys(entries);
  } catch (err: unknown) {
    throw toStoreError(err, 'chat member keys read');
  }
}

/**
 * The memberships at `keys`, each with its member's names, ordered by user id. Items gone
 * since the index was read, and erased ones, are left out (as in the paged list).
 */
export async function readChatMembers(
  ctx: StoreContext,
  keys: readonly Key[],
): Promise<Membership[]> {
  try {
    const items = await bulkGet(ctx, keys, { attributes: MEMBER_LIST_ATTRIBUTES });
    return items
      .filter((item) => item.userId !== undefined)
      .map(chatMemberOf)
      .sort((a, b) => a.userId - b.userId);
  } catch (err: unknown) {
    throw toStoreError(err, 'chat members read');
  }
}
