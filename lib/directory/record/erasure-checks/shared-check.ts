/**
 * Shared entries naming another person are checked against that person's erasure: a card
 * naming a user against the user's floor, a card naming only a phone number against the
 * number's (phone-floor.ts; its contact.shared event with it). One dated before it is
 * removed; one dated after it, within 48 h, is settled (what was shared before the erasure
 * goes) and written again (this share stays). The floor is read after the card's write: an
 * erasure that wrote its floor later Queries the index after it, and finds the card there.
 */
import type { StoreContext } from '../../../store/client.ts';
import { settleAll } from '../../../store/dynamo-errors.ts';
import { keyId, monthOf, sharedKey } from '../../../store/keys.ts';
import type { UpdateFacts } from '../../../telegram/update/facts.ts';
import { readPhoneFloor } from '../../erasure/phone-floor.ts';
import { readOwnerFloor } from '../owner-floor.ts';
import type { RecordPlan } from '../record-plan.ts';
import type { Timing } from '../recorder.ts';
import { ERASURE_WINDOW_SECONDS } from '../registers.ts';
import { settleItem } from '../settle.ts';
import { sendPlanned } from '../write-outcome.ts';

const OPERATION = 'shared check';

export async function checkShared(
  ctx: StoreContext,
  plan: RecordPlan,
  facts: UpdateFacts,
  t: Timing,
) {
  const months = [facts.activityDate.slice(0, 7), monthOf(t.now)];
  const byUser = plan.sharedUserIds.map((userId) => ({
    floor: () => readOwnerFloor(ctx, userId, months, OPERATION),
    keys: facts.sharedContacts
      .filter((s) => s.userId === userId)
      .map((s) => sharedKey(s.ownerId, { userId })),
  }));
  const byPhone = plan.sharedPhones.map(({ phone, keys }) => ({
    floor: () => readPhoneFloor(ctx, phone),
    keys,
  }));
  await settleAll(
    OPERATION,
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
        if (t.sentFrom >= floor && planned) await sendPlanned(ctx, planned, OPERATION);
      }
    }),
  );
}
