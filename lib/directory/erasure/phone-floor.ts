/**
 * The erasure floor of a phone number, for contact cards that carry only a number (no Telegram
 * user id). Such a card names a person by the number alone: the erasure finds the cards
 * recorded before it through the `SHAREDPHONE#` index, and this item holds against the rest,
 * the cards recorded after it (a redelivery of a card sent before it, or one whose recording
 * overlapped it): the recorder reads it for every phone-only card it writes (one GetItem, only
 * for those) and removes a card dated before its floor.
 *
 * The item is keyed by an HMAC of the number, never the number: after an erasure the person's
 * number may remain only as such a keyed hash (the tombstone), and the hash cannot be reversed
 * by enumerating numbers without the key. The key is derived from the bot token, which the
 * webhook and the lookup (both erase; the webhook records) already hold; rotating the token
 * makes the floors written before it unmatchable, so do not rotate it within the floor's life
 * (3 days) after an erasure if a late card matters. Which numbers: the one the person has
 * verified at the erasure (the phone item keeps no history; a number she gave up may be another
 * person's by now, whose cards are not hers to erase).
 */
import { createHmac } from 'node:crypto';
import type { StoreContext } from '../../store/client.ts';
import { getItem, putIf } from '../../store/item-ops.ts';
import { phoneFloorKey } from '../../store/keys.ts';
import { floorOf } from '../record/owner-floor.ts';
import { ERASURE_WINDOW_SECONDS, EXPIRES_AT, FLOOR } from '../record/registers.ts';

/** The key used when none is configured (tests, `npm start` without a bot token). */
export const LOCAL_PHONE_KEY = 'telegram-contacts-local-phone-key';

/** The keyed hash of an E.164 number, as the erased phone's key holds it (base64url). */
export function phoneHash(ctx: StoreContext, e164: string): string {
  return createHmac('sha256', ctx.phoneKey ?? LOCAL_PHONE_KEY)
    .update(e164)
    .digest('base64url');
}

/**
 * Records that the person who verified `e164` was erased with floor `floor` (at `at`): a card
 * of the number dated before it is not kept. Never lowers a floor; lasts as long as the
 * erasure's gate tombstones (a redelivery comes within a day of its date).
 */
export async function closePhone(ctx: StoreContext, e164: string, at: number): Promise<void> {
  const floor = at + 1;
  await putIf(
    ctx,
    {
      Item: {
        ...phoneFloorKey(phoneHash(ctx, e164)),
        [FLOOR]: floor,
        [EXPIRES_AT]: at + ERASURE_WINDOW_SECONDS + 24 * 3600,
      },
      ConditionExpression: 'attribute_not_exists(#floor) OR #floor < :floor',
      ExpressionAttributeNames: { '#floor': FLOOR },
      ExpressionAttributeValues: { ':floor': floor },
    },
    'erasure',
  );
}

/** The erasure floor of `e164` (a consistent read), if its holder was erased lately. */
export async function readPhoneFloor(ctx: StoreContext, e164: string): Promise<number | undefined> {
  return floorOf(await getItem(ctx, phoneFloorKey(phoneHash(ctx, e164)), 'phone floor read'));
}
