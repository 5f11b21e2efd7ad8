/**
 * Idempotency-Key records (IETF draft-ietf-httpapi-idempotency-key-header), one module for
 * direct messages (`IDEMPOTENCY#<keyId>#<sha256(key)>`) and broadcast creation
 * (`BROADCAST#IDEM#<keyId>#<sha256(key)>`): one item per API key and client key, kept
 * IDEMPOTENCY_TTL_SECONDS. Only hashes of the client's key and of the request are stored.
 *
 * States (one set for both uses):
 * - `pending`: a request claimed the key (a conditional create under a random token) and is
 *   acting; it holds a lease of LEASE_MS, longer than the lookup function's timeout, so its
 *   holder is gone when the lease runs out;
 * - `done`: the request finished with an answer (`recordAnswer`): repeats get it;
 * - `unknown`: the request may have acted and nobody knows (`recordUnknown`: a timeout, a 5xx,
 *   an unreadable answer; or a `pending` record whose lease ran out, under `expired:
 *   'unknown'`): repeats are told so and never act again;
 * - `released`: the request surely did nothing (`release`): the key is free again; the record
 *   keeps no reference to a person, no request hash and no answer;
 * - `erased`: the person the request was about was erased (idempotency-tombstone.ts): the
 *   record names no one and every repeat of the key, whatever its request, is told so and
 *   never acts (`eraseRecord` makes one of a record found older than the person's erasure).
 *
 * A `pending` record whose lease ran out is, by the caller's choice, `unknown` (a direct
 * message: its holder may have sent it before it crashed) or free to take over by the same
 * request (broadcast creation: nothing is visible before its record is `done`).
 *
 * Two concurrent requests with one key act at most once: only the winner of the conditional
 * create acts. A claim whose write landed with its answer lost (a timeout) is recognised by its
 * token and kept. Expired items are ignored (DynamoDB's TTL deletes them within days). The
 * record's layout, and how earlier layouts read: idempotency-record.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../../store/client.ts';
import { getItem, putIf, writeIf } from '../../store/item-ops.ts';
import type { Key } from '../../store/keys.ts';
import { broadcastIdempotencyKey, idempotencyKey } from '../../store/service-keys.ts';
import {
  IDEMPOTENCY_TTL_SECONDS,
  LEASE_MS,
  PENDING_NAMES,
  readRecord,
  type StoredAnswer,
} from './idempotency-record.ts';
import { tombstoneUpdate } from './idempotency-tombstone.ts';

export {
  IDEMPOTENCY_TTL_SECONDS,
  type IdempotencyState,
  LEASE_MS,
  type StoredAnswer,
} from './idempotency-record.ts';

/** A claimed key: the request may act, then `recordAnswer`, `recordUnknown` or `release`. */
export interface Claim {
  key: Key;
  token: string;
  /** When the key was claimed (epoch seconds). */
  createdAt: number;
}

export type ClaimResult =
  | { kind: 'claimed'; claim: Claim }
  | { kind: 'done'; answer: StoredAnswer; createdAt: number }
  | { kind: 'unknown'; createdAt: number }
  | { kind: 'erased' }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

