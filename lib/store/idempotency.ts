/**
 * Idempotency-Key records (IETF draft-ietf-httpapi-idempotency-key-header): one item per API
 * key and Idempotency-Key (`IDEMPOTENCY#<keyId>#<sha256(key)>`), kept 24 h.
 *
 * A request claims its key before it acts (a conditional create: `sending`, with a hash of
 * the request); after acting it stores its answer (`done`). A repeat finds the item: the same
 * request gets the stored answer, a different one is refused, and one arriving while the first
 * is `sending` is told so. Whoever wins the conditional create is the only one to act, so two
 * concurrent requests with one key act at most once. A crash between acting and storing the
 * answer leaves the item `sending` until it expires: the request is then never repeated
 * (at most once), and its key answers "in progress" for the rest of the 24 h.
 *
 * A claim whose write landed with its answer lost (a timeout) is recognised by its token and
 * kept: otherwise its own request would fail and every repeat find the key "in progress".
 *
 * A claim whose request did nothing (refused before acting) is `released`: the key is free
 * again. Expired items are ignored (DynamoDB's TTL deletes them within days, the embedded
 * store never).
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client.ts';
import { isConditionalCheckFailed, toStoreError } from './dynamo-errors.ts';
import { idempotencyKey, type Key } from './keys.ts';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** An answer as it is replayed: its status and JSON body (a problem's detail for errors). */
export interface StoredAnswer {
  status: number;
  body?: unknown;
  detail?: string;
  headers?: Record<string, string>;
}

/** A claimed key: the request may act, then `completeClaim` or `releaseClaim`. */
export interface Claim {
  key: Key;
  token: string;
}

export type ClaimResult =
  | { kind: 'claimed'; claim: Claim }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The item of `idempotencyKeyValue` used by API key `apiKeyId` (the value is only hashed). */
export const idempotencyItemKey = (apiKeyId: string, idempotencyKeyValue: string): Key =>
  idempotencyKey(apiKeyId, sha256(idempotencyKeyValue));

const MAX_ATTEMPTS = 4;

/**
 * Claims `key` for a request whose canonical form hashes to `requestHash`, at `now` (epoch
 * seconds). See the module comment for the outcomes.
 */
export async function claimIdempotencyKey(
  ctx: StoreContext,
  key: Key,
  requestHash: string,
  now = Math.floor(Date.now() / 1000),
): Promise<ClaimResult> {
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const token = randomUUID();
      try {
        await ctx.client.send(
          new PutCommand({
            TableName: ctx.tableName,
            Item: {
              ...key,
              state: 'sending',
              requestHash,
              token,
              createdAt: now,
              expiresAt: now + IDEMPOTENCY_TTL_SECONDS,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR expiresAt <= :now OR #state = :released',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':now': now, ':released': 'released' },
          }),
        );
        return { kind: 'claimed', claim: { key, token } };
      } catch (err: unknown) {
        if (!isConditionalCheckFailed(err)) {
          // The write may have landed with its answer lost: then the key is ours (our token).
          if (await holds(ctx, key, token)) return { kind: 'claimed', claim: { key, token } };
          throw err;
        }
      }
      const { Item } = await ctx.client.send(
        new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }),
      );
      // Gone, expired or released since the write was refused: try to claim it again.
      if (!Item || Number(Item.expiresAt) <= now || Item.state === 'released') continue;
      if (Item.requestHash !== requestHash) return { kind: 'mismatch' };
      if (Item.state === 'done' && Item.answer) {
        return { kind: 'replay', answer: Item.answer as StoredAnswer };
      }
      return { kind: 'in-progress' };
    }
    return { kind: 'in-progress' };
  } catch (err: unknown) {
    throw toStoreError(err, 'idempotency claim');
  }
}

/** Whether `key` is claimed under `token` (false also when it cannot be read). */
async function holds(ctx: StoreContext, key: Key, token: string): Promise<boolean> {
  try {
    const { Item } = await ctx.client.send(
      new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }),
    );
    return Item?.state === 'sending' && Item.token === token;
  } catch {
    return false;
  }
}

async function finish(
  ctx: StoreContext,
  claim: Claim,
  state: 'done' | 'released',
  answer?: StoredAnswer,
): Promise<void> {
  try {
    await ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: claim.key,
        UpdateExpression: answer ? 'SET #state = :state, answer = :answer' : 'SET #state = :state',
        ConditionExpression: '#state = :sending AND #token = :token',
        ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
        ExpressionAttributeValues: {
          ':state': state,
          ':sending': 'sending',
          ':token': claim.token,
          ...(answer ? { ':answer': answer } : {}),
        },
      }),
    );
  } catch (err: unknown) {
    // Not ours any more (it expired and another request claimed the key): nothing to do.
    if (isConditionalCheckFailed(err)) return;
    throw toStoreError(err, 'idempotency record');
  }
}

/** Stores the answer of a claimed request: repeats get it from now on. */
export function completeClaim(ctx: StoreContext, claim: Claim, answer: StoredAnswer) {
  return finish(ctx, claim, 'done', answer);
}

/** Frees a claimed key whose request did nothing (it may be tried again with the same key). */
export function releaseClaim(ctx: StoreContext, claim: Claim) {
  return finish(ctx, claim, 'released');
}
