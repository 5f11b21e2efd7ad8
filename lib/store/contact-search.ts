/**
 * Contacts by username or by verified phone, through the index entries
 * `USERNAME#<lower>` / `PHONE#<e164>` -> `USER#<id>`. An index entry can outlive the value
 * (a crash between the profile write and the stale entry's delete), so every hit is checked
 * against the profile and dropped when it no longer matches.
 */
import type { StoreContext } from './client.ts';
import { toStoreError } from './dynamo-errors.ts';
import type { Contact } from './items.ts';
import { idFromKey, phonePk, usernamePk } from './keys.ts';
import { getContact } from './profiles.ts';
import { type ListPage, type PageRequest, queryPage } from './query.ts';

async function search(
  ctx: StoreContext,
  pk: string,
  matches: (contact: Contact) => boolean,
  page: PageRequest,
): Promise<ListPage<Contact>> {
  try {
    const { items, lastKey } = await queryPage(
      ctx,
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      },
      page.limit,
      page.startKey,
    );
    const contacts = await Promise.all(
      items.map((item) => getContact(ctx, idFromKey(String(item.sk)))),
    );
    return {
      items: contacts.filter((c): c is Contact => c !== null && matches(c)),
      ...(lastKey ? { lastKey } : {}),
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'contact search');
  }
}

/** `username` without `@`; matched case-insensitively, exactly. */
export function findByUsername(
  ctx: StoreContext,
  username: string,
  page: PageRequest,
): Promise<ListPage<Contact>> {
  const wanted = username.toLowerCase();
  return search(ctx, usernamePk(username), (c) => c.username?.toLowerCase() === wanted, page);
}

/** `e164` normalized (`+` and digits); only a contact's own verified phone matches. */
export function findByPhone(
  ctx: StoreContext,
  e164: string,
  page: PageRequest,
): Promise<ListPage<Contact>> {
  return search(ctx, phonePk(e164), (c) => c.phoneNumber === e164, page);
}
