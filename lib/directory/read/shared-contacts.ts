/** The contacts a user shared with the bot: `USER#<owner>` / `SHARED#...` items. */

import type { StoreContext } from '../../store/client.ts';
import { SHARED_PREFIX, userPk } from '../../store/keys.ts';
import { type ListPage, type PageRequest, readListPage } from '../../store/query.ts';
import { compact, type Item, num, str } from './items/values.ts';
import type { SharedContact } from './shapes.ts';

export async function listSharedBy(
  ctx: StoreContext,
  ownerId: number,
  page: PageRequest,
): Promise<ListPage<SharedContact>> {
  return readListPage(
    ctx,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userPk(ownerId), ':prefix': SHARED_PREFIX },
    },
    page,
    'shared contacts read',
    (items) => items.map(toSharedContact),
  );
}

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
