/**
 * Records the facts of one update exactly once, with single-item conditional writes and no
 * reads on the ordinary path (the embedded store has no transactions; single-item writes
 * are also the cheapest on DynamoDB).
 *
 * ## Glossary
 * - **queue**: the delivery queue an update travels in (telegram/update/update-queue.ts);
 *   within one, update ids arrive in increasing order, one in flight at a time.
 * - **source**: who writes a group of an item's attributes: a queue, the live status check
 *   (`l`) or a migration's copy (`g`). Only its source writes an attribute (registers.ts).
 * - **register**: a queue's map in a contact or chat month, `q:<queue>` = `{i, t, ...profile}`.
 * - **mark** (high-water mark): the last update id of a source applied to an item, with its
 *   date: the register's `i`/`t`, a membership's `<p>i`/`<p>t`, a single source's `si`/`st`.
 *   A write applies only past it (marks.ts): an update id is applied to an item at most once.
 * - **single source**: an item written by one source only, the owner's private chat: the
 *   verified phone, the broadcast preference, a shared-contact card, a membership event.
 * - **gate**: a user's contact month of the update's month. Every update about the user
 *   writes it first; an erasure closes it first, so its answer shows an erasure.
 * - **floor** (erasure floor): the time of the user's erasure, stamped on their items: a
 *   write of an update that can have been sent before it is refused (marks.ts).
 * - **round**: step 1, every planned write (record-plan.ts) sent at once.
 * - **outcome**: one write's answer: applied or refused, with the item as it was
 *   (write-outcome.ts).
 * - **settle**: remove from an item what a source wrote before a floor, and stamp the floor
 *   (settle.ts). An update older than an erasure settles away what it wrote.
 * - **older** (stale): an update sent before an erasure of a user it concerns: nothing of it
 *   is kept for that user (erasure-checks/owner-check.ts).
 * - **life**: a contact's existence between two erasures; the life item names the update that
 *   created the contact, so contact.created is sent once per life (read/contact-events.ts).
 * - **first of day**: a counted message that is its sender's first of the day in the chat: it
 *   adds one to the day's distinct senders, under the chat month's active mark (active-count.ts).
 * - **retention**: how long month items and events are kept (retention.ts).
 *
 * ## Delivery model (Telegram's Bot API server, tdlib/telegram-bot-api)
 * Updates travel in queues (lib/telegram/update/update-queue.ts): messages by chat, chat_member by
 * user, and so on. A queue has one update in flight; a failed delivery is retried until it is
 * acknowledged or expires (a message 24 h after its date, a dateless update after its queue
 * timeout) before the queue's next update is sent. `update_id` grows (Telegram starts afresh, at
 * random, after a week without updates). So within one queue an update id arrives only after every
 * smaller id of that queue was acknowledged or dropped, and redeliveries repeat the queue's head.
 *
 * ## Protocol
 * 1. One round trip: every item write at once (planned by record-plan.ts, sent by
 *    write-outcome.ts). Each write of a queue's data carries the queue's mark on that item:
 *    the write applies only when this update's id is above it (or its date more than a day
 *    past the mark's: a restarted numbering), and raises it. Each write of a user's item
 *    also checks the item's floor against the earliest the update can have been sent (its
 *    date; a dateless update's arrival less its queue expiry). See marks.ts.
 * 2. Only when something is unusual: a user's gate refused the update or showed an erasure
 *    less than 48 h old, or the update created a user's item. Then the user's floor is read
 *    (the update's month and today's) and, if one applies, the update's items are settled
 *    (erasure-checks/owner-check.ts): an update older than the erasure removes what it
 *    wrote; one of the first updates after it settles its items (removing what predates the
 *    floor) and writes them again, then reads the floor once more in case a second erasure
 *    ran meanwhile. Shared entries naming another user are checked against that user's
 *    floor the same way, and cards naming only a phone number against that number's
 *    (erasure-checks/shared-check.ts, phone-floor.ts). Membership events naming an actor
 *    other than the member (an admin's act) are checked against the actor's floor (one read
 *    per actor, after the round): one dated before it loses the actor, on the event and its
 *    outbox copy (actor-check.ts). The contact events (contact-event-writes.ts) and the
 *    day's distinct senders (active-count.ts) are written after the round too.
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
 *   (readers fold the sources, read/items/).
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
import type { StoreContext } from '../../store/client.ts';
import { settleAll, toStoreError } from '../../store/dynamo-errors.ts';
import type { UpdateFacts } from '../../telegram/update/facts.ts';
import { countActive } from './active-count.ts';
import { checkActors } from './actor-check.ts';
import { copyMigratedChat } from './chat-migration.ts';
import { recordContactEvents } from './contact-event-writes.ts';
import { checkOwner } from './erasure-checks/owner-check.ts';
import { checkShared } from './erasure-checks/shared-check.ts';
import { planRecord } from './record-plan.ts';
import { type Outcome, sendPlanned } from './write-outcome.ts';

export interface RecordResult {
  /** Every guarded write had been applied before: a redelivery. */
  duplicate: boolean;
  /** Older than an erasure of a user it concerns: nothing of that user was kept. */
  stale: boolean;
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
    // Step 1: the round.
    const outcomes = await settleAll(
      'record',
      plan.writes.filter((w) => !w.update.isEmpty).map((w) => sendPlanned(ctx, w, 'record')),
    );
    outcomes.push(...(await recordContactEvents(ctx, facts, queue, outcomes, timing)));
    // Step 2: each user's outcomes against their erasure, then the distinct senders.
    const owners = new Map<number, Outcome[]>();
    for (const outcome of outcomes) {
      const owner = outcome.planned.owner;
      if (owner !== undefined) owners.set(owner, [...(owners.get(owner) ?? []), outcome]);
    }
    const verdicts = await settleAll(
      'erasure check',
      [...owners].map(async ([owner, list]) => {
        const verdict = await checkOwner(ctx, owner, list, timing, month);
        // An update older than its sender's erasure counts no distinct sender: its
        // membership, recreated and settled away again, would look like a first message.
        if (verdict === 'kept') {
          await settleAll(
            'active count',
            list.map((o) => countActive(ctx, o, facts.updateId, facts.at)),
          );
        }
        return verdict;
      }),
    );
    // Step 2 for the other people the update names: shared cards, actors; then a migration.
    if (plan.sharedUserIds.length + plan.sharedPhones.length > 0)
      await checkShared(ctx, plan, facts, timing);
    if (plan.actors.length > 0) await checkActors(ctx, plan, facts, timing.now);
    if (plan.migration) {
      await copyMigratedChat(ctx, plan.migration.fromChatId, plan.migration.toChatId);
    }
    const guarded = outcomes.filter((o) => o.planned.guarded);
    return {
      duplicate: guarded.length > 0 && guarded.every((o) => !o.applied),
      stale: verdicts.includes('older'),
    };
  } catch (err: unknown) {
    throw toStoreError(err, 'record');
  }
}
