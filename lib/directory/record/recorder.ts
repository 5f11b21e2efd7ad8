/**
 * Records the facts of one update exactly once, with single-item conditional writes and no
 * reads on the ordinary path (the embedded store has no transactions; single-item writes
 * are also the cheapest on DynamoDB).
 *
 * ## Delivery model (Telegram's Bot API server, tdlib/telegram-bot-api)
 * Updates travel in queues (lib/telegram/update-queue.ts): messages by chat, chat_member by
 * user, and so on. A queue has one update in flight; a failed delivery is retried until it
 * is acknowledged or expires (a message 24 h after its date, a dateless update after its
 * queue timeout) before the queue's next update is sent. `update_id` grows (Telegram starts
 * afresh, at random, after a week without updates). So within one queue an update id arrives
 * only after every smaller id of that queue was acknowledged or dropped, and redeliveries
 * repeat the queue's head.
 *
 * ## Protocol
 * 1. One round trip: every item write at once (record-plan.ts). Each write of a queue's data
 *    carries the queue's high-water mark on that item (the last applied update id and its
 *    date): the write applies only when this update's id is above it (or its date more than
 *    a day past the mark's: a restarted numbering), and raises it. Each write of a user's
 *    item also checks the item's erasure floor against the earliest the update can have been
 *    sent (its date; a dateless update's arrival less its queue expiry).
 * 2. Only when something is unusual: a user's gate (their contact month of the update's
 *    month, which every update about them writes) refused the update or showed an erasure
 *    less than 48 h old, or the update created a user's item. Then the user's floor is read
 *    (the update's month and today's) and, if one applies, the update's items are settled
 *    (settle.ts): an update older than the erasure removes what it wrote; one of the first
 *    updates after it settles its items (removing what predates the floor) and writes them
 *    again, then reads the floor once more in case a second erasure ran meanwhile. Shared
 *    entries naming another user are checked against that user's floor the same way, and
 *    cards naming only a phone number against that number's (phone-floor.ts). Membership
 *    events naming an actor other than the member (an admin's act) are checked against the
 *    actor's floor (one read per actor, after the round): one dated before it loses the
 *    actor, on the event and its outbox copy (actor-check.ts).
 *
 * ## Guarantees, in the model
 * - No update counted twice: an item applies an update id at most once (its queue's mark),
 *   whatever the interleaving of redeliveries, crashes after any store call, lost answers,
 *   concurrent duplicates and concurrent deliveries of other queues. Nothing is capped or
 *   pruned.
 * - Every acknowledged update is fully recorded: the answer comes after every write landed
 *   or was refused as already applied.
 * - Erasure is final (erasure.ts): the user's gate months carry the erasure's floor and
 *   every other item is settled against it, so an update sent before it writes nothing that
 *   stays; a user who writes again starts afresh.
 * - A membership shows the latest event by Telegram's time; seen times never step back
 *   (readers fold the sources, items.ts).
 *
 * ## Outside the model
 * - Updates of one queue out of order: an update older than one already applied to an item
 *   is refused there: the directory undercounts, never overcounts.
 * - An update that crashes after creating an item of a user and before its check, while
 *   that user is erased, and that Telegram then drops instead of redelivering, leaves that
 *   item (a redelivery settles it); so does an attempt that crashes so while another attempt
 *   of the same update (Telegram retrying a slow one) is acknowledged before it. Likewise an
 *   update that crashes between its contact month's write and its contact.created /
 *   contact.updated event, and is then dropped, leaves that event unwritten (a redelivery
 *   writes it).
 * - An erased user's shared entries are found through an eventually consistent index: one
 *   recorded wholly (write and floor read) within its lag before the erasure may survive. A
 *   card carrying only a phone number is matched by the number the user has at the erasure.
 *   An actor reference so missed, or left by an attempt that crashed before its actor check
 *   and was dropped, is ended by the first event list or delivery that hides the actor while
 *   the actor's tombstones last (erased-actors.ts, lib/events/erasure-checks.ts).
 * Why each of these is bounded or unavoidable under Telegram's delivery model:
 * docs/reliability.md, "Erasure under Telegram's delivery model".
 * Tests and figures: docs/reliability.md.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { outboxUpdate } from '../../events/store/outbox.ts';
import type { StoreContext } from '../../store/client.ts';
import { isConditionalCheckFailed, settleAll, toStoreError } from '../../store/dynamo-errors.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import {
  contactLifeKey,
  keyId,
  monthOf,
  OUTBOX_PREFIX,
  sharedKey,
  userPk,
} from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import type { UpdateFacts } from '../../telegram/facts.ts';
import { readPhoneFloor } from '../erasure/phone-floor.ts';
import {
  contactEvents,
  type GateView,
  keepLifeExpiry,
  lifeUpdate,
  lifeVerdict,
  otherMonths,
  takeOverLife,
  viewFromCurrent,
  viewFromOld,
} from '../read/contact-events.ts';
import { checkActors } from './actor-check.ts';
import { copyMigratedChat } from './chat-migration.ts';
import { floorOf, readItem, readOwnerFloor } from './owner-floor.ts';
import {
  DEFAULT_RETENTION_DAYS,
  monthExpiry,
  type PlannedWrite,
  planRecord,
  RESTART_HORIZON_SECONDS,
  type RecordPlan,
} from './record-plan.ts';
import { ACTIVE_MARK, ERASURE_WINDOW_SECONDS, FLOOR, memberAttrs } from './registers.ts';
import { settleItem } from './settle.ts';

export interface RecordResult {
  /** Every guarded write had been applied before: a redelivery. */
  duplicate: boolean;
  /** Older than an erasure of a user it concerns: nothing of that user was kept. */
  stale: boolean;
}

