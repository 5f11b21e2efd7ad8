/**
 * contact.created and contact.updated: the two events that depend on what was stored before
 * an update, decided from the answer of the update's write to the contact's month (its
 * "gate", which every update about a person writes), so an ordinary message costs no read.
 *
 * - created: the update created the contact's month item, or wrote the first register into an
 *   erasure's tombstone (ALL_OLD empty or without registers; on a redelivery the item's `ci`
 *   names this update), and it is the contact's creator: the first to write the contact's
 *   life item (`USER#<id>` / `LIFE`, once per contact and month, an unconditional write whose
 *   ALL_OLD tells), which keeps the creator until the next erasure removes it. One arbiter
 *   for the contact's whole life: months recorded out of order (December's update before
 *   November's, by two chats' queues) or a crash between a month's write and the event
 *   (redelivered after another month was recorded) still give exactly one event, the
 *   creator's (a redelivered creator finds itself there and writes it again).
 * - updated: the names (first, last, username) differ from what this update's queue showed
 *   before in the month (the register's hash `h`, copied by the same write to `n:<queue>`, so a
 *   redelivery finds it again), else from the newest other queue's, else from the newest
 *   earlier month. Its id is the change itself (user, old names, new names, UTC day): the
 *   queues of the several chats a renamed member writes in report one rename as one event.
 *
 * Outside: a rename back and forth within a day to names of that day is one event; a
 * contact silent for the retention period comes back as created.
 */
import { createHash } from 'node:crypto';
import { eventIdOf, type OutboxEvent } from '../../events/store/outbox.ts';
import type { StoreContext } from '../../store/client.ts';
import { updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { contactLifeKey, monthSk, userPk } from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import type { PersonFact } from '../../telegram/update/facts.ts';
import { contactData } from '../record/event-plan.ts';
import {
  CREATED_BY,
  EXPIRES_AT,
  isRegisterAttr,
  previousNamesAttr,
  registerAttr,
  SINGLE_SOURCE,
} from '../record/registers.ts';

/** `n:<queue>` when the queue had no register there before. */
export const NO_NAMES = '-';

type Item = Record<string, unknown>;

export function namesHash(person: { f?: unknown; l?: unknown; u?: unknown }): string;
export function namesHash(person: PersonFact): string;
export function namesHash(person: Record<string, unknown> | PersonFact): string {
  const p = person as Record<string, unknown>;
  const parts = 'firstName' in p ? [p.firstName, p.lastName, p.username] : [p.f, p.l, p.u];
  return createHash('sha256')
    .update(parts.map((x) => (typeof x === 'string' ? x : '')).join('\u0000'))
    .digest('hex')
    .slice(0, 12);
}

interface RegisterLike {
  i?: number;
  t?: number;
  h?: string;
  f?: string;
  l?: string;
  u?: string;
}

const hashOf = (r: RegisterLike) => r.h ?? namesHash(r);

/** The newest register (by date, at or before `at`) of `item` other than `except`'s. */
function newestOther(item: Item | undefined, except: string | undefined, at: number) {
  let best: RegisterLike | undefined;
  for (const [attr, value] of Object.entries(item ?? {})) {
    if (!isRegisterAttr(attr) || attr === except) continue;
    const r = value as RegisterLike;
    if (typeof r.t !== 'number' || r.t > at) continue;
    if (!best || (r.t ?? 0) > (best.t ?? 0)) best = r;
  }
  return best;
}

/** What the gate write tells: how the month looked to this update before it wrote. */
export interface GateView {
  /** This update created the month item. */
  created: boolean;
  /** The names hash this queue's previous update showed there, if any. */
  queuePrevious?: string;
  /** The month item (before this write when known, else as it is now). */
  item?: Item;
}

/**
 * From an applied gate write's ALL_OLD. A month without registers is an erasure's tombstone
 * (erasure.ts): writing there creates the contact afresh, as `ci` (set by this write) says on a
 * redelivery.
 */
export function viewFromOld(old: Item | undefined, queue: string): GateView {
  const register = old?.[registerAttr(queue)] as RegisterLike | undefined;
  return {
    created: old === undefined || !Object.keys(old).some(isRegisterAttr),
    ...(register ? { queuePrevious: hashOf(register) } : {}),
    ...(old ? { item: old } : {}),
  };
}

/**
 * From the month item as it is after this update's write was refused: undefined unless this
 * very update applied it before (its queue's register holds this update's id).
 */
export function viewFromCurrent(item: Item | undefined, queue: string, id: number) {
  const register = item?.[registerAttr(queue)] as RegisterLike | undefined;
  if (!item || register?.i !== id) return undefined;
  const previous = item[previousNamesAttr(queue)];
  return {
    created: item[CREATED_BY] === id,
    ...(typeof previous === 'string' && previous !== NO_NAMES ? { queuePrevious: previous } : {}),
    item,
  } satisfies GateView;
}

/** The life item's creator: the update's id and date. */
/** The recorder writes these (contact-event-writes.ts): their faults are its step's. */
const OPERATION = 'contact events';

const CREATOR = 'w';
const CREATOR_AT = 'wt';

/**
 * Pure: the write of a contact's life item by an update that created one of its months: it
 * becomes the creator unless there is one (ALL_OLD says which). Single-source (`st`/`s0`), so
 * an erasure removes it; it expires with the newest month that wrote it (an older month's
 * write, out of order, is undone by keepLifeExpiry).
 */
export function lifeUpdate(
  userId: number,
  update: { id: number; at: number },
  expiresAt: number,
): ItemUpdate {
  return new ItemUpdate(contactLifeKey(userId))
    .setIfMissing(CREATOR, update.id)
    .setIfMissing(CREATOR_AT, update.at)
    .set(SINGLE_SOURCE.at, update.at)
    .setIfMissing(SINGLE_SOURCE.since, update.at)
    .set(EXPIRES_AT, expiresAt);
}

/**
 * Gives the life item back the later expiry `update`'s write replaced (months recorded out of
 * order: December's update wrote it, then November's lowered it to November's), unless a
 * later one is there already. Nothing when the write did not lower it.
 */
export async function keepLifeExpiry(
  ctx: StoreContext,
  userId: number,
  old: Item | undefined,
  written: number,
): Promise<void> {
  const before = old?.[EXPIRES_AT];
  if (typeof before !== 'number' || before <= written) return;
  const write = new ItemUpdate(contactLifeKey(userId))
    .set(EXPIRES_AT, before)
    .when(`attribute_exists(#{${CREATOR}}) AND #{${EXPIRES_AT}} < :before`, { ':before': before });
  await updateIf(ctx, write, OPERATION);
}

/**
 * Pure: what the life item held before `update`'s write says. `won`: there was none, or this
 * update is its creator (a redelivery). `stale`: it names another update but belongs to an
 * earlier life: first written before the erasure whose floor the update's month carries (an
 * erasure still on its way removing it), or expired (kept past its time by a lagging TTL).
 */
export function lifeVerdict(
  old: Item | undefined,
  update: { id: number },
  context: { floor?: number; now: number },
): 'won' | 'lost' | 'stale' {
  if (!old || old[CREATOR] === update.id) return 'won';
  const since = old[SINGLE_SOURCE.since];
  const expires = old[EXPIRES_AT];
  if (context.floor !== undefined && typeof since === 'number' && since < context.floor) {
    return 'stale';
  }
  if (typeof expires === 'number' && expires <= context.now) return 'stale';
  return 'lost';
}

/**
 * Takes over a stale life item (lifeVerdict): true when this update is now the creator (the
 * item still named the stale creator, or was gone and this write made it).
 */
export async function takeOverLife(
  ctx: StoreContext,
  userId: number,
  update: { id: number; at: number },
  expiresAt: number,
  staleCreator: unknown,
): Promise<boolean> {
  const write = new ItemUpdate(contactLifeKey(userId))
    .set(CREATOR, update.id)
    .set(CREATOR_AT, update.at)
    .set(SINGLE_SOURCE.at, update.at)
    .set(SINGLE_SOURCE.since, update.at)
    .set(EXPIRES_AT, expiresAt)
    .when(`attribute_not_exists(#{${CREATOR}}) OR #{${CREATOR}} = :stale`, {
      ':stale': staleCreator,
    });
  return (await updateIf(ctx, write, OPERATION)).applied;
}

/** The contact's other month items with data (a consistent Query of their months). */
export async function otherMonths(
  ctx: StoreContext,
  userId: number,
  month: string,
): Promise<Item[]> {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
    ExpressionAttributeValues: { ':pk': userPk(userId), ':p': 'PROFILE#2' },
    ConsistentRead: true,
  });
  return items.filter(
    (item) => item.sk !== monthSk(month) && Object.keys(item).some(isRegisterAttr),
  );
}

