/**
 * Items with one source, the owner's private chat, whose queue orders their writes: the
 * verified phone, the broadcast preference (/stop, /start) and the shared-contact cards.
 */
import { OPT_OUT } from '../../../messaging/store/private-chat.ts';
import { normalizePhone } from '../../../phone.ts';
import type { ItemUpdate } from '../../../store/item-update.ts';
import {
  phoneIndexPk,
  phoneItemKey,
  prefsKey,
  sharedKey,
  sharedOfPk,
  sharedPhonePk,
  userPk,
} from '../../../store/keys.ts';
import { passFlatMark } from '../marks.ts';
import { SINGLE_SOURCE } from '../registers.ts';
import type { PlanBuilder } from './plan-builder.ts';

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/** Dates the single source's write and passes its mark. */
function passSingleSource(plan: PlanBuilder, update: ItemUpdate): void {
  update.set(SINGLE_SOURCE.at, plan.t).setIfMissing(SINGLE_SOURCE.since, plan.t);
  passFlatMark(update, SINGLE_SOURCE.hwm, SINGLE_SOURCE.at, plan.id, plan.t);
}

export function planVerifiedPhone(plan: PlanBuilder): void {
  const verified = plan.facts.verifiedPhone;
  if (!verified) return;
  const e164 = normalizePhone(verified.phoneNumber);
  if (!e164) return;
  const update = plan
    .write(phoneItemKey(verified.userId), { owner: verified.userId, guarded: true })
    .set('phoneNumber', e164)
    .set('gsi2pk', phoneIndexPk(e164));
  passSingleSource(plan, update);
}

/** /stop and /start: one source, the user's private chat, whose queue orders them. */
export function planBroadcastPreference(plan: PlanBuilder): void {
  const preference = plan.facts.broadcastPreference;
  if (!preference) return;
  const { userId, optOut } = preference;
  const update = plan
    .write(prefsKey(userId), { owner: userId, guarded: true })
    .set(OPT_OUT, optOut);
  passSingleSource(plan, update);
}

/**
 * Each shared-contact card under its owner, indexed by the user it names, or (naming only a
 * phone number) by the number: an erasure finds it either way.
 */
export function planSharedContacts(plan: PlanBuilder): void {
  for (const shared of plan.facts.sharedContacts) {
    const phone = shared.phoneNumber ? normalizePhone(shared.phoneNumber) : undefined;
    if (shared.userId === undefined && phone === undefined) continue;
    const key = sharedKey(shared.ownerId, { userId: shared.userId, phoneNumber: phone });
    const update = plan
      .write(key, { owner: shared.ownerId, guarded: true })
      .set('ownerId', shared.ownerId)
      .set('userId', shared.userId)
      .set('phoneNumber', phone)
      .set('firstName', shared.firstName)
      .set('lastName', shared.lastName)
      .set('username', shared.username)
      .setIfMissing('sharedAt', iso(plan.t));
    passSingleSource(plan, update);
    if (shared.userId !== undefined) {
      plan.sharedUserIds.add(shared.userId);
      update.set('gsi1pk', sharedOfPk(shared.userId)).set('gsi1sk', userPk(shared.ownerId));
    } else if (phone !== undefined) {
      // Found by erasing whoever holds this number as their verified phone.
      update.set('gsi1pk', sharedPhonePk(phone)).set('gsi1sk', userPk(shared.ownerId));
      plan.phoneCard(shared.ownerId, phone).keys.push(key);
    }
  }
}
