/**
 * On DynamoDB a refused conditional write returns the item it was refused on
 * (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`); the embedded store does not. This client
 * adds what DynamoDB would (the refused item, marshalled) so that the recorder's use of it is
 * tested: a duplicate then needs no read at all, and a refusal by an erasure's floor is seen.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import { getContact } from '../../../../lib/directory/read/profiles.ts';
import { createDocumentClient } from '../../../../lib/store/client.ts';
import { isConditionalCheckFailed } from '../../../../lib/store/dynamo-errors.ts';
import { ALICE } from '../../../helpers/lookup.ts';
import { message, nowSeconds, record, SUPERGROUP } from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();

/** A client on `endpoint` whose refusals carry the refused item, as DynamoDB's do. */
function dynamoLikeClient(endpoint: string) {
  const client = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  const reader = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      try {
        return await next(args);
      } catch (err: unknown) {
        const input = args.input as {
          ReturnValuesOnConditionCheckFailure?: string;
          TableName: string;
          Key: Record<string, unknown>;
        };
        if (isConditionalCheckFailed(err) && input.ReturnValuesOnConditionCheckFailure) {
          const { Item } = await reader.send(
            new GetCommand({ TableName: input.TableName, Key: input.Key, ConsistentRead: true }),
          );
          const marshalled = Object.entries(Item ?? {}).map(([k, v]) => [
            k,
            typeof v === 'number' ? { N: String(v) } : { S: String(v) },
          ]);
          (err as { Item?: unknown }).Item = Object.fromEntries(marshalled);
        }
        throw err;
      }
    },
    { step: 'initialize', name: 'dynamoLikeRefusals' },
  );
  return { client, commands };
}

describe('recorder with refusals that carry the item (DynamoDB)', () => {
  it('stops a duplicate at its refused writes, with no read', async () => {
    const table = await stack.freshTable();
    const { client, commands } = dynamoLikeClient(table.endpoint);
    const ctx = { client, tableName: table.tableName };
    const update = message(SUPERGROUP, nowSeconds() - 10);
    await record(ctx, update, nowSeconds());
    await record(ctx, message(SUPERGROUP, nowSeconds() - 5), nowSeconds());
    commands.length = 0;
    const result = await record(ctx, message(SUPERGROUP, nowSeconds() - 5), nowSeconds());
    expect(result.duplicate).toBe(false);
    commands.length = 0;
    const again = await record(ctx, update, nowSeconds());
    // The first update again: refused by every queue mark it already raised.
    expect(again.duplicate).toBe(true);
    expect(commands).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect((await getContact(table, ALICE))?.messageCount).toBe(3);
  });

  it('sees an erasure in the refusal and keeps nothing of a late update', async () => {
    const table = await stack.freshTable();
    const { client } = dynamoLikeClient(table.endpoint);
    const ctx = { client, tableName: table.tableName };
    const late = message(SUPERGROUP, nowSeconds() - 60);
    await eraseUser(table, ALICE, nowSeconds() - 30);
    const result = await record(ctx, late, nowSeconds());
    expect(result.stale).toBe(true);
    expect(await getContact(table, ALICE)).toBeNull();
  });
});
