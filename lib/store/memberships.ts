/**
 * Memberships: one item per (user, chat) under the user (`USER#u` / `CHAT#c`), indexed by
 * chat in GSI1 (`CHAT#c` / `USER#u`). Lists embed the other side's profile, read for the
 * whole page with one BatchGetItem.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MemberStatus } from '../telegram/facts.ts';
import type { StoreContext } from './client.ts';
import { toStoreError } from './dynamo-errors.ts';
import { ItemUpdate } from './item-update.ts';
import { type Membership, toChatSummary, toContactSummary, toMembership } from './items.ts';
import { chatPk, MEMBERSHIP_PREFIX, membershipIndexKeys, membershipKey, userPk } from './keys.ts';
import { getProfiles } from './profile-batch.ts';
import { type ListPage, type PageRequest, queryPage } from './query.ts';
import { GSI1 } from './table.ts';

export async function getMembership(
  ctx: StoreContext,
  userId: number,
  chatId: number,
): Promise<Membership | null> {
  try {
    const { Item } = await ctx.client.send(
      new GetCommand({ TableName: ctx.tableName, Key: membershipKey(userId, chatId) }),
    );
    return Item ? toMembership(Item) : null;
  } catch (err: unknown) {
    throw toStoreError(err, 'membership read');
  }
}

/** The chats a user is or was in, each with the chat's profile (when known). */
export async function listUserChats(
  ctx: StoreContext,
  userId: number,
  page: PageRequest,
): Promise<ListPage<Membership>> {
  try {
    const { items, lastKey } = await queryPage(
      ctx,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': MEMBERSHIP_PREFIX },
      },
      page.limit,
      page.startKey,
    );
    const memberships = items.map(toMembership);
    const chats = await getProfiles(
      ctx,
      memberships.map((m) => chatPk(m.chatId)),
    );
    return {
      items: memberships.map((m) => {
        const profile = chats.get(chatPk(m.chatId));
        const chat = profile ? toChatSummary(profile) : null;
        return chat ? { ...m, chat } : m;
      }),
      ...(lastKey ? { lastKey } : {}),
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'user chats read');
  }
}

/** The users who are or were in a chat, each with the user's profile (when known). */
export async function listChatMembers(
  ctx: StoreContext,
  chatId: number,
  page: PageRequest,
): Promise<ListPage<Membership>> {
  try {
    const { items, lastKey } = await queryPage(
      ctx,
      {
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': chatPk(chatId) },
      },
      page.limit,
      page.startKey,
    );
    const memberships = items.map(toMembership);
    const users = await getProfiles(
      ctx,
      memberships.map((m) => userPk(m.userId)),
    );
    return {
      items: memberships.map((m) => {
        const profile = users.get(userPk(m.userId));
        const user = profile ? toContactSummary(profile) : null;
        return user ? { ...m, user } : m;
      }),
      ...(lastKey ? { lastKey } : {}),
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'chat members read');
  }
}

/**
 * Stores a status Telegram reported (getChatMember) and returns the membership as stored.
 * Status and isMember change; join and leave times stay those recorded from updates.
 */
export async function saveMemberStatus(
  ctx: StoreContext,
  fact: { userId: number; chatId: number; status: MemberStatus; isMember: boolean },
): Promise<Membership> {
  const index = membershipIndexKeys(fact.userId, fact.chatId);
  const update = new ItemUpdate(membershipKey(fact.userId, fact.chatId))
    .set('userId', fact.userId)
    .set('chatId', fact.chatId)
    .set('status', fact.status)
    .set('isMember', fact.isMember)
    .set('gsi1pk', index.gsi1pk)
    .set('gsi1sk', index.gsi1sk)
    .setIfMissing('firstSeenAt', new Date().toISOString());
  try {
    const { Attributes } = await ctx.client.send(
      new UpdateCommand({ ...update.toInput(ctx.tableName), ReturnValues: 'ALL_NEW' }),
    );
    return toMembership(Attributes ?? {});
  } catch (err: unknown) {
    throw toStoreError(err, 'membership write');
  }
}
