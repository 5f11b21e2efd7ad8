/**
 * Broadcasts (issue 13): one item per broadcast (`BROADCAST#<bc>` / `BROADCAST`) with the
 * message, a summary of the audience, the status and, once finished, the final counts; listed
 * newest first through GSI1 `BROADCASTS`. While it has messages to send, a marker item
 * (`BROADCAST#<bc>` / `PENDING`) lists it under GSI1 `BROADCASTING` for the dispatcher's
 * sweep. Recipients: broadcast-recipients.ts (each names its person, and her erasure deletes
 * it). The broadcast item names nobody: an audience of user ids is kept as their count only.
 * Everything in the partition carries `expiresAt` (KEEP_SECONDS after creation).
 *
 * Status: `queued` (created, nothing sent yet) -> `sending` (the dispatcher started) -> `done`
 * (every recipient has its final state), or `cancelled` from either of the first two.
 */
import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getItems, tableKeys } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { isConditionalCheckFailed, toStoreError } from '../../store/dynamo-errors.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import {
  BROADCASTS_INDEX_PK,
  broadcastIndexKeys,
  broadcastKey,
  PENDING_BROADCASTS_PK,
  pendingBroadcastIndexKeys,
  pendingBroadcastKey,
} from '../../store/keys.ts';
import { type ListPage, type PageRequest, queryPage } from '../../store/query.ts';
import { GSI1 } from '../../store/table.ts';
import type { OutboundMessage } from '../../telegram/outbound-message.ts';

export const BROADCAST_STATUSES = ['queued', 'sending', 'done', 'cancelled'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

export const BROADCAST_ID_PATTERN = /^bc_[0-9a-f]{20}$/;
/** `bc_` and 20 random hex digits. */
export const newBroadcastId = () => `bc_${randomBytes(10).toString('hex')}`;

/** How long a broadcast, its recipients and their states are kept (DynamoDB TTL). */
export const BROADCAST_KEEP_SECONDS = 30 * 86_400;

/** What every recipient is sent. */
export type BroadcastMessage = OutboundMessage;

/** Who it went to, for the record (the recipients themselves are the recipient items). */
export type AudienceSummary =
  | { kind: 'tag'; tag: string }
  | { kind: 'chat'; chatId: number }
  | { kind: 'users'; count: number };

export interface BroadcastCounts {
  sent: number;
  failed: number;
  blocked: number;
  skipped: number;
  unknown: number;
}

export interface Broadcast {
  id: string;
  status: BroadcastStatus;
  total: number;
  message: BroadcastMessage;
  audience: AudienceSummary;
  /** The API key that created it. */
  keyId: string;
  /** Epoch ms. */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Set once nothing is left to send (done, or cancelled and settled). */
  counts?: BroadcastCounts;
}

type Item = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

function messageOf(m: Partial<BroadcastMessage>): BroadcastMessage {
  return {
    text: String(m.text ?? ''),
    parseMode: m.parseMode ?? null,
    disableNotification: m.disableNotification === true,
    buttons: m.buttons ?? [],
  };
}

function toBroadcast(item: Item): Broadcast {
  const status = BROADCAST_STATUSES.find((s) => s === item.status) ?? 'queued';
  const startedAt = num(item.startedAt);
  const finishedAt = num(item.finishedAt);
  const counts = item.counts as BroadcastCounts | undefined;
  return {
    id: String(item.id),
    status,
    total: num(item.total) ?? 0,
    message: messageOf(item.message as Partial<BroadcastMessage>),
    audience: item.audience as AudienceSummary,
    keyId: String(item.keyId),
    createdAt: num(item.createdAt) ?? 0,
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    ...(counts ? { counts } : {}),
  };
}

async function conditional<T>(run: () => Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await run();
  } catch (err: unknown) {
    if (isConditionalCheckFailed(err)) return undefined;
    throw toStoreError(err, what);
  }
}

export const expiryOf = (createdAtMs: number) =>
  Math.floor(createdAtMs / 1000) + BROADCAST_KEEP_SECONDS;

/**
 * Stores a new broadcast whose recipients are already written, and lists it for the
 * dispatcher (an empty audience is done at once). The marker is written after the item:
 * a crash between the two leaves a broadcast the dispatcher never sees, which the create
 * service's retry (same idempotencyKey) completes.
 */
export async function putBroadcast(ctx: StoreContext, broadcast: Broadcast): Promise<void> {
  const created = new Date(broadcast.createdAt).toISOString();
  const expiresAt = expiryOf(broadcast.createdAt);
  const { counts, ...rest } = broadcast;
  await conditional(
    () =>
      ctx.client.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: {
            ...broadcastKey(broadcast.id),
            ...broadcastIndexKeys(created, broadcast.id),
            ...rest,
            ...(counts ? { counts } : {}),
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    'broadcast write',
  );
  if (broadcast.status === 'done' || broadcast.status === 'cancelled') return;
  await listPending(ctx, broadcast);
}

/**
 * Lists a stored broadcast for the dispatcher (its pending marker). Safe to repeat: a create
 * retried after its first attempt stored the broadcast but failed to list it lists it here,
 * or it would stay `queued` and never be sent.
 */
export async function listPending(
  ctx: StoreContext,
  broadcast: Pick<Broadcast, 'id' | 'createdAt'>,
): Promise<void> {
  try {
    await ctx.client.send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: {
          ...pendingBroadcastKey(broadcast.id),
          ...pendingBroadcastIndexKeys(broadcast.createdAt, broadcast.id),
          id: broadcast.id,
          expiresAt: expiryOf(broadcast.createdAt),
        },
      }),
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'broadcast write');
  }
}

