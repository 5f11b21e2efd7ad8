/**
 * A send that Telegram refused with 403 "bot was blocked by the user": recorded as the
 * contact's `PROFILE#BLOCKED` item (private-chat.ts folds it with the private chat's
 * my_chat_member), so the contact shows `botBlocked: true` until Telegram says otherwise.
 *
 * A single-source item (`st`/`s0`): an erasure deletes it like the rest of the user. The write
 * is refused under an erasure floor newer than the send; a write that created the item may
 * have raced an erasure that had already listed the user's items, so it then reads the
 * user's floor and settles the item against it (recorder.ts does the same for its items).
 */
import { readOwnerFloor } from '../../directory/record/owner-floor.ts';
import { FLOOR, SINGLE_SOURCE } from '../../directory/record/registers.ts';
import { settleItem } from '../../directory/record/settle.ts';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { blockedKey, monthOf } from '../../store/keys.ts';
import { BLOCKED_AT } from './private-chat.ts';

/** Records that a send to `userId` made at `at` (epoch seconds) found the bot blocked. */
export async function recordBotBlocked(
  ctx: StoreContext,
  userId: number,
  at = Math.floor(Date.now() / 1000),
): Promise<void> {
  const key = blockedKey(userId);
  const update = new ItemUpdate(key)
    .set(BLOCKED_AT, at)
    .set(SINGLE_SOURCE.at, at)
    .setIfMissing(SINGLE_SOURCE.since, at)
    .when(`attribute_not_exists(#{${FLOOR}}) OR #{${FLOOR}} <= :at`, { ':at': at })
    .when(`attribute_not_exists(#{${BLOCKED_AT}}) OR #{${BLOCKED_AT}} <= :at`, { ':at': at });
  try {
    const result = await updateIf(ctx, update, 'blocked record', { returnValues: 'ALL_OLD' });
    // Refused: a newer record, or an erasure after the send. Not created: an older record.
    if (!result.applied || result.attributes !== undefined) return;
    const floor = await readOwnerFloor(ctx, userId, [monthOf(at), monthOf(Date.now() / 1000)]);
    if (floor !== undefined && at < floor) await settleItem(ctx, key, floor);
  } catch (err: unknown) {
    throw toStoreError(err, 'blocked record');
  }
}
