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
 * (every recipient has its final state), or `cancelled` from either of the first two. This
 * module holds what the API does (create, read, list, cancel); broadcast-progress.ts what the
 * dispatcher does (the pending list, `sending`, the final counts).
 */
import { randomBytes } from 'node:crypto';
import type { StoreContext } from '../../store/client.ts';
import { getItem, type Item, putIf, putIfAbsent, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { type ListPage, type PageRequest, readListedPage } from '../../store/query.ts';
import {
  BROADCASTS_INDEX_PK,
  broadcastIndexKeys,
  broadcastKey,
  pendingBroadcastIndexKeys,
  pendingBroadcastKey,
} from '../../store/service-keys.ts';
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
  const item = {
    ...broadcastKey(broadcast.id),
    ...broadcastIndexKeys(created, broadcast.id),
    ...rest,
    ...(counts ? { counts } : {}),
    expiresAt,
  };
  await putIfAbsent(ctx, item, 'broadcast write');
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
  const item = {
    ...pendingBroadcastKey(broadcast.id),
    ...pendingBroadcastIndexKeys(broadcast.createdAt, broadcast.id),
    id: broadcast.id,
    expiresAt: expiryOf(broadcast.createdAt),
  };
  await putIf(ctx, { Item: item }, 'broadcast write');
}

export async function getBroadcast(
  ctx: StoreContext,
  id: string,
  consistent = false,
): Promise<Broadcast | undefined> {
  const item = await getItem(ctx, broadcastKey(id), 'broadcast read', { consistent });
  return item ? toBroadcast(item) : undefined;
}

/** Broadcasts, newest first. */
export function listBroadcasts(ctx: StoreContext, page: PageRequest): Promise<ListPage<Broadcast>> {
  return readListedPage(ctx, BROADCASTS_INDEX_PK, page, 'broadcast list', toBroadcast);
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
  const result = await updateIf(ctx, update, 'broadcast cancel', { returnValues: 'ALL_NEW' });
  if (result.applied && result.attributes) return toBroadcast(result.attributes);
  return getBroadcast(ctx, id, true);
}
