/**
 * The recorder's check of the actors its membership events name (record-plan.ts `actors`): an
 * admin's add, promotion or removal of someone else carries an `ACTOR#` reference, which the
 * admin's erasure ends (person-refs.ts). An update dated before that erasure may be recorded
 * after it (the member's chat_member queue held up) or while it runs, after its Query of the
 * index: then nothing would end the reference, and the member's event, kept RETENTION_DAYS,
 * would name the actor again once the actor's tombstones (days) expire. So after its write
 * round, an update whose events name such an actor reads the actor's floor, and ends the
 * reference on each event and outbox copy dated before it. The read follows the write: an
 * erasure that wrote its floor later Queries the index after the write, and finds the event
 * there (erasure-checks/shared-check.ts holds cards the same way). An ordinary message names no
 * actor and reads nothing.
 */

import type { StoreContext } from '../../store/client.ts';
import { settleAll } from '../../store/dynamo-errors.ts';
import { actorRefPk, monthOf } from '../../store/keys.ts';
import type { UpdateFacts } from '../../telegram/update/facts.ts';
import { endReference } from '../erasure/person-refs.ts';
import { readOwnerFloor } from './owner-floor.ts';
import type { RecordPlan } from './record-plan.ts';

/**
 * Ends the actor references of `plan` that `facts` (dated `facts.at`, the references' `refAt`)
 * made before their actor's erasure floor, read at the event's month and `now`'s (epoch
 * seconds). One floor read per distinct actor, and a conditional write per item only when
 * the actor was erased after the event.
 */
export async function checkActors(
  ctx: StoreContext,
  plan: Pick<RecordPlan, 'actors'>,
  facts: Pick<UpdateFacts, 'at'>,
  now: number,
): Promise<void> {
  const months = [monthOf(facts.at), monthOf(now)];
  await settleAll(
    'actor check',
    plan.actors.map(async ({ actorId, keys }) => {
      const floor = await readOwnerFloor(ctx, actorId, months, 'actor check');
      if (floor === undefined || facts.at >= floor) return;
      const ref = actorRefPk(actorId);
      await settleAll(
        'actor check',
        keys.map((key) => endReference(ctx, key, ref, floor)),
      );
    }),
  );
}