type Item = Record<string, unknown>;

interface Outcome {
  planned: PlannedWrite;
  applied: boolean;
  /** The item before this write (user items only); undefined when the write created it. */
  old?: Item;
  /** A refusal that carried the item (DynamoDB does; the embedded store does not)... */
  refusedItem?: boolean;
  /** ...and the floor it had, if any. */
  refusedFloor?: number;
  /** ...and, for a counted message's membership, its mark and previous last seen. */
  refusedActive?: ActiveState;
  /** ...and, for a gate, the item itself (contact-events.ts reads it). */
  refusedGate?: Item;
}

/**
 * A counted message's membership as its refusal found it: the `m` mark, the `m` last seen
 * before that update, and the last seen copied from a migrated group (`g`).
 */
interface ActiveState {
  hwm?: number;
  prevSeen?: number;
  groupSeen?: number;
}

function activeState(item: Item | undefined): ActiveState {
  const m = memberAttrs('m');
  return {
    hwm: numberIn(item, m.hwm),
    prevSeen: numberIn(item, m.prevSeen),
    groupSeen: numberIn(item, memberAttrs('g').seen),
  };
}

/** A number attribute of an item, marshalled (`{ N: "…" }`) or not. */
function numberIn(item: Item | undefined, attr: string): number | undefined {
  const value = item?.[attr];
  if (typeof value === 'number') return value;
  const n = (value as { N?: string } | undefined)?.N;
  return n === undefined ? undefined : Number(n);
}

async function send(ctx: StoreContext, planned: PlannedWrite): Promise<Outcome> {
  const owned = planned.owner !== undefined;
  try {
    const { Attributes } = await ctx.client.send(
      new UpdateCommand({
        ...planned.update.toInput(ctx.tableName),
        ...(owned ? { ReturnValues: 'ALL_OLD' } : {}),
        ...(planned.gate || planned.firstOfDay
          ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }
          : {}),
      }),
    );
    return { planned, applied: true, ...(Attributes ? { old: Attributes } : {}) };
  } catch (err: unknown) {
    if (!isConditionalCheckFailed(err)) throw err;
    // The refused item, whichever way the client hands it over (DynamoDB does; dynalite not).
    const raw = (err as { Item?: Item }).Item;
    const floor = numberIn(raw, FLOOR);
    return {
      planned,
      applied: false,
      ...(raw ? { refusedItem: true } : {}),
      ...(floor ? { refusedFloor: floor } : {}),
      ...(raw && planned.firstOfDay ? { refusedActive: activeState(raw) } : {}),
      ...(raw && planned.gate ? { refusedGate: unmarshall(raw as never) } : {}),
    };
  }
}

