/**
 * Step 2 of the protocol for one user (recorder.ts): the erasure floor that applies to this
 * update, if any, and the settling it calls for. Nothing is read on the ordinary path: the
 * gate's own answer shows its floor.
 */
import type { StoreContext } from '../../../store/client.ts';
import { settleAll } from '../../../store/dynamo-errors.ts';
import { contactLifeKey, monthOf, userPk } from '../../../store/keys.ts';
import { queryAll } from '../../../store/query.ts';
import { OUTBOX_PREFIX } from '../../../store/service-keys.ts';
import { floorOf, readOwnerFloor } from '../owner-floor.ts';
import type { Timing } from '../recorder.ts';
import { ERASURE_WINDOW_SECONDS } from '../registers.ts';
import { settleItem } from '../settle.ts';
import { type Outcome, sendPlanned } from '../write-outcome.ts';

/**
 * What the check found for one user: `older` when the update was sent before the user's
 * erasure (nothing of it was kept for them), `kept` otherwise (no erasure applies, or its
 * items were settled and written again).
 */
export type OwnerVerdict = 'older' | 'kept';

/** How many times a rewrite is redone for erasures that ran meanwhile. */
const MAX_ROUNDS = 3;

/** Checks `owner`'s outcomes of an update of month `month` against their erasure floor. */
export async function checkOwner(
  ctx: StoreContext,
  owner: number,
  outcomes: Outcome[],
  timing: Timing,
  month: string,
): Promise<OwnerVerdict> {
  // An erasure closes today's month and the months an update in flight can be dated in; an
  // update dated in another month than today's is checked against today's erasure too.
  const months = [month, monthOf(timing.now)];
  const gate = outcomes.find((o) => o.planned.gate);
  const items = outcomes.filter((o) => !o.planned.gate);
  const readFloor = () => readOwnerFloor(ctx, owner, months, 'erasure check');
  let floor: number | undefined;
  if (gate?.applied) floor = floorOf(gate.old);
  else if (gate?.refusedItem && months[0] === months[1]) floor = gate.refusedFloor;
  else floor = await readFloor();
  // A write that created an item may have raced an erasure that began after the gate write.
  const created = outcomes.filter((o) => o.applied && !o.old);
  if (created.length > 0) {
    const seen = await readFloor();
    if (seen !== undefined && (floor === undefined || seen > floor)) floor = seen;
  }
  for (let round = 0; floor !== undefined; round++) {
    const limit = floor;
    // The first round spares a write that found the floor already on its item.
    const unsettled = (o: Outcome) => round > 0 || !(o.applied && (floorOf(o.old) ?? -1) >= limit);
    if (timing.sentFrom < limit) {
      // Older than the erasure: what this update wrote goes (it carries this update's date),
      // its gate month included (a month outside the erasure's reach that it created).
      await settleAll(
        'settle',
        outcomes.filter(unsettled).map((o) => settleItem(ctx, o.planned.update.key, limit)),
      );
      // An earlier attempt of it that crashed after the erasure's Query may have written the
      // contact's life item and events, which this attempt (its gate refused) did not write
      // again: they go too (settling keeps what a newer update wrote).
      if (gate && !gate.applied) await settleContactItems(ctx, owner, limit);
      return 'older';
    }
    if (timing.now >= limit + ERASURE_WINDOW_SECONDS) return 'kept';
    // One of the first updates after an erasure: its items may still hold what was written
    // before it (a source with anything older goes whole), then this update's own write is
    // sent again: a no-op where it stayed (the queue's mark), a rewrite where it went.
    await settleAll(
      'settle',
      items.filter(unsettled).map(async (o) => {
        await settleItem(ctx, o.planned.update.key, limit);
        await sendPlanned(ctx, o.planned, 'settle');
      }),
    );
    // A newer erasure may have run meanwhile, and the rewrite recreated what it removed.
    const again = await readFloor();
    if (again === undefined || again <= limit || round >= MAX_ROUNDS) return 'kept';
    floor = again;
  }
  return 'kept';
}

/** Settles `owner`'s life item and outbox events against `floor` (the older-update path). */
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
