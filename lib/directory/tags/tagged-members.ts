/**
 * Members of a chat with a tag (`GET /v1/chats/{chatId}/members?tag=`): one page of GSI1
 * `TAG#<tag>` (keys only), then one BatchGet of each user's membership in the chat and notes
 * item. Kept: users with a membership there whose notes item holds the tag (tag entries may
 * run ahead of it, contact-notes.ts). Pages run over the tag's users, so one can hold fewer
 * members than asked, or none, and still have a next page.
 */
import { getItems } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { keyId, membershipKey, notesKey } from '../../store/keys.ts';
import type { ListPage, PageRequest } from '../../store/query.ts';
import { notesOf } from '../read/items/contacts.ts';
import { memberUser, toMembership } from '../read/items/memberships.ts';
import type { Membership } from '../read/shapes.ts';
import { readTaggedPage } from './tagged-contacts.ts';

export function listTaggedMembers(
  ctx: StoreContext,
  chatId: number,
  tag: string,
  page: PageRequest,
): Promise<ListPage<Membership>> {
  return readTaggedPage(ctx, tag, page, 'tagged members read', async (ids) => {
    const found = await getItems(
      ctx,
      ids.flatMap((id) => [membershipKey(id, chatId), notesKey(id)]),
    );
    const byKey = new Map(
      found.map((item) => [keyId({ pk: String(item.pk), sk: String(item.sk) }), item]),
    );
    const items: Membership[] = [];
    for (const id of ids) {
      const membership = byKey.get(keyId(membershipKey(id, chatId)));
      const tagged = notesOf(byKey.get(keyId(notesKey(id)))).tags?.includes(tag) === true;
      if (!tagged || membership?.userId === undefined) continue;
      const user = memberUser(membership);
      items.push(user ? { ...toMembership(membership), user } : toMembership(membership));
    }
    return items;
  });
}
