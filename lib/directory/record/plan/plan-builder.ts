/**
 * The state a plan is built in: one planned write per item (a second fact about the same item
 * adds to its write), the actors and phone-only cards the writes name, and the update's
 * coordinates every section needs (id, date, month, counters, expiry).
 */
import { ItemUpdate } from '../../../store/item-update.ts';
import { type Key, keyId } from '../../../store/keys.ts';
import type { PersonFact, UpdateFacts } from '../../../telegram/update/facts.ts';
import { notBeforeFloor } from '../marks.ts';
import type { PlannedWrite, RecordPlan } from '../record-plan.ts';
import { EXPIRES_AT, FIRST_SEEN, hourCounter } from '../registers.ts';
import { monthExpiry } from '../retention.ts';

export interface PlanBuilder {
  facts: UpdateFacts;
  queue: string;
  /** The update's id and date (epoch seconds). */
  id: number;
  t: number;
  /** The earliest the update can have been sent: an erasure after it refuses the update. */
  floorDate: number;
  retentionDays: number;
  /** `yyyy-mm` of the update's activity date, its day counter `dNN` and hour counter. */
  month: string;
  day: string;
  hour: string;
  /** When the update's month items may expire. */
  expiresAt: number;
  writes: Map<string, PlannedWrite>;
  /**
   * The write of the item at `key`, begun with `init` when it is the first: a user's item
   * (`owner`) drops its expiry and is guarded by its floor; a guarded one keeps its first
   * write's date.
   */
  write(key: Key, init: Omit<PlannedWrite, 'update'>): ItemUpdate;
  /** Notes that the item at `key` names `actorId` (an admin's act on someone else). */
  namesActor(actorId: number, key: Key): void;
  /** The card of `ownerId` naming only `phone`, begun on first use. */
  phoneCard(ownerId: number, phone: string): { phone: string; keys: Key[] };
  /** Users named by shared-contact entries. */
  sharedUserIds: Set<number>;
  /** The plan as built. */
  finish(): RecordPlan;
}

export function startPlan(
  facts: UpdateFacts,
  queue: string,
  floorDate: number,
  retentionDays: number,
): PlanBuilder {
  const month = facts.activityDate.slice(0, 7);
  const writes = new Map<string, PlannedWrite>();
  const actors = new Map<number, Map<string, Key>>();
  const phoneCards = new Map<string, { phone: string; keys: Key[] }>();
  const sharedUserIds = new Set<number>();
  return {
    facts,
    queue,
    id: facts.updateId,
    t: facts.at,
    floorDate,
    retentionDays,
    month,
    day: `d${facts.activityDate.slice(8, 10)}`,
    hour: hourCounter(facts.at),
    expiresAt: monthExpiry(month, retentionDays),
    writes,
    sharedUserIds,
    write(key, init) {
      let planned = writes.get(keyId(key));
      if (!planned) {
        planned = { update: new ItemUpdate(key), ...init };
        writes.set(keyId(key), planned);
        if (init.owner !== undefined) notBeforeFloor(planned.update.remove(EXPIRES_AT), floorDate);
        if (init.guarded) planned.update.setIfMissing(FIRST_SEEN, facts.at);
      }
      return planned.update;
    },
    namesActor(actorId, key) {
      actors.set(actorId, (actors.get(actorId) ?? new Map()).set(keyId(key), key));
    },
    phoneCard(ownerId, phone) {
      const id = `${ownerId} ${phone}`;
      const found = phoneCards.get(id) ?? { phone, keys: [] };
      phoneCards.set(id, found);
      return found;
    },
    finish() {
      return {
        writes: [...writes.values()],
        sharedUserIds: [...sharedUserIds],
        sharedPhones: [...phoneCards.values()],
        actors: [...actors].map(([actorId, keys]) => ({ actorId, keys: [...keys.values()] })),
        ...(facts.migration ? { migration: facts.migration } : {}),
      };
    },
  };
}

/** Names of a person as a register or snapshot holds them. */
export function personFields(person: PersonFact) {
  return {
    f: person.firstName,
    ...(person.lastName !== undefined ? { l: person.lastName } : {}),
    ...(person.username !== undefined ? { u: person.username } : {}),
    b: person.isBot,
  };
}

/** A chat's profile as a register, a chat profile or a membership's snapshot holds it. */
export function chatFields(chat: { type: string; title?: string; username?: string }) {
  return {
    ty: chat.type,
    ...(chat.title !== undefined ? { ti: chat.title } : {}),
    ...(chat.username !== undefined ? { u: chat.username } : {}),
  };
}
