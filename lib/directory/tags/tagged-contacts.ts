/**
 * Contacts with a tag (`GET /v1/contacts?tag=`): one page of GSI1 `TAG#<tag>` (keys only,
 * ordered by `USER#<id>`), then each contact read by id. The tag entries are an index that
 * may run ahead of the truth (contact-notes.ts): a hit is kept only when the contact's notes
 * item holds the tag, so a page can hold fewer items than asked.
 */
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { idFromKey, tagIndexPk } from '../../store/keys.ts';
import { type ListPage, type PageRequest, queryPage } from '../../store/query.ts';
import { GSI1 } from '../../store/table.ts';
import { getContactWithNotes } from '../read/profiles.ts';
import type { Contact } from '../read/shapes.ts';

/** One page of the ids of users with an entry for `tag` (lower-case, validated). */
export async function taggedUserIds(
  ctx: StoreContext,
  tag: string,
  page: PageRequest,
): Promise<{ ids: number[]; lastKey?: Record<string, unknown> }> {
  const { items, lastKey } = await queryPage(
    ctx,
    {
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tagIndexPk(tag) },
    },
    page.limit,
    page.startKey,
  );
  return { ids: items.map((item) => idFromKey(String(item.pk))), ...(lastKey ? { lastKey } : {}) };
}

export async function findByTag(
  ctx: StoreContext,
  tag: string,
  page: PageRequest,
): Promise<ListPage<Contact>> {
  try {
    const { ids, lastKey } = await taggedUserIds(ctx, tag, page);
    const contacts = await Promise.all(ids.map((id) => getContactWithNotes(ctx, id)));
    return {
      items: contacts.filter((c): c is Contact => c?.tags?.includes(tag) === true),
      ...(lastKey ? { lastKey } : {}),
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'contacts by tag read');
  }
}
