/**
 * The outbox part of the reference model (model.ts): which subscriber events the outbox must
 * hold at the end of a recorder simulation, from what happened (the updates, the erasures that
 * ran, each user's last erasure) and the directory model.ts expects. Plain rules, no items:
 *
 * - Membership events: each one the model requires has exactly one `member.*` event (same
 *   user, chat, time and kind); every `member.*` event is one the model allows.
 * - `contact.created`: a contact that must exist has exactly one, dated from its last erasure
 *   on; one that must not has none; one that may has at most one. None is also allowed when the
 *   update that created the contact's month (its `ci`) was dropped after an attempt: it may have
 *   crashed between its month write and its event write (recorder.ts, outside the model).
 * - Nothing about a user stays dated before their last erasure, except what an update dropped
 *   after an attempt may have left (recorder.ts, outside the model): its date is allowed.
 * - `contact.erased` (erasure.ts): each completed erasure of a user with data recorded since
 *   the previous one, before its first attempt, is told (by it or by an earlier attempt that
 *   crashed); each one told is dated by an erasure that ran (its time + 1) and had something
 *   to find.
 */
import type { Expected } from './model.ts';
import { expectedEvents, type ModelInput, mayLeave } from './model.ts';
import type { SimUpdate } from './telegram-sim.ts';

/** An erasure that ran, through the API or /forget: when, in which round, and whether it finished. */
export interface ErasureRun {
  user: number;
  at: number;
  round: number;
  done: boolean;
}

export interface OutboxInput extends ModelInput {
  erasures: ErasureRun[];
  /** Per update id, the rounds it was delivered in, and the round it was acknowledged in. */
  attemptRounds: Map<number, number[]>;
  ackRound: Map<number, number>;
}

export interface ExpectedOutbox {
  members: { required: Set<string>; allowed: Set<string> };
  /** How many `contact.created` events dated from `floor` on. */
  created: { min: number; max: number };
  floor: number;
  /** Dates an item about the user may carry before `floor`. */
  leftoverDates: Set<number>;
  /** The user's updates dropped after an attempt (which may have written half their round). */
  droppedIds: Set<number>;
  /**
   * Out of order only: the user's updates that a later update of their own queue overtook
   * before they were acknowledged. Its register then names the later one, so a redelivery no
   * longer finds its own month write (recorder.ts, outside the model: an undercount).
   */
  overtakenIds: Set<number>;
  /** Each completed erasure that must be told: a `contact.erased` dated in (from, to]. */
  erasedRequired: { from: number; to: number }[];
  /** Dates a `contact.erased` of the user may carry; undefined: any erasure's. */
  erasedAllowed: Set<number>;
}

const isErasure = (u: SimUpdate) => u.event.kind === 'forget_confirm';

function overtaken(input: OutboxInput, mine: SimUpdate[]): Set<number> {
  const ids = new Set<number>();
  for (const u of mine) {
    const acked = input.ackRound.get(u.id) ?? Number.POSITIVE_INFINITY;
    const first = Math.min(...(input.attemptRounds.get(u.id) ?? [acked]));
    const passed = input.updates.some(
      (v) =>
        v.queue === u.queue &&
        v.id > u.id &&
        (input.attemptRounds.get(v.id) ?? []).some((r) => r >= first && r <= acked),
    );
    if (passed) ids.add(u.id);
  }
  return ids;
}

export function expectedOutbox(input: OutboxInput, model: Expected, user: number): ExpectedOutbox {
  const floor = input.floors.get(user) ?? 0;
  const mine = input.updates.filter((u) => u.event.user === user);
  const dropped = mine.filter(mayLeave);
  const exists = model.contacts.get(user)?.exists;
  // A /forget that ran and was dropped may have erased the contact (and its event) or not.
  const maybe = (input.maybeFloors?.get(user) ?? 0) > floor ? 1 : 0;
  const created =
    exists === true
      ? { min: 1, max: 1 + maybe }
      : exists === false
        ? { min: 0, max: 0 }
        : { min: 0, max: 1 + maybe };

  const runs = input.erasures.filter((e) => e.user === user).sort((a, b) => a.round - b.round);
  // Erasures of one round are one (the same time, the same floor, the same event).
  const completed = runs.filter(
    (e, i) => e.done && !runs.slice(0, i).some((r) => r.done && r.at === e.at),
  );
  const erasedRequired: ExpectedOutbox['erasedRequired'] = [];
  completed.forEach((e, i) => {
    const previous = completed[i - 1];
    const from = previous ? previous.at + 1 : 0;
    // Its first attempt since the previous one: an attempt that crashed may have erased what
    // was recorded beside it, and told it or not; what was recorded before it is still there.
    const first = Math.min(
      ...runs.filter((r) => r.round > (previous?.round ?? -1)).map((r) => r.round),
    );
    const hadData = mine.some(
      (u) =>
        !isErasure(u) &&
        u.acked &&
        u.date >= from &&
        (input.ackRound.get(u.id) ?? Number.POSITIVE_INFINITY) < first,
    );
    if (hadData) erasedRequired.push({ from, to: e.at + 1 });
  });
  const erasedAllowed = new Set<number>();
  for (const run of runs) {
    const since = Math.max(-1, ...completed.filter((e) => e.round < run.round).map((e) => e.round));
    const found =
      dropped.length > 0 ||
      // (A /forget's own callback is recorded before it erases: something to find, too.)
      mine.some((u) =>
        (input.attemptRounds.get(u.id) ?? []).some((r) => r >= since && r <= run.round),
      );
    if (found) erasedAllowed.add(run.at + 1);
  }
  return {
    members: expectedEvents(input, user),
    created,
    floor,
    leftoverDates: new Set(dropped.map((u) => u.date)),
    // Only a creator that no attempt completed may have missed its contact.created: an
    // acknowledged one (orphaned or not) wrote it before its answer.
    // (and of this life: one dated before the erasure created the previous one).
    droppedIds: new Set(
      mine.filter((u) => !u.acked && u.attempted && u.date >= floor).map((u) => u.id),
    ),
    overtakenIds: input.outOfOrder ? overtaken(input, mine) : new Set(),
    erasedRequired,
    erasedAllowed,
  };
}