/**
 * A chat's distinct senders of a day (`activeMembers`): the membership write of a counted
 * message also keeps the member's previous last seen, so the update that is the member's
 * first message of the day is known, also when redelivered (its write refused: the item
 * then holds this update's id and the previous last seen). That update adds one to the
 * chat month's counter of the day, under a mark of its own: the chat's message queue
 * delivers one update at a time, in order, so the mark applies each update at most once.
 * The member's last seen in the group a supergroup migrated from (the membership's copied
 * `g` source) counts as a previous last seen: the copy of the group's days already holds
 * them (chat-migration.ts), and every group message precedes the supergroup's.
 */
async function countActive(ctx: StoreContext, outcome: Outcome, id: number, t: number) {
  const first = outcome.planned.firstOfDay;
  if (!first) return;
  const m = memberAttrs('m');
  let prevSeen: number;
  if (outcome.applied) {
    prevSeen = Math.max(
      numberIn(outcome.old, m.seen) ?? 0,
      numberIn(outcome.old, memberAttrs('g').seen) ?? 0,
    );
  } else {
    let state = outcome.refusedActive;
    if (!state) {
      state = activeState(await readItem(ctx, outcome.planned.update.key));
    }
    // Refused for another reason than having applied this very update: not counted here.
    if (state.hwm !== id) return;
    prevSeen = Math.max(state.prevSeen ?? 0, state.groupSeen ?? 0);
  }
  if (prevSeen >= first.day) return;
  const update = new ItemUpdate(first.chatMonth)
    .add(first.counter)
    .set(ACTIVE_MARK, { i: id, t })
    .when(
      `attribute_not_exists(#{${ACTIVE_MARK}}) OR #{${ACTIVE_MARK}.i} < :id OR #{${ACTIVE_MARK}.t} < :stale`,
      { ':id': id, ':stale': t - RESTART_HORIZON_SECONDS },
    );
  try {
    await ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName)));
  } catch (err: unknown) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/**
 * Step 2 for one user: the erasure floor that applies to this update, if any, and the
 * settling it calls for. Returns true when the update is older than the user's erasure.
 */
async function checkOwner(
  ctx: StoreContext,
  owner: number,
  outcomes: Outcome[],
  timing: Timing,
  month: string,
): Promise<boolean> {
  // An erasure closes today's month and the months an update in flight can be dated in; an
  // update dated in another month than today's is checked against today's erasure too.
  const months = [month, monthOf(timing.now)];
  const gate = outcomes.find((o) => o.planned.gate);
  const items = outcomes.filter((o) => !o.planned.gate);
  let floor: number | undefined;
  if (gate?.applied) floor = floorOf(gate.old);
  else if (gate?.refusedItem && months[0] === months[1]) floor = gate.refusedFloor;
  else floor = await readOwnerFloor(ctx, owner, months);
  // A write that created an item may have raced an erasure that began after the gate write.
  const created = outcomes.filter((o) => o.applied && !o.old);
  if (created.length > 0) {
    const seen = await readOwnerFloor(ctx, owner, months);
    if (seen !== undefined && (floor === undefined || seen > floor)) floor = seen;
  }
  for (let round = 0; floor !== undefined; round++) {
    const limit = floor;
    if (timing.sentFrom < limit) {
      // Older than the erasure: what this update wrote goes (it carries this update's date),
      // its gate month included (a month outside the erasure's reach that it created).
      await settleAll(
        'settle',
        outcomes
          .filter((o) => round > 0 || !(o.applied && (floorOf(o.old) ?? -1) >= limit))
          .map((o) => settleItem(ctx, o.planned.update.key, limit)),
      );
      // An earlier attempt of it that crashed after the erasure's Query may have written the
      // contact's life item and events, which this attempt (its gate refused) did not write
      // again: they go too (settling keeps what a newer update wrote).
      if (gate && !gate.applied) await settleContactItems(ctx, owner, limit);
      return true;
    }
    if (timing.now >= limit + ERASURE_WINDOW_SECONDS) return false;
    // One of the first updates after an erasure: its items may still hold what was written
    // before it (a source with anything older goes whole), then this update's own write is
    // sent again: a no-op where it stayed (the queue's mark), a rewrite where it went.
    await settleAll(
      'settle',
      items
        .filter((o) => round > 0 || !(o.applied && (floorOf(o.old) ?? -1) >= limit))
        .map(async (o) => {
          await settleItem(ctx, o.planned.update.key, limit);
          await send(ctx, o.planned);
        }),
    );
    // A newer erasure may have run meanwhile, and the rewrite recreated what it removed.
    const again = await readOwnerFloor(ctx, owner, months);
    if (again === undefined || again <= limit || round >= 3) return false;
    floor = again;
  }
  return false;
}

