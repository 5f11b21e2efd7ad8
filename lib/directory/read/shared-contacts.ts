/** The contacts a user shared with the bot: `USER#<owner>` / `SHARED#...` items. */

import { SHARED_PREFIX, userPk } from '../../store/keys.ts';
import { itemsUnder, type ListReader, readListPage } from '../../store/query.ts';
import { compact, type Item, num, str } from './items/values.ts';
import type { SharedContact } from './shapes.ts';

export const listSharedBy: ListReader<SharedContact> = async (ctx, ownerId, page) => {
  const cards = itemsUnder(userPk(ownerId), SHARED_PREFIX);
  return readListPage(ctx, cards, page, 'shared contacts read', (items) =>
    items.map(toSharedContact),
  );
};

/** A shared-contact card as the API shows it. */
export function toSharedContact(item: Item): SharedContact {
  return compact({
    ownerId: Number(item.ownerId),
    userId: num(item.userId),
    phoneNumber: str(item.phoneNumber),
    firstName: str(item.firstName),
    lastName: str(item.lastName),
    username: str(item.username),
    sharedAt: str(item.sharedAt) ?? '',
  });
}
