/**
 * contact.created / contact.updated (read/contact-events.ts), decided from each person's gate
 * write and written after the round (an ordinary message has neither). A refused gate on the
 * embedded store is read here once, and the floor it holds spares the owner check its read.
 */
import { outboxUpdate } from '../../events/store/outbox.ts';
import type { StoreContext } from '../../store/client.ts';
import { settleAll } from '../../store/dynamo-errors.ts';
import { getItem } from '../../store/item-ops.ts';
import type { UpdateFacts } from '../../telegram/update/facts.ts';
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
import { notBeforeFloor } from './marks.ts';
import { floorOf } from './owner-floor.ts';
import type { Timing } from './recorder.ts';
import { DEFAULT_RETENTION_DAYS, monthExpiry } from './retention.ts';
import { type Outcome, sendPlanned } from './write-outcome.ts';

const OPERATION = 'contact events';

/** Writes the contact events of each person of `facts`; returns the writes' outcomes. */
export async function recordContactEvents(
  ctx: StoreContext,
  facts: UpdateFacts,
  queue: string,
  outcomes: Outcome[],
  timing: Timing,
): Promise<Outcome[]> {
  const month = facts.activityDate.slice(0, 7);
  const written = await settleAll(
    OPERATION,
    facts.people.map(async (person) => {
      const gate = outcomes.find((o) => o.planned.gate && o.planned.owner === person.id);
      if (!gate) return [];
      let view: GateView | undefined;
      if (gate.applied) view = viewFromOld(gate.old, queue);
      else {
        let item = gate.refusedGate;
        if (!item && !gate.refusedItem) {
          item = await getItem(ctx, gate.planned.update.key, OPERATION);
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
        const life = await sendPlanned(
          ctx,
          { update: lifeUpdate(person.id, self, expiresAt), owner: person.id, guarded: false },
          OPERATION,
        );
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
          OPERATION,
          events.map((event) =>
            sendPlanned(
              ctx,
              {
                update: notBeforeFloor(outboxUpdate(event), timing.sentFrom),
                owner: person.id,
                guarded: false,
                event: true,
              },
              OPERATION,
            ),
          ),
        )),
      );
      return written;
    }),
  );
  return written.flat();
}
