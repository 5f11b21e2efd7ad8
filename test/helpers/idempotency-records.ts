/** Reads idempotency records the way a test checks them: straight from the table. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { idempotencyItemKey } from '../../lib/messaging/store/idempotency.ts';
import type { StoreContext } from '../../lib/store/client.ts';

/** The record of the client's `idempotencyKey` under the write key `keyId` (a consistent read). */
export async function readIdempotencyRecord(
  store: StoreContext,
  keyId: string,
  idempotencyKey: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await store.client.send(
    new GetCommand({
      TableName: store.tableName,
      Key: idempotencyItemKey(keyId, idempotencyKey),
      ConsistentRead: true,
    }),
  );
  return Item;
}
