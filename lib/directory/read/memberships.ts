/**
 * Memberships: one item per (user, chat) under the user (`USER#u` / `CHAT#c`), indexed by
 * chat in GSI1 (`CHAT#c` / `USER#u`, keys only). Each membership holds the names of its
 * member and chat as last written, so lists embed them without reading other items.
 */
import { getItems, tableKeys } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { getItem, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { chatPk, MEMBERSHIP_PREFIX, membershipKey, userPk } from '../../store/keys.ts';
import { itemsUnder, type ListReader, listedUnder, readListPage } from '../../store/query.ts';
import type { MemberStatus } from '../../telegram/update/facts.ts';
import { notBeforeFloor } from '../record/marks.ts';
import { MOVED_TO, memberAttrs } from '../record/registers.ts';
import { memberChat, memberUser, toMembership } from './items/memberships.ts';
import type { Membership } from './shapes.ts';

export async function getMembership(
  ctx: StoreContext,
  userId: number,
  chatId: number,
): Promise<Membership | null> {
  const item = await getItem(ctx, membershipKey(userId, chatId), 'membership read', {
    consistent: false,
  });
  return item?.userId !== undefined ? toMembership(item) : null;
}

/** The chats a user is or was in, each with the chat's names (when known). */
export const listUserChats: ListReader<Membership> = async (ctx, userId, page) => {
  const memberships = itemsUnder(userPk(userId), MEMBERSHIP_PREFIX);
  return readListPage(ctx, memberships, page, 'user chats read', (items) =>
    // A group's membership copied to the supergroup it became is listed there.
    items
      .filter((item) => item[MOVED_TO] === undefined && item.userId !== undefined)
      .map((item) => withEmbedded(toMembership(item), 'chat', memberChat(item))),
  );
};

function withEmbedded<K extends 'chat' | 'user'>(
  membership: Membership,
  name: K,
  value: Membership[K] | undefined,
): Membership {
  return value ? { ...membership, [name]: value } : membership;
}

/** A membership item as a chat lists it: the membership with its member's names (when known). */
export function chatMemberOf(item: Record<string, unknown>): Membership {
  return withEmbedded(toMembership(item), 'user', memberUser(item));
}

/** The users who are or were in a chat, each with the user's names (when known). */
export const listChatMembers: ListReader<Membership> = async (ctx, chatId, page) =>
  readListPage(ctx, listedUnder(chatPk(chatId)), page, 'chat members read', async (keys) =>
    (await getItems(ctx, tableKeys(keys))).filter((i) => i.userId !== undefined).map(chatMemberOf),
  );

/**
 * Stores a status Telegram reported (getChatMember) as the membership's live source and
 * returns the membership as stored; null when there is no membership to add it to (a user
 * or chat never seen, or an erased user: nothing is ever created from a live answer).
 */
export async function saveMemberStatus(
  ctx: StoreContext,
  fact: { userId: number; chatId: number; status: MemberStatus; isMember: boolean },
  now = Math.floor(Date.now() / 1000),
): Promise<Membership | null> {
  const a = memberAttrs('l');
  const update = new ItemUpdate(membershipKey(fact.userId, fact.chatId))
    .set(a.status, fact.status)
    .set(a.isMember, fact.isMember)
    .set(a.statusAt, now)
    .set(a.at, now)
    .setIfMissing(a.since, now)
    // Only on a membership recorded from updates (a live source alone is none).
    .when(
      (['m', 'c', 'g'] as const)
        .map((p) => `attribute_exists(#{${memberAttrs(p).at}})`)
        .join(' OR '),
    );
  notBeforeFloor(update, now);
  const { applied, attributes } = await updateIf(ctx, update, 'membership write', {
    returnValues: 'ALL_NEW',
  });
  return applied ? toMembership(attributes ?? {}) : null;
}
