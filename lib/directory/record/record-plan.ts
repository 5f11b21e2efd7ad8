/**
 * Pure: turns the facts of one update, and the queue it came in, into one conditional
 * UpdateItem per item (see recorder.ts for the protocol and registers.ts for the layout).
 *
 * Every write of a user's item is guarded twice (marks.ts): by the item's erasure floor (an
 * update dated before it is not recorded) and by the mark of the update's queue on that item
 * (an update id at or below it was applied already, or is older than one that was).
 * An ordinary group message is three writes: the sender's month, the chat's month, the
 * membership. The sections, in the order their writes are sent: plan/months.ts,
 * plan/memberships.ts, the outbox events (event-plan.ts), plan/single-sources.ts.
 */

import { outboxUpdate } from '../../events/store/outbox.ts';
import type { ItemUpdate } from '../../store/item-update.ts';
import { type Key, keyId } from '../../store/keys.ts';
import type { UpdateFacts } from '../../telegram/update/facts.ts';
import { planEvents } from './event-plan.ts';
import { notBeforeFloor } from './marks.ts';
import { planMemberships } from './plan/memberships.ts';
import { planChats, planContactMonths } from './plan/months.ts';
import { type PlanBuilder, startPlan } from './plan/plan-builder.ts';
import {
  planBroadcastPreference,
  planSharedContacts,
  planVerifiedPhone,
} from './plan/single-sources.ts';
import { DEFAULT_RETENTION_DAYS } from './retention.ts';

export interface PlannedWrite {
  update: ItemUpdate;
  /** The user whose data the item is; absent for chat items (anonymous aggregates). */
  owner?: number;
  /** The owner's contact month of the update's month: the item an erasure closes first. */
  gate?: boolean;
  /** Guarded by a high-water mark: rejected when the update was applied before. */
  guarded: boolean;
  /** An outbox event (outbox.ts). */
  event?: boolean;
  /**
   * A counted message's membership: when this update is its member's first message of the
   * day in the chat, the chat month's distinct-senders counter of the day goes up once
   * (active-count.ts, after the round).
   */
  firstOfDay?: { chatMonth: Key; counter: string; day: number };
}

export interface RecordPlan {
  writes: PlannedWrite[];
  /** Users named by shared-contact entries (their erasure must also hold against these). */
  sharedUserIds: number[];
  /**
   * Contact cards naming only a phone number: the erasure of the number's holder holds
   * against these (phone-floor.ts). `keys`: the card and its contact.shared event.
   */
  sharedPhones: { phone: string; keys: Key[] }[];
  /**
   * Actors of membership events other than the member (an admin's add, promotion, removal):
   * the actor's erasure holds against these (actor-check.ts). `keys`: the events (`EVENT#`)
   * and their outbox copies that name the actor.
   */
  actors: { actorId: number; keys: Key[] }[];
  migration?: { fromChatId: number; toChatId: number };
}

/**
 * `floorDate`: the earliest the update can have been sent (its date, or for a dateless update
 * its arrival less its queue expiry): an erasure after it refuses the update.
 */
export function planRecord(
  facts: UpdateFacts,
  queue: string,
  floorDate: number = facts.at,
  retentionDays: number = DEFAULT_RETENTION_DAYS,
): RecordPlan {
  const plan = startPlan(facts, queue, floorDate, retentionDays);
  planContactMonths(plan);
  planChats(plan);
  planMemberships(plan);
  planOutboxEvents(plan);
  planVerifiedPhone(plan);
  planBroadcastPreference(plan);
  planSharedContacts(plan);
  return plan.finish();
}

/** The number of a contact.shared event's card that names no Telegram user, if it is one. */
function phoneOnlyCard(data: Record<string, unknown> | undefined): string | undefined {
  const card = data?.sharedContact as { userId?: unknown; phoneNumber?: unknown } | undefined;
  return card?.userId === undefined && typeof card?.phoneNumber === 'string'
    ? card.phoneNumber
    : undefined;
}

/** The outbox events the facts alone decide (event-plan.ts), a user's under their floor. */
function planOutboxEvents(plan: PlanBuilder): void {
  for (const event of planEvents(plan.facts)) {
    const update = outboxUpdate(event);
    const card = event.type === 'contact.shared' ? phoneOnlyCard(event.data) : undefined;
    if (event.ref && 'actor' in event.ref) plan.namesActor(event.ref.actor, update.key);
    if (card && event.userId !== undefined)
      plan.phoneCard(event.userId, card).keys.push(update.key);
    if (event.userId !== undefined) notBeforeFloor(update, plan.floorDate);
    plan.writes.set(keyId(update.key), {
      update,
      ...(event.userId !== undefined ? { owner: event.userId } : {}),
      guarded: false,
      event: true,
    });
  }
}
