/**
 * The store core's single-item calls, each with the error mapping every feature shares: a
 * failed condition is a domain answer (`false`, or `applied: false`), anything else the SDK
 * throws becomes a `StoreError` naming the operation (the webhook answers 5xx for those, the
 * lookup 503). Features build their keys and conditions; they call these instead of standing a
 * try/catch around `client.send`.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DeleteCommandInput,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { StoreContext } from './client.ts';
import { isConditionalCheckFailed, toStoreError } from './dynamo-errors.ts';
import type { ItemUpdate } from './item-update.ts';
import type { Key } from './keys.ts';

export type Item = Record<string, unknown>;

/** Runs one store call; a failed condition answers `onConditionFailed`, a fault a StoreError. */
export async function storeCall<T>(
  operation: string,
  call: () => Promise<T>,
  onConditionFailed: (err: unknown) => T,
): Promise<T> {
  try {
    return await call();
  } catch (err: unknown) {
    if (isConditionalCheckFailed(err)) return onConditionFailed(err);
    throw toStoreError(err, operation);
  }
}

/** Runs one conditional write: `false` when its condition failed, a fault a StoreError. */
export function writeIf(operation: string, write: () => Promise<unknown>): Promise<boolean> {
  return storeCall(
    operation,
    async () => {
      await write();
      return true;
    },
    () => false,
  );
}

/** Reads one item; consistent unless `consistent: false` (an index copy, a page of a list). */
export async function getItem(
  ctx: StoreContext,
  key: Key,
  operation: string,
  options: { consistent?: boolean } = {},
): Promise<Item | undefined> {
  const { consistent = true } = options;
  try {
    const { Item } = await ctx.client.send(
      new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: consistent }),
    );
    return Item;
  } catch (err: unknown) {
    throw toStoreError(err, operation);
  }
}

type PutInput = Omit<PutCommandInput, 'TableName'>;

/** Writes `item` unless an item with its key is there: `false` when one was. */
export function putIfAbsent(ctx: StoreContext, item: Item, operation: string): Promise<boolean> {
  return putIf(ctx, { Item: item, ConditionExpression: 'attribute_not_exists(pk)' }, operation);
}

/** A conditional PutItem: `false` when its condition failed. */
export function putIf(ctx: StoreContext, input: PutInput, operation: string): Promise<boolean> {
  return writeIf(operation, () =>
    ctx.client.send(new PutCommand({ TableName: ctx.tableName, ...input })),
  );
}

/** What a conditional UpdateItem did, with the attributes asked for by `returnValues`. */
export interface UpdateResult {
  applied: boolean;
  attributes?: Item;
}

/**
 * Applies `update` (its conditions included): `applied: false` when a condition failed, with
 * the item as it was when `returnOld` asks for it (ReturnValuesOnConditionCheckFailure; real
 * DynamoDB only: dynalite leaves it out, so a caller must not depend on it).
 */
export function updateIf(
  ctx: StoreContext,
  update: ItemUpdate,
  operation: string,
  options: {
    returnValues?: 'ALL_OLD' | 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW';
    returnOld?: boolean;
  } = {},
): Promise<UpdateResult> {
  return storeCall<UpdateResult>(
    operation,
    async () => {
      const { Attributes } = await ctx.client.send(
        new UpdateCommand({
          ...update.toInput(ctx.tableName),
          ...(options.returnValues ? { ReturnValues: options.returnValues } : {}),
          ...(options.returnOld ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {}),
        }),
      );
      return { applied: true, ...(Attributes ? { attributes: Attributes } : {}) };
    },
    (err) => {
      // DynamoDB hands the refused item over marshalled; dynalite does not hand it over.
      const raw = (err as { Item?: Record<string, AttributeValue> }).Item;
      return { applied: false, ...(raw ? { attributes: unmarshall(raw) } : {}) };
    },
  );
}

type DeleteInput = Omit<DeleteCommandInput, 'TableName' | 'Key'>;

/** Deletes the item at `key` (under `input`'s condition, if any): `false` when it failed. */
export function deleteIf(
  ctx: StoreContext,
  key: Key,
  operation: string,
  input: DeleteInput = {},
): Promise<boolean> {
  return writeIf(operation, () =>
    ctx.client.send(new DeleteCommand({ TableName: ctx.tableName, Key: key, ...input })),
  );
}
