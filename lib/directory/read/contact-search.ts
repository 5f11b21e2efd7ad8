/**
 * Contacts by username or by verified phone, through GSI2 (keys only): `USERNAME#<lower>`
 * on contact months, `PHONE#<e164>` on verified-phone items. A user's older months keep the
 * username they had then, so every hit is checked against the contact as folded now and
 * dropped when it no longer matches. Pages run over the matching user ids in order.
 */
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { idFromKey, phoneIndexPk, usernameIndexPk, userPk } from '../../store/keys.ts';
import { type ListPage, type PageRequest, queryAll } from '../../store/query.ts';
import { GSI2 } from '../../store/table.ts';
import { getContactWithNotes } from './profiles.ts';
import type { Contact } from './shapes.ts';

async function search(
  ctx: StoreContext,
  indexPk: string,
  matches: (contact: Contact) => boolean,
  page: PageRequest,
): Promise<ListPage<Contact>> {
  try {
    const hits = await queryAll(ctx, {
      IndexName: GSI2.name,
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': indexPk },
    });
    const after = page.startKey ? idFromKey(String(page.startKey.pk)) : undefined;
    const ids = [...new Set(hits.map((hit) => idFromKey(String(hit.pk))))]
      .sort((a, b) => a - b)
      .filter((id) => after === undefined || id > after);
    const pageIds = ids.slice(0, page.limit);
    const contacts = await Promise.all(pageIds.map((id) => getContactWithNotes(ctx, id)));
    const last = pageIds.at(-1);
    return {
      items: contacts.filter((c): c is Contact => c !== null && matches(c)),
      ...(ids.length > page.limit && last !== undefined
        ? { lastKey: { pk: userPk(last), sk: indexPk } }
        : {}),
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
  return search(ctx, usernameIndexPk(username), (c) => c.username?.toLowerCase() === wanted, page);
}

/** `e164` normalized (`+` and digits); only a contact's own verified phone matches. */
export function findByPhone(
  ctx: StoreContext,
  e164: string,
  page: PageRequest,
): Promise<ListPage<Contact>> {
  return search(ctx, phoneIndexPk(e164), (c) => c.phoneNumber === e164, page);
}