/** Settles `owner`'s life item and outbox events against `floor` (recorder's stale path). */
async function settleContactItems(ctx: StoreContext, owner: number, floor: number) {
  const events = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)',
    ExpressionAttributeValues: { ':pk': userPk(owner), ':outbox': OUTBOX_PREFIX },
    ConsistentRead: true,
  });
  const keys = [
    contactLifeKey(owner),
    ...events.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })),
  ];
  await settleAll(
    'settle',
    keys.map((key) => settleItem(ctx, key, floor)),
  );
}

/**
 * Shared entries naming another person are checked against that person's erasure: a card
 * naming a user against the user's floor, a card naming only a phone number against the
 * number's (phone-floor.ts; its contact.shared event with it). One dated before it is
 * removed; one dated after it, within 48 h, is settled (what was shared before the erasure
 * goes) and written again (this share stays). The floor is read after the card's write: an
 * erasure that wrote its floor later Queries the index after it, and finds the card there.
 */
async function checkShared(ctx: StoreContext, plan: RecordPlan, facts: UpdateFacts, t: Timing) {
  const months = [facts.activityDate.slice(0, 7), monthOf(t.now)];
  const byUser = plan.sharedUserIds.map((userId) => ({
    floor: () => readOwnerFloor(ctx, userId, months),
    keys: facts.sharedContacts
      .filter((s) => s.userId === userId)
      .map((s) => sharedKey(s.ownerId, { userId })),
  }));
  const byPhone = plan.sharedPhones.map(({ phone, keys }) => ({
    floor: () => readPhoneFloor(ctx, phone),
    keys,
  }));
  await settleAll(
    'shared check',
    [...byUser, ...byPhone].map(async ({ floor: read, keys }) => {
      const floor = await read();
      if (floor === undefined) return;
      const recent = t.now < floor + ERASURE_WINDOW_SECONDS;
      if (t.sentFrom >= floor && !recent) return;
      for (const key of keys) {
        const planned = plan.writes.find((w) => keyId(w.update.key) === keyId(key));
        // This update's own event is of the new life: it stays as written.
        if (t.sentFrom >= floor && planned?.event) continue;
        await settleItem(ctx, key, floor);
        if (t.sentFrom >= floor && planned) await send(ctx, planned);
      }
    }),
  );
}

/**
 * contact.created / contact.updated (contact-events.ts), decided from each person's gate write
 * and written after the round (an ordinary message has neither). A refused gate on the
 * embedded store is read here once, and the floor it holds spares checkOwner its read.
 */
