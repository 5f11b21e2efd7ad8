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
import type { StoreContext } from '../../store/client.ts';
import { getItem, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { passMapMark } from './marks.ts';
import { ACTIVE_MARK, memberAttrs } from './registers.ts';
import { activeState, numberIn, type Outcome } from './write-outcome.ts';

const OPERATION = 'active count';

/** Counts update `id` (dated `t`) as its sender's first message of the day, if it is. */
export async function countActive(ctx: StoreContext, outcome: Outcome, id: number, t: number) {
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
    const state =
      outcome.refusedActive ??
      activeState(await getItem(ctx, outcome.planned.update.key, OPERATION));
    // Refused for another reason than having applied this very update: not counted here.
    if (state.hwm !== id) return;
    prevSeen = Math.max(state.prevSeen ?? 0, state.groupSeen ?? 0);
  }
  if (prevSeen >= first.day) return;
  const update = passMapMark(new ItemUpdate(first.chatMonth).add(first.counter), ACTIVE_MARK, {
    i: id,
    t,
  });
  await updateIf(ctx, update, OPERATION);
}