/**
 * The events `person`'s update at `at` causes, given the gate's view and, when the update
 * created its month (`view.created`), whether it is the contact's creator (the life item).
 */
export async function contactEvents(
  ctx: StoreContext,
  person: PersonFact,
  view: GateView,
  update: { id: number; at: number; queue: string; month: string },
  creator = false,
  /** The contact's other months with data, when already read (otherMonths). */
  known?: Item[],
): Promise<OutboxEvent[]> {
  const newHash = namesHash(person);
  let previous = view.queuePrevious;
  if (previous === undefined) {
    const other = newestOther(view.item, registerAttr(update.queue), update.at);
    if (other) previous = hashOf(other);
  }
  if (view.created) {
    if (creator) {
      return [
        {
          eventId: eventIdOf('contact.created', person.id, update.id, update.at),
          type: 'contact.created',
          at: update.at,
          userId: person.id,
          data: { contact: contactData(person) },
        },
      ];
    }
    const months =
      previous === undefined ? (known ?? (await otherMonths(ctx, person.id, update.month))) : [];
    if (months.length > 0) {
      const newestMonth = months.sort((a, b) => String(b.sk).localeCompare(String(a.sk)))[0];
      const other = newestOther(newestMonth, undefined, Number.MAX_SAFE_INTEGER);
      if (other) previous = hashOf(other);
    }
  }
  if (previous === undefined || previous === newHash) return [];
  const day = new Date(update.at * 1000).toISOString().slice(0, 10);
  return [
    {
      eventId: eventIdOf('contact.updated', person.id, previous, newHash, day),
      type: 'contact.updated',
      at: update.at,
      userId: person.id,
      data: { contact: contactData(person) },
    },
  ];
}
