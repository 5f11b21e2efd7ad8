/** Reading a contact or a chat: one Query of the profile and its monthly counters. */
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { chatPk, PROFILE, userPk } from '../../store/keys.ts';
import { itemsUnder, queryAll, queryPages } from '../../store/query.ts';
import { toChat, toContact, toContactWithNotes } from './items/contacts.ts';
import { unexpired } from './items/values.ts';
import type { Chat, Contact } from './shapes.ts';

async function readProfile(ctx: StoreContext, pk: string) {
  const items = await queryAll(
    ctx,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :profile)',
      ExpressionAttributeValues: { ':pk': pk, ':profile': PROFILE },
    },
    'profile read',
  );
  // A month kept past RETENTION_DAYS is not read (DynamoDB's TTL removes it within days).
  return unexpired(items, ctx.retentionDays);
}

export async function getContact(ctx: StoreContext, userId: number): Promise<Contact | null> {
  return toContact(await readProfile(ctx, userPk(userId)));
}

/** The contact with its tags and note, as the lookup API shows it (the same one Query). */
export async function getContactWithNotes(
  ctx: StoreContext,
  userId: number,
): Promise<Contact | null> {
  return toContactWithNotes(await readProfile(ctx, userPk(userId)));
}

export async function getChat(ctx: StoreContext, chatId: number): Promise<Chat | null> {
  return toChat(await readProfile(ctx, chatPk(chatId)));
}

/** How many of a user's items start with `prefix` (memberships `CHAT#`, shared `SHARED#`). */
export async function countUserItems(
  ctx: StoreContext,
  userId: number,
  prefix: string,
): Promise<number> {
  try {
    let count = 0;
    const pages = queryPages(ctx, { ...itemsUnder(userPk(userId), prefix), Select: 'COUNT' });
    for await (const page of pages) count += page.Count ?? 0;
    return count;
  } catch (err: unknown) {
    throw toStoreError(err, 'count');
  }
}