export interface ClaimOptions {
  /** Epoch milliseconds (default: now). */
  now?: number;
  /** What a `pending` record whose lease ran out is (see the module comment). */
  expired: 'unknown' | 'take-over';
  /**
   * Extra attributes of the record, given its creation (epoch seconds): the reference to the
   * person it is about (keys.ts `personRefIndexKeys`), so that their erasure ends it.
   */
  refs?: (createdAt: number) => Record<string, unknown>;
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The record of a direct message's `idempotencyKeyValue` used by API key `apiKeyId`. */
export const idempotencyItemKey = (apiKeyId: string, idempotencyKeyValue: string): Key =>
  idempotencyKey(apiKeyId, sha256(idempotencyKeyValue));

/** The record of a broadcast creation's `idempotencyKeyValue` used by API key `apiKeyId`. */
export const broadcastIdempotencyItemKey = (apiKeyId: string, idempotencyKeyValue: string): Key =>
  broadcastIdempotencyKey(apiKeyId, sha256(idempotencyKeyValue));

/** A hash of a request body, for "the same request" (JSON with sorted members). */
export function canonicalHash(body: unknown): string {
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

/** The operation a claim's StoreError names. */
const CLAIM = 'idempotency claim';

const MAX_ATTEMPTS = 4;

/**
 * Claims `key` for a request whose canonical form hashes to `requestHash`. See the module
 * comment for the outcomes; a finished record (`done`, `unknown`) says when it was made, so a
 * caller can tell it from a person's erasure (and make it a tombstone with `eraseRecord`).
 */
export async function claimKey(
  ctx: StoreContext,
  key: Key,
  requestHash: string,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const now = options.now ?? Date.now();
  const nowSeconds = Math.floor(now / 1000);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const token = randomUUID();
    const claim: Claim = { key, token, createdAt: nowSeconds };
    if (await putClaim(ctx, claim, requestHash, now, options)) return { kind: 'claimed', claim };
    const item = await getItem(ctx, key, CLAIM);
    // Gone, expired or released since the write was refused: try to claim it again.
    if (!item || Number(item.expiresAt) <= nowSeconds) continue;
    const record = readRecord(item);
    if (record.state === 'released') continue;
    // A tombstone has no request hash: any request under the key is told so.
    if (record.state === 'erased') return { kind: 'erased' };
    if (item.requestHash !== requestHash) return { kind: 'mismatch' };
    if (record.state === 'done' && record.answer) {
      return { kind: 'done', answer: record.answer, createdAt: record.createdAt };
    }
    if (record.state === 'unknown') return { kind: 'unknown', createdAt: record.createdAt };
    if (record.state === 'pending' && record.leaseUntil <= now) {
      if (options.expired === 'take-over') continue;
      // Its holder is gone and may have acted: settle it as unknown, so that it stays so
      // (when that fails the record changed meanwhile: read it again).
      if (await markUnknown(ctx, key, String(record.token))) {
        return { kind: 'unknown', createdAt: record.createdAt };
      }
      continue;
    }
    return { kind: 'in-progress' };
  }
  return { kind: 'in-progress' };
}

/**
 * The conditional create of a claim: true when written. A fault whose write may have landed
 * with its answer lost is a claim when the record holds our token; else it is thrown.
 */
async function putClaim(
  ctx: StoreContext,
  claim: Claim,
  requestHash: string,
  now: number,
  options: ClaimOptions,
): Promise<boolean> {
  const values: Record<string, unknown> = { ':now': claim.createdAt, ':released': 'released' };
  const names: Record<string, string> = { '#state': 'state' };
  let condition = 'attribute_not_exists(pk) OR expiresAt <= :now OR #state = :released';
  if (options.expired === 'take-over') {
    condition += ' OR (#state IN (:p0, :p1, :p2) AND leaseUntil <= :nowMs AND requestHash = :hash)';
    PENDING_NAMES.forEach((name, i) => {
      values[`:p${i}`] = name;
    });
    Object.assign(values, { ':nowMs': now, ':hash': requestHash });
  }
  const input = {
    Item: {
      ...claim.key,
      state: 'pending',
      requestHash,
      token: claim.token,
      createdAt: claim.createdAt,
      leaseUntil: now + LEASE_MS,
      expiresAt: claim.createdAt + IDEMPOTENCY_TTL_SECONDS,
      ...options.refs?.(claim.createdAt),
    },
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  try {
    return await putIf(ctx, input, CLAIM);
  } catch (err: unknown) {
    if (await holds(ctx, claim.key, claim.token)) return true;
    throw err;
  }
}

/** Whether `key` is claimed under `token` (false also when it cannot be read). */
async function holds(ctx: StoreContext, key: Key, token: string): Promise<boolean> {
  try {
    const item = await getItem(ctx, key, CLAIM);
    return item !== undefined && readRecord(item).state === 'pending' && item.token === token;
  } catch {
    return false;
  }
}

/** Moves the pending record held under `token` to `state`; false when it is not so held. */
async function settle(
  ctx: StoreContext,
  key: Key,
  token: string,
  state: 'done' | 'unknown' | 'released',
  answer?: StoredAnswer,
): Promise<boolean> {
  // A released key keeps nothing of its request: no reference to a person, no hash of it.
  const removed = state === 'released' ? 'leaseUntil, requestHash, gsi2pk, refAt' : 'leaseUntil';
  // False: not ours any more (its lease ran out and another request settled or took the key).
  return updateRecord(ctx, key, {
    UpdateExpression: `SET #state = :state${answer ? ', answer = :answer' : ''} REMOVE ${removed}`,
    ConditionExpression: '#state IN (:p0, :p1, :p2) AND #token = :token',
    ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
    ExpressionAttributeValues: {
      ':state': state,
      ':token': token,
      ...Object.fromEntries(PENDING_NAMES.map((name, i) => [`:p${i}`, name])),
      ...(answer ? { ':answer': answer } : {}),
    },
  });
}

/** A conditional UpdateItem of a record: false when its condition failed. */
function updateRecord(
  ctx: StoreContext,
  key: Key,
  input: Omit<UpdateCommandInput, 'TableName' | 'Key'>,
): Promise<boolean> {
  return writeIf('idempotency record', () =>
    ctx.client.send(new UpdateCommand({ TableName: ctx.tableName, Key: key, ...input })),
  );
}

const markUnknown = (ctx: StoreContext, key: Key, token: string) =>
  settle(ctx, key, token, 'unknown');

/** Stores the answer of a claimed request: repeats get it. False when the key is not ours. */
export function recordAnswer(ctx: StoreContext, claim: Claim, answer: StoredAnswer) {
  return settle(ctx, claim.key, claim.token, 'done', answer);
}

/** The claimed request may have acted: repeats are told `unknown` and never act again. */
export function recordUnknown(ctx: StoreContext, claim: Claim) {
  return markUnknown(ctx, claim.key, claim.token);
}

/** Frees a claimed key whose request surely did nothing (it may be tried again). */
export async function release(ctx: StoreContext, claim: Claim): Promise<void> {
  await settle(ctx, claim.key, claim.token, 'released');
}

/**
 * Makes the finished record (`done`, `unknown`) made at `createdAt` a tombstone: a record its
 * reader found older than its person's erasure (one the erasure's Query missed). False when
 * the record is no longer that one (already a tombstone, or replaced).
 */
export async function eraseRecord(ctx: StoreContext, key: Key, createdAt: number) {
  const update = tombstoneUpdate();
  return updateRecord(ctx, key, {
    ...update,
    ConditionExpression: 'createdAt = :created AND #tstate IN (:done, :unknown)',
    ExpressionAttributeValues: {
      ...update.ExpressionAttributeValues,
      ':created': createdAt,
      ':done': 'done',
      ':unknown': 'unknown',
    },
  });
}
