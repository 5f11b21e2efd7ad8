/**
 * Contacts with a tag (`GET /v1/contacts?tag=`): one page of GSI1 `TAG#<tag>` (keys only,
 * ordered by `USER#<id>`), then each contact read by id. The tag entries are an index that
 * may run ahead of the truth (contact-notes.ts): a hit is kept only when the contact's notes
 * item holds the tag, so a page can hold fewer items than asked.
 */
import type { StoreContext } from '../../store/client.ts';
import { idFromKey, tagIndexPk } from '../../store/keys.ts';
import {
  type ListPage,
  listedUnder,
  type PageRequest,
  queryPage,
  readListPage,
} from '../../store/query.ts';
import { getContactWithNotes } from '../read/profiles.ts';
import type { Contact } from '../read/shapes.ts';

const userIdsOf = (entries: Record<string, unknown>[]) =>
  entries.map((entry) => idFromKey(String(entry.pk)));

/** One page of the ids of users with an entry for `tag` (lower-case, validated). */
export async function taggedUserIds(
  ctx: StoreContext,
  tag: string,
  page: PageRequest,
): Promise<{ ids: number[]; lastKey?: Record<string, unknown> }> {
  const { items, lastKey } = await queryPage(
    ctx,
    listedUnder(tagIndexPk(tag)),
    page.limit,
    page.startKey,
  );
  return { ids: userIdsOf(items), ...(lastKey ? { lastKey } : {}) };
}

/**
 * One page of a list drawn from the users with an entry for `tag`: `entries` turns their ids
 * into the list's entries. Any fault is a StoreError naming `operation`.
 */
export function readTaggedPage<T>(
  ctx: StoreContext,
  tag: string,
  page: PageRequest,
  operation: string,
  entries: (ids: number[]) => Promise<T[]>,
): Promise<ListPage<T>> {
  return readListPage(ctx, listedUnder(tagIndexPk(tag)), page, operation, (items) =>
    entries(userIdsOf(items)),
  );
}

export function findByTag(
  ctx: StoreContext,
  tag: string,
  page: PageRequest,
): Promise<ListPage<Contact>> {
  return readTaggedPage(ctx, tag, page, 'contacts by tag read', async (ids) => {
    const contacts = await Promise.all(ids.map((id) => getContactWithNotes(ctx, id)));
    return contacts.filter((c): c is Contact => c?.tags?.includes(tag) === true);
  });
}
