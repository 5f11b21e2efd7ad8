/**
 * A group that became a supergroup: its record, monthly counters and memberships follow
 * to the new chat id. Counters are copied with guarded ADDs keyed by the old chat id, so
 * the two updates announcing one migration (migrate_to / migrate_from) and any redelivery
 * copy them once; the old memberships are then deleted.
 */
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client.ts';
import { ItemUpdate } from './item-update.ts';
import { applyItemUpdate } from './item-writer.ts';
import {
  chatKey,
  chatMonthKey,
  chatPk,
  membershipIndexKeys,
  membershipKey,
  PROFILE,
} from './keys.ts';
import { queryAll } from './query.ts';
import { GSI1 } from './table.ts';

const COPIED_CHAT_FIELDS = ['title', 'username', 'botStatus', 'firstSeenAt'];
const COPIED_MEMBER_FIELDS = [
  'status',
  'isMember',
  'joinedAt',
  'leftAt',
  'firstSeenAt',
  'lastSeenAt',
];

export async function moveChat(
  ctx: StoreContext,
  fromChatId: number,
  toChatId: number,
): Promise<void> {
  const guardId = fromChatId;
  const { Item: oldChat } = await ctx.client.send(
    new GetCommand({ TableName: ctx.tableName, Key: chatKey(fromChatId), ConsistentRead: true }),
  );
  const months = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :month)',
    ExpressionAttributeValues: { ':pk': chatPk(fromChatId), ':month': `${PROFILE}#` },
    // Counters copied once (the copy is guarded): a stale read would lose the last messages.
    ConsistentRead: true,
  });
  const members = await queryAll(ctx, {
    IndexName: GSI1.name,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': chatPk(fromChatId) },
  });

  const updates: ItemUpdate[] = [];
  const chat = new ItemUpdate(chatKey(toChatId))
    .set('id', toChatId)
    // Telegram migrates a group only ever to a supergroup.
    .set('type', 'supergroup')
    .set('migratedFromChatId', fromChatId);
  for (const field of COPIED_CHAT_FIELDS) chat.setIfMissing(field, oldChat?.[field]);
  updates.push(chat);
  updates.push(
    new ItemUpdate(chatKey(fromChatId)).set('id', fromChatId).set('migratedToChatId', toChatId),
  );
  for (const month of months) {
    const copy = new ItemUpdate(chatMonthKey(toChatId, String(month.sk).slice(PROFILE.length + 1)));
    for (const [attr, value] of Object.entries(month)) {
      if ((attr === 'n' || /^d\d\d$/.test(attr)) && typeof value === 'number')
        copy.add(attr, value);
    }
    copy.setIfMissing('seen', month.seen);
    updates.push(copy);
  }
  for (const member of members) {
    const userId = Number(member.userId);
    const copy = new ItemUpdate(membershipKey(userId, toChatId))
      .set('userId', userId)
      .set('chatId', toChatId);
    const index = membershipIndexKeys(userId, toChatId);
    copy.set('gsi1pk', index.gsi1pk).set('gsi1sk', index.gsi1sk);
    for (const field of COPIED_MEMBER_FIELDS) copy.setIfMissing(field, member[field]);
    if (typeof member.n === 'number' && member.n > 0) copy.add('n', member.n);
    updates.push(copy);
  }
  await Promise.all(updates.map((u) => applyItemUpdate(ctx, u, guardId)));
  await Promise.all(
    members.map((member) =>
      ctx.client.send(
        new DeleteCommand({
          TableName: ctx.tableName,
          Key: membershipKey(Number(member.userId), fromChatId),
        }),
      ),
    ),
  );
}
