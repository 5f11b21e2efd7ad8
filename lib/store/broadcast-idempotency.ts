/**
 * Idempotent broadcast creation (`idempotencyKey`, the IETF Idempotency-Key draft's rules):
 * one item per API key and hash of the client's key (`BROADCAST#IDEM#<keyId>#<sha256>`), kept
 * 24 hours. A request takes it as `processing` under a random token for PROCESSING_MS (longer
 * than the lookup function's timeout, so its holder is gone when it runs out); it becomes
 * `done` with the broadcast id once the recipients are written, before the broadcast is listed.
 *
 * - the same body again: the first answer (the same broadcast), nothing created;
 * - while the first is still processing: 409, try again;
 * - another body under the same key: 422.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client.ts';
import { isConditionalCheckFailed, toStoreError } from './dynamo-errors.ts';
import { ItemUpdate } from './item-update.ts';
import { broadcastIdempotencyKey } from './keys.ts';

/** How long a key is remembered. */
export const IDEMPOTENCY_KEEP_SECONDS = 86_400;
/** How long a request may hold a key before another may take over (its function timed out). */
export const PROCESSING_MS = 60_000;

export type IdempotentStart =
  | { kind: 'new' }
  | { kind: 'done'; broadcastId: string; total: number }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export interface IdempotencyRef {
  keyId: string;
  /** The client's idempotency key (only its hash is stored). */
  key: string;
  /** This request's hold on the key. */
  token: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const keyOf = (ref: IdempotencyRef) => broadcastIdempotencyKey(ref.keyId, sha256(ref.key));

/** A hash of a request body, for "the same request" (JSON with sorted members). */
export function requestHash(body: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([, v]) => v !== undefined)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value;
  return sha256(JSON.stringify(canonical(body)));
}

/** Takes the key for this request, or says what an earlier request with it did. */
export async function startIdempotent(
  ctx: StoreContext,
  ref: IdempotencyRef,
  hash: string,
  now: number,
): Promise<IdempotentStart> {
  const key = keyOf(ref);
  const nowSeconds = Math.floor(now / 1000);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await ctx.client.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: {
            ...key,
            state: 'processing',
            token: ref.token,
            requestHash: hash,
            leaseUntil: now + PROCESSING_MS,
            expiresAt: nowSeconds + IDEMPOTENCY_KEEP_SECONDS,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt <= :now OR (#state = :processing AND leaseUntil <= :nowMs AND requestHash = :hash)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':now': nowSeconds,
            ':nowMs': now,
            ':processing': 'processing',
            ':hash': hash,
          },
        }),
      );
      return { kind: 'new' };
    } catch (err: unknown) {
      if (!isConditionalCheckFailed(err)) throw toStoreError(err, 'idempotency write');
    }
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await ctx.client.send(
        new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }),
      ));
    } catch (err: unknown) {
      throw toStoreError(err, 'idempotency read');
    }
    if (!item) continue; // expired and deleted in between: take it
    if (item.requestHash !== hash) return { kind: 'mismatch' };
    if (item.state === 'done') {
      return { kind: 'done', broadcastId: String(item.broadcastId), total: Number(item.total) };
    }
    return { kind: 'in-progress' };
  }
  return { kind: 'in-progress' };
}

/** The request finished: later ones get this broadcast. False when the key is no longer ours. */
export async function completeIdempotent(
  ctx: StoreContext,
  ref: IdempotencyRef,
  result: { broadcastId: string; total: number },
): Promise<boolean> {
  const update = new ItemUpdate(keyOf(ref))
    .set('state', 'done')
    .set('broadcastId', result.broadcastId)
    .set('total', result.total)
    .remove('leaseUntil')
    .when('#{token} = :token AND #{state} = :processing', {
      ':token': ref.token,
      ':processing': 'processing',
    });
  try {
    await ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName)));
    return true;
  } catch (err: unknown) {
    if (isConditionalCheckFailed(err)) return false;
    throw toStoreError(err, 'idempotency write');
  }
}

/** The request failed before creating anything: the key is free again for a retry. */
export async function abandonIdempotent(ctx: StoreContext, ref: IdempotencyRef): Promise<void> {
  try {
    await ctx.client.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: keyOf(ref),
        ConditionExpression: '#token = :token AND #state = :processing',
        ExpressionAttributeNames: { '#token': 'token', '#state': 'state' },
        ExpressionAttributeValues: { ':token': ref.token, ':processing': 'processing' },
      }),
    );
  } catch (err: unknown) {
    if (!isConditionalCheckFailed(err)) throw toStoreError(err, 'idempotency write');
  }
}