export async function getBroadcast(
  ctx: StoreContext,
  id: string,
  consistent = false,
): Promise<Broadcast | undefined> {
  try {
    const { Item } = await ctx.client.send(
      new GetCommand({
        TableName: ctx.tableName,
        Key: broadcastKey(id),
        ConsistentRead: consistent,
      }),
    );
    return Item ? toBroadcast(Item) : undefined;
  } catch (err: unknown) {
    throw toStoreError(err, 'broadcast read');
  }
}

/** Broadcasts, newest first. */
export async function listBroadcasts(
  ctx: StoreContext,
  page: PageRequest,
): Promise<ListPage<Broadcast>> {
  try {
    const { items, lastKey } = await queryPage(
      ctx,
      {
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': BROADCASTS_INDEX_PK },
        ScanIndexForward: false,
      },
      page.limit,
      page.startKey,
    );
    // In the order asked (newest first); one that expired since the index was read is left out.
    const found = await getItems(ctx, tableKeys(items));
    return {
      items: found.map(toBroadcast),
      ...(lastKey ? { lastKey } : {}),
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'broadcast list');
  }
}

/** Ids of broadcasts with messages still to send, oldest first. */
export async function listPendingBroadcasts(ctx: StoreContext, limit = 10): Promise<string[]> {
  try {
    const { items } = await queryPage(
      ctx,
      {
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': PENDING_BROADCASTS_PK },
      },
      limit,
    );
    return items.map((item) => String(item.gsi1sk).split('#')[1] ?? '').filter(Boolean);
  } catch (err: unknown) {
    throw toStoreError(err, 'pending broadcasts read');
  }
}

/** The dispatcher starts sending: `queued` -> `sending`. False when it was not queued. */
export async function markSending(ctx: StoreContext, id: string, now: number): Promise<boolean> {
  const update = new ItemUpdate(broadcastKey(id))
    .set('status', 'sending')
    .set('startedAt', now)
    .when('#{status} = :queued', { ':queued': 'queued' });
  const done = await conditional(
    () => ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName))),
    'broadcast update',
  );
  return done !== undefined;
}

/**
 * Stops a queued or sending broadcast: what is not sent yet never will be. Returns the
 * broadcast as it is afterwards (undefined: no such broadcast).
 */
export async function cancelBroadcast(
  ctx: StoreContext,
  id: string,
  now: number,
): Promise<Broadcast | undefined> {
  const update = new ItemUpdate(broadcastKey(id))
    .set('status', 'cancelled')
    .set('finishedAt', now)
    .when('#{status} IN (:queued, :sending)', { ':queued': 'queued', ':sending': 'sending' });
  const answer = await conditional(
    () =>
      ctx.client.send(
        new UpdateCommand({ ...update.toInput(ctx.tableName), ReturnValues: 'ALL_NEW' }),
      ),
    'broadcast cancel',
  );
  if (answer?.Attributes) return toBroadcast(answer.Attributes);
  return getBroadcast(ctx, id, true);
}

/**
 * Nothing is left to send: the final counts are stored (and a sending broadcast is `done`),
 * then the marker goes. Safe to repeat.
 */
export async function finishBroadcast(
  ctx: StoreContext,
  id: string,
  counts: BroadcastCounts,
  now: number,
): Promise<void> {
  const done = new ItemUpdate(broadcastKey(id))
    .set('status', 'done')
    .set('counts', counts)
    .set('finishedAt', now)
    .when('#{status} IN (:queued, :sending)', { ':queued': 'queued', ':sending': 'sending' });
  const marked = await conditional(
    () => ctx.client.send(new UpdateCommand(done.toInput(ctx.tableName))),
    'broadcast finish',
  );
  // Cancelled meanwhile: it keeps its status and time, and gets its counts.
  if (!marked) {
    const counted = new ItemUpdate(broadcastKey(id))
      .set('counts', counts)
      .setIfMissing('finishedAt', now)
      .when('attribute_exists(pk)');
    await conditional(
      () => ctx.client.send(new UpdateCommand(counted.toInput(ctx.tableName))),
      'broadcast finish',
    );
  }
  await forgetPending(ctx, id);
}

/** Takes a broadcast off the dispatcher's list. */
export async function forgetPending(ctx: StoreContext, id: string): Promise<void> {
  try {
    await ctx.client.send(
      new DeleteCommand({ TableName: ctx.tableName, Key: pendingBroadcastKey(id) }),
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'broadcast finish');
  }
}