async function recordContactEvents(
  ctx: StoreContext,
  facts: UpdateFacts,
  queue: string,
  outcomes: Outcome[],
  timing: Timing,
): Promise<Outcome[]> {
  const month = facts.activityDate.slice(0, 7);
  const written = await settleAll(
    'contact events',
    facts.people.map(async (person) => {
      const gate = outcomes.find((o) => o.planned.gate && o.planned.owner === person.id);
      if (!gate) return [];
      let view: GateView | undefined;
      if (gate.applied) view = viewFromOld(gate.old, queue);
      else {
        let item = gate.refusedGate;
        if (!item && !gate.refusedItem) {
          item = await readItem(ctx, gate.planned.update.key);
          gate.refusedItem = true;
          const floor = floorOf(item);
          if (floor) gate.refusedFloor = floor;
        }
        view = viewFromCurrent(item, queue, facts.updateId);
      }
      if (!view) return [];
      const written: Outcome[] = [];
      let creator = false;
      let months: Record<string, unknown>[] | undefined;
      if (view.created) {
        // The contact's one creator (contact-events.ts): this update, unless another is.
        const self = { id: facts.updateId, at: facts.at };
        const expiresAt = monthExpiry(month, ctx.retentionDays ?? DEFAULT_RETENTION_DAYS);
        const life = await send(ctx, {
          update: lifeUpdate(person.id, self, expiresAt),
          owner: person.id,
          guarded: false,
        });
        written.push(life);
        await keepLifeExpiry(ctx, person.id, life.old, expiresAt);
        let verdict = lifeVerdict(life.old, self, { floor: floorOf(view.item), now: timing.now });
        if (verdict === 'lost') {
          // The creator writes its month before the life item: with no other month holding
          // data, its months are gone (an erasure, or settled as older than one) and the life
          // item, left by an attempt that crashed and was dropped, names a past life.
          months = await otherMonths(ctx, person.id, month);
          if (months.length === 0) verdict = 'stale';
        }
        creator =
          verdict === 'won' ||
          (verdict === 'stale' &&
            (await takeOverLife(ctx, person.id, self, expiresAt, life.old?.w)));
      }
      const events = await contactEvents(
        ctx,
        person,
        view,
        { id: facts.updateId, at: facts.at, queue, month },
        creator,
        months,
      );
      written.push(
        ...(await settleAll(
          'contact events',
          events.map((event) => {
            const update = outboxUpdate(event).when(
              `attribute_not_exists(#{${FLOOR}}) OR #{${FLOOR}} <= :f`,
              { ':f': timing.sentFrom },
            );
            return send(ctx, { update, owner: person.id, guarded: false, event: true });
          }),
        )),
      );
      return written;
    }),
  );
  return written.flat();
}

/** When an update is recorded, and the earliest it can have been sent (its own date). */
export interface Timing {
  /** Epoch seconds now. */
  now: number;
  /** The update's date, or for a dateless one its arrival less its queue expiry. */
  sentFrom: number;
}

/** Records `facts` of an update that came in `queue` (see the module comment). */
export async function recordUpdate(
  ctx: StoreContext,
  facts: UpdateFacts,
  queue: string,
  timing: Timing = { now: Math.floor(Date.now() / 1000), sentFrom: facts.at },
): Promise<RecordResult> {
  const plan = planRecord(facts, queue, timing.sentFrom, ctx.retentionDays);
  const month = facts.activityDate.slice(0, 7);
  try {
    const outcomes = await settleAll(
      'record',
      plan.writes.filter((w) => !w.update.isEmpty).map((w) => send(ctx, w)),
    );
    outcomes.push(...(await recordContactEvents(ctx, facts, queue, outcomes, timing)));
    const owners = new Map<number, Outcome[]>();
    for (const outcome of outcomes) {
      const owner = outcome.planned.owner;
      if (owner !== undefined) owners.set(owner, [...(owners.get(owner) ?? []), outcome]);
    }
    const stale = await settleAll(
      'erasure check',
      [...owners].map(async ([owner, list]) => {
        const older = await checkOwner(ctx, owner, list, timing, month);
        // An update older than its sender's erasure counts no distinct sender: its
        // membership, recreated and settled away again, would look like a first message.
        if (!older) {
          await settleAll(
            'active count',
            list.map((o) => countActive(ctx, o, facts.updateId, facts.at)),
          );
        }
        return older;
      }),
    );
    if (plan.sharedUserIds.length + plan.sharedPhones.length > 0)
      await checkShared(ctx, plan, facts, timing);
    if (plan.actors.length > 0) await checkActors(ctx, plan, facts, timing.now);
    if (plan.migration) {
      await copyMigratedChat(ctx, plan.migration.fromChatId, plan.migration.toChatId);
    }
    const guarded = outcomes.filter((o) => o.planned.guarded);
    return {
      duplicate: guarded.length > 0 && guarded.every((o) => !o.applied),
      stale: stale.some(Boolean),
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'record');
  }
}
