/**
 * A group that became a supergroup: the supergroup's record links back to the group, and a
 * copy of the group's counters and memberships is kept on the supergroup's items as their
 * `g` source (registers.ts). The copy is a plain SET of the group's current values, so the
 * two updates announcing one migration (migrate_to / migrate_from), any redelivery and any
 * order of the two copy the same thing once: a later copy replaces an earlier one, never
 * adds to it. Messages sent in the supergroup between the two announcements count there.
 * The group's own items stay (its memberships are marked `movedTo`); readers of the
 * supergroup add the copy to its own counts.
 */
import { getItems, tableKeys } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { getItem, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import {
  chatKey,
  chatMonthKey,
  chatPk,
  contactMonthKey,
  membershipIndexKeys,
  membershipKey,
  monthOf,
  monthOfSk,
  PROFILE,
} from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { GSI1 } from '../../store/table.ts';
import { membershipState, toMembership } from '../read/items/memberships.ts';
import { notBeforeFloor } from './marks.ts';
import {
  CHAT_PROFILE,
  COPIED_FIRST_SEEN,
  COPIED_LAST_SEEN,
  copiedCounter,
  EXPIRES_AT,
  FIRST_SEEN,
  FLOOR,
  isCopiedMonthCounter,
  isRegisterAttr,
  MEMBER_USER_SNAPSHOT,
  MOVED_TO,
  memberAttrs,
  memberMonthCount,
  monthOfMemberCount,
} from './registers.ts';
import { settleItem } from './settle.ts';

type Item = Record<string, unknown>;
const seconds = (isoTime: string | undefined) =>
  isoTime === undefined ? undefined : Math.floor(Date.parse(isoTime) / 1000);

/** A copy's write; a fault fails the recording of the update that announced the migration. */
async function write(ctx: StoreContext, update: ItemUpdate): Promise<boolean> {
  return (await updateIf(ctx, update, 'record')).applied;
}

/** The group's months, copied as the `g` counters of the supergroup's months. */
async function copyMonths(ctx: StoreContext, fromChatId: number, toChatId: number) {
  const months = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :month)',
    ExpressionAttributeValues: { ':pk': chatPk(fromChatId), ':month': `${PROFILE}#` },
    ConsistentRead: true,
  });
  await Promise.all(
    months.map((month) => {
      const name = monthOfSk(String(month.sk));
      if (!name) return undefined;
      const copy = new ItemUpdate(chatMonthKey(toChatId, name));
      let seen: number | undefined;
      for (const [attr, value] of Object.entries(month)) {
        if (isCopiedMonthCounter(attr) && typeof value === 'number') {
          copy.set(copiedCounter(attr), value);
        }
        if (isRegisterAttr(attr)) seen = Math.max(seen ?? 0, Number((value as { t: unknown }).t));
      }
      copy
        .set(COPIED_FIRST_SEEN, month[FIRST_SEEN])
        .set(COPIED_LAST_SEEN, seen)
        .set(EXPIRES_AT, month[EXPIRES_AT]);
      return write(ctx, copy);
    }),
  );
}

/** One member's group membership, copied as the `g` source of the supergroup membership. */
async function copyMember(ctx: StoreContext, member: Item, toChatId: number) {
  const userId = Number(member.userId);
  const folded = toMembership(member);
  const state = membershipState(member);
  const a = memberAttrs('g');
  // The copy's date: the group membership's newest event (erasure settles by it).
  const at = Math.max(
    state.lastSeen ?? 0,
    state.statusAt ?? 0,
    seconds(folded.firstSeenAt) ?? 0,
    seconds(folded.joinedAt) ?? 0,
    seconds(folded.leftAt) ?? 0,
  );
  const index = membershipIndexKeys(userId, toChatId);
  const copy = new ItemUpdate(membershipKey(userId, toChatId))
    .set('userId', userId)
    .set('chatId', toChatId)
    .set('gsi1pk', index.gsi1pk)
    .set('gsi1sk', index.gsi1sk)
    .set(a.at, at)
    .set(a.since, seconds(folded.firstSeenAt) ?? at)
    .set(a.status, folded.status)
    .set(a.isMember, folded.isMember)
    .set(a.statusAt, state.statusAt)
    .set(a.seen, state.lastSeen)
    .set(a.joinedAt, seconds(folded.joinedAt))
    .set(a.leftAt, seconds(folded.leftAt))
    .set(a.count, folded.messageCount)
    .set(a.first as string, seconds(folded.firstSeenAt))
    .setIfMissing(MEMBER_USER_SNAPSHOT, member[MEMBER_USER_SNAPSHOT]);
  for (const [attr, value] of Object.entries(member)) {
    const month = monthOfMemberCount('m', attr);
    if (month !== undefined && typeof value === 'number') {
      copy.set(memberMonthCount('g', month), value);
    }
  }
  // An erased member's copy is not written over their erasure.
  notBeforeFloor(copy, at);
  await write(ctx, copy);
  const moved = new ItemUpdate(membershipKey(userId, Number(member.chatId)))
    .set(MOVED_TO, toChatId)
    .when('attribute_exists(pk)');
  await write(ctx, moved);
  // An erasure of the member may have run meanwhile (before or after the copy landed): the
  // copy is settled against its floor, which removes it when it came from before.
  const gate = await getItem(ctx, contactMonthKey(userId, monthOf(Date.now() / 1000)), 'record');
  if (typeof gate?.[FLOOR] === 'number') {
    await settleItem(ctx, membershipKey(userId, toChatId), gate[FLOOR] as number);
  }
}

export async function copyMigratedChat(
  ctx: StoreContext,
  fromChatId: number,
  toChatId: number,
): Promise<void> {
  await Promise.all([
    write(ctx, new ItemUpdate(chatKey(fromChatId)).set('migratedToChatId', toChatId)),
    write(
      ctx,
      new ItemUpdate(chatKey(toChatId))
        .set('migratedFromChatId', fromChatId)
        // Telegram migrates a group only ever to a supergroup.
        .setIfMissing(CHAT_PROFILE, { ty: 'supergroup' }),
    ),
    copyMonths(ctx, fromChatId, toChatId),
  ]);
  const keys = await queryAll(ctx, {
    IndexName: GSI1.name,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': chatPk(fromChatId) },
  });
  const members = await getItems(ctx, tableKeys(keys), { consistent: true });
  await Promise.all(members.map((member) => copyMember(ctx, member, toChatId)));
}
