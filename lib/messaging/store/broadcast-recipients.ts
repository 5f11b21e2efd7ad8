/**
 * The recipients of a broadcast: one item per recipient (`BROADCAST#<bc>` / `R#<userId>`)
 * holding the state of its one message. Every change is one conditional single-item write, and
 * the states only move this way:
 *
 *     queued --claim--> sending --record--> sent | blocked | failed | unknown | skipped
 *        ^                 |  \
 *        +---- not sent ---+   +--lease passed--> unknown
 *     queued --skip--> skipped | blocked   (not to be messaged when its turn came)
 *
 * A message is sent only by the dispatcher that claimed its recipient (a random claim token),
 * and a recipient goes back to `queued` only on an answer that says Telegram did not send it
 * (429, a 5xx answer, a connection never opened). A claim that no answer settled (a crash, a
 * timeout) stays `sending` until its lease passes and is then `unknown`: never sent again.
 * Hence at most one message per recipient (docs/reliability.md).
 *
 * A recipient erased after the broadcast was created is never sent it, even after coming back:
 * - every item carries her person reference (keys.ts `REF#<id>`, `refAt` the broadcast's
 *   creation second), so her erasure deletes it (person-refs.ts), whatever its state;
 * - one the erasure's Query missed (written while she was being erased, or not yet in the
 *   index) is refused right before its send by her floor (broadcast-delivery.ts) and deleted
 *   then, under its claim (`dropRecipient`).
 * A deleted recipient is never recreated: every write here is conditional on a state. The
 * counts take every recipient no longer stored as `skipped` (broadcast-counts.ts).
 *
 * Items carry `expiresAt` (the broadcast's): DynamoDB's TTL removes them with the broadcast.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { forEachConcurrently } from '../../concurrency.ts';
import { sendUntilProcessed } from '../../store/batch-retry.ts';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { deleteIf, type Item, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { personRefIndexKeys, REF_AT } from '../../store/keys.ts';
import { readListPage } from '../../store/query.ts';
import { broadcastPk, RECIPIENT_PREFIX, recipientKey } from '../../store/service-keys.ts';

export const RECIPIENT_STATES = [
  'queued',
  'sending',
  'sent',
  'blocked',
  'failed',
  'skipped',
  'unknown',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];
/** States a recipient never leaves. */
export type FinalState = Exclude<RecipientState, 'queued' | 'sending'>;

export interface Recipient {
  userId: number;
  state: RecipientState;
  /** Sends tried after an answer that said "not sent" (5xx); bounded by the sender. */
  tries: number;
  /** Epoch ms before which a recipient put back to `queued` is not tried again. */
  retryAt?: number;
  /** Epoch ms when a claim (`sending`) runs out. */
  lease?: number;
  /**
   * Epoch seconds her person reference was made (the broadcast's creation): an erasure floor
   * after it refuses her. Absent on items written before references existed.
   */
  refAt?: number;
}

/** Items per BatchWriteItem request (DynamoDB's limit). */
const MAX_BATCH_WRITE = 25;
/** BatchWriteItem requests in flight at once. */
const WRITE_CONCURRENCY = 4;

/** What the sender and the counts read of a recipient. */
const RECIPIENT_PROJECTION = ['pk', 'sk', 'userId', 'state', 'tries', 'retryAt', 'lease', REF_AT];

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

function toRecipient(item: Item): Recipient {
  const state = RECIPIENT_STATES.find((s) => s === item.state) ?? 'queued';
  const retryAt = num(item.retryAt);
  const lease = num(item.lease);
  const refAt = num(item[REF_AT]);
  return {
    userId: Number(item.userId),
    state,
    tries: num(item.tries) ?? 0,
    ...(retryAt !== undefined ? { retryAt } : {}),
    ...(lease !== undefined ? { lease } : {}),
    ...(refAt !== undefined ? { refAt } : {}),
  };
}

/** The second a broadcast created at `createdAtMs` makes its recipients' references at. */
export const refSecondOf = (createdAtMs: number) => Math.floor(createdAtMs / 1000);

/**
 * Writes every recipient as `queued`, 25 per BatchWriteItem, a few in flight, each with her
 * person reference made at the broadcast's creation (`createdAtMs`). Only for a new
 * broadcast id: a batch write replaces items, so it must never run over recipients a
 * dispatcher may already be sending to (the create service uses a fresh id per attempt).
 */
export async function writeRecipients(
  ctx: StoreContext,
  broadcastId: string,
  userIds: readonly number[],
  expiresAt: number,
  createdAtMs: number,
): Promise<void> {
  const refAt = refSecondOf(createdAtMs);
  const batches: Item[][] = [];
  for (let i = 0; i < userIds.length; i += MAX_BATCH_WRITE) {
    batches.push(
      userIds.slice(i, i + MAX_BATCH_WRITE).map((userId) => ({
        PutRequest: {
          Item: {
            ...recipientKey(broadcastId, userId),
            ...personRefIndexKeys(userId, refAt),
            userId,
            state: 'queued',
            expiresAt,
          },
        },
      })),
    );
  }
  const write = (batch: Item[]) =>
    sendUntilProcessed(
      batch,
      async (pending) => {
        const answer = await ctx.client.send(
          new BatchWriteCommand({ RequestItems: { [ctx.tableName]: pending } }),
        );
        return (answer.UnprocessedItems?.[ctx.tableName] ?? []) as Item[];
      },
      'recipient writes',
    );
  try {
    // No batch starts after one failed: the broadcast is refused whole (500), so more writes
    // would only cost requests (each with the SDK's retries) against a failing store.
    await forEachConcurrently(
      batches,
      { concurrency: WRITE_CONCURRENCY, stopOnFailure: true },
      write,
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'recipient writes');
  }
}

