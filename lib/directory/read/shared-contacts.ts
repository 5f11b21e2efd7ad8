/** The contacts a user shared with the bot: `USER#<owner>` / `SHARED#...` items. */
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { SHARED_PREFIX, userPk } from '../../store/keys.ts';
import { type ListPage, type PageRequest, queryPage } from '../../store/query.ts';
import { type SharedContact, toSharedContact } from './items.ts';

export async function listSharedBy(
  ctx: StoreContext,
  ownerId: number,
  page: PageRequest,
): Promise<ListPage<SharedContact>> {
  try {
    const { items, lastKey } = await queryPage(
      ctx,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': userPk(ownerId), ':prefix': SHARED_PREFIX },
      },
      page.limit,
      page.startKey,
    );
    return { items: items.map(toSharedContact), ...(lastKey ? { lastKey } : {}) };
  } catch (err: unknown) {
    throw toStoreError(err, 'shared contacts read');
  }
}
