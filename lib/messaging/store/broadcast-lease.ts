/**
 * The broadcast sender's lease (`BROADCAST#SENDER` / `LEASE`): one dispatcher at a time sends
 * broadcasts, so the pace (BROADCAST_RATE) holds for the bot as a whole, not per invocation.
 * The holder renews it while it sends and releases it when it stops; one that crashed loses
 * it when it runs out. It also carries what the next holder must respect: a pause Telegram
 * asked for (429 `retry_after`), the end of the last holder's pacing window and the end of
 * the second of the last chat it messaged: another holder starts nothing before it, so one
 * message per chat per second holds across holders. The chats themselves are not stored: a
 * private chat's id is its user's id, and the lease outlives any erasure (a handover waits
 * up to a second instead; the same holder taking it again keeps its own pacer's chats).
 *
 * The lease is about pace only. That no recipient gets two messages does not depend on it:
 * each recipient's own claim (broadcast-recipients.ts) ensures that even if two holders
 * overlapped (a paused process waking after its lease ran out).
 */
import type { StoreContext } from '../../store/client.ts';
import { updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { broadcastSenderLeaseKey } from '../../store/service-keys.ts';

export interface SenderLease {
  /** Epoch ms when it runs out unless renewed. */
  until: number;
  /** Epoch ms before which nothing may be sent (Telegram's retry_after). */
  pausedUntil: number;
  /** Epoch ms before which the previous holder's last sends still count in a 1 s window. */
  quietUntil: number;
  /** Epoch ms when the second of the last chat the previous holder messaged ends. */
  chatsQuietUntil: number;
  /** Who held it before (undefined: nobody yet). */
  previousOwner?: string;
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** What an older version stored on the lease: the chats (user ids) of its last second. */
export const LEGACY_CHATS = 'recentChats';

async function write(
  ctx: StoreContext,
  update: ItemUpdate,
  returnValues: 'ALL_NEW' | 'ALL_OLD' = 'ALL_NEW',
): Promise<Record<string, unknown> | undefined> {
  const result = await updateIf(ctx, update, 'broadcast lease', { returnValues });
  return result.applied ? (result.attributes ?? {}) : undefined;
}

/**
 * Takes the lease when it is free, ran out, or is already `owner`'s; undefined otherwise.
 * Removes the chat list an older version kept there (`recentChats`: user ids).
 */
export async function takeSenderLease(
  ctx: StoreContext,
  owner: string,
  now: number,
  leaseMs: number,
): Promise<SenderLease | undefined> {
  const update = new ItemUpdate(broadcastSenderLeaseKey())
    .set('owner', owner)
    .set('until', now + leaseMs)
    .remove(LEGACY_CHATS)
    .when('attribute_not_exists(#{until}) OR #{until} <= :now OR #{owner} = :owner', {
      ':now': now,
      ':owner': owner,
    });
  const before = await write(ctx, update, 'ALL_OLD');
  if (!before) return undefined;
  return {
    until: now + leaseMs,
    pausedUntil: num(before.pausedUntil),
    quietUntil: num(before.quietUntil),
    chatsQuietUntil: num(before.chatsQuietUntil),
    ...(typeof before.owner === 'string' ? { previousOwner: before.owner } : {}),
  };
}

/** Extends `owner`'s lease; false when it is no longer theirs (stop sending). */
export async function renewSenderLease(
  ctx: StoreContext,
  owner: string,
  now: number,
  leaseMs: number,
): Promise<boolean> {
  const update = new ItemUpdate(broadcastSenderLeaseKey())
    .set('until', now + leaseMs)
    .when('#{owner} = :owner', { ':owner': owner });
  return (await write(ctx, update)) !== undefined;
}

/** Records a pause Telegram asked for, for whoever sends next. */
export async function pauseSenders(
  ctx: StoreContext,
  owner: string,
  pausedUntil: number,
): Promise<void> {
  const update = new ItemUpdate(broadcastSenderLeaseKey())
    .set('pausedUntil', pausedUntil)
    .when('#{owner} = :owner', { ':owner': owner });
  await write(ctx, update);
}

/**
 * Gives the lease up (free at `now`), with the end of this holder's pacing window and of its
 * last chat's second (another holder starts nothing before either).
 */
export async function releaseSenderLease(
  ctx: StoreContext,
  owner: string,
  now: number,
  quietUntil: number,
  chatsQuietUntil = 0,
): Promise<void> {
  const update = new ItemUpdate(broadcastSenderLeaseKey())
    .set('until', now)
    .set('quietUntil', quietUntil)
    .set('chatsQuietUntil', chatsQuietUntil)
    .remove(LEGACY_CHATS)
    .when('#{owner} = :owner', { ':owner': owner });
  await write(ctx, update);
}