/** One page of a broadcast's recipients in key order (consistent), and where the next starts. */
export async function readRecipients(
  ctx: StoreContext,
  broadcastId: string,
  page: { limit: number; startKey?: Item; consistent?: boolean },
): Promise<{ recipients: Recipient[]; lastKey?: Item }> {
  const { items, lastKey } = await readListPage(
    ctx,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
      ExpressionAttributeValues: { ':pk': broadcastPk(broadcastId), ':r': RECIPIENT_PREFIX },
      ProjectionExpression: RECIPIENT_PROJECTION.map((_, i) => `#p${i}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(
        RECIPIENT_PROJECTION.map((name, i) => [`#p${i}`, name]),
      ),
      ConsistentRead: page.consistent ?? true,
    },
    page,
    'recipients read',
    (found) => found.map(toRecipient),
  );
  return { recipients: items, ...(lastKey ? { lastKey } : {}) };
}

/**
 * The claim: `queued` (and due) -> `sending` under `token` until `leaseUntil`. Only after it
 * succeeds may the message be sent. False: not this caller's to send.
 */
export async function claimRecipient(
  ctx: StoreContext,
  broadcastId: string,
  userId: number,
  claim: { token: string; now: number; leaseUntil: number },
): Promise<boolean> {
  const update = new ItemUpdate(recipientKey(broadcastId, userId))
    .set('state', 'sending')
    .set('claim', claim.token)
    .set('lease', claim.leaseUntil)
    .remove('retryAt')
    .when('#{state} = :queued', { ':queued': 'queued' })
    .when('attribute_not_exists(#{retryAt}) OR #{retryAt} <= :now', { ':now': claim.now });
  return (await updateIf(ctx, update, 'recipient claim')).applied;
}

/** What Telegram's answer (or its absence) makes of a claimed recipient. */
export type Settle =
  | { state: FinalState; error?: string }
  /** Telegram did not send it: queued again, not before `retryAt` (`tries`: 5xx so far). */
  | { state: 'queued'; retryAt: number; tries?: number; error?: string };

/**
 * Records the outcome of a claimed recipient's send: only under the claim `token`, and only
 * while it is still `sending` (a claim already expired to `unknown` stays so). False: the
 * claim was lost.
 */
export async function settleRecipient(
  ctx: StoreContext,
  broadcastId: string,
  userId: number,
  token: string,
  settle: Settle,
  now: number,
): Promise<boolean> {
  const update = new ItemUpdate(recipientKey(broadcastId, userId))
    .set('state', settle.state)
    .set('at', now)
    .remove('claim')
    .remove('lease')
    .when('#{state} = :sending AND #{claim} = :token', { ':sending': 'sending', ':token': token });
  if (settle.state === 'queued') update.set('retryAt', settle.retryAt).set('tries', settle.tries);
  if (settle.error) update.set('error', settle.error);
  else update.remove('error');
  return (await updateIf(ctx, update, 'recipient record')).applied;
}

/**
 * Deletes a claimed recipient instead of settling it (she was erased after the broadcast was
 * created: nothing of her is kept), only under the claim `token` while still `sending`, as
 * `settleRecipient` records. False: the claim was lost (her erasure may have deleted it).
 */
export async function dropRecipient(
  ctx: StoreContext,
  broadcastId: string,
  userId: number,
  token: string,
): Promise<boolean> {
  return deleteIf(ctx, recipientKey(broadcastId, userId), 'recipient record', {
    ConditionExpression: '#state = :sending AND #claim = :token',
    ExpressionAttributeNames: { '#state': 'state', '#claim': 'claim' },
    ExpressionAttributeValues: { ':sending': 'sending', ':token': token },
  });
}

/**
 * A claim whose lease passed with no outcome recorded (its dispatcher crashed between the
 * claim and the record): `unknown`. Telegram may or may not have sent it; it is never sent
 * again.
 */
export async function expireRecipient(
  ctx: StoreContext,
  broadcastId: string,
  recipient: { userId: number; lease: number },
  now: number,
): Promise<boolean> {
  const update = new ItemUpdate(recipientKey(broadcastId, recipient.userId))
    .set('state', 'unknown')
    .set('at', now)
    .remove('claim')
    .remove('lease')
    .when('#{state} = :sending AND #{lease} = :lease AND #{lease} <= :now', {
      ':sending': 'sending',
      ':lease': recipient.lease,
      ':now': now,
    });
  return (await updateIf(ctx, update, 'recipient expiry')).applied;
}
