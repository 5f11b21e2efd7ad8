/**
 * Records the facts of an update exactly once per `update_id`, with single-item writes only
 * (the embedded store has no transactions; single-item writes are also cheaper).
 *
 * Protocol, for one update:
 * 1. `isUpdateDone`: one consistent GetItem of the marker `UPDATE#<id>`. Present -> the
 *    update was fully recorded before: the delivery is a duplicate and costs this one read.
 * 2. `recordFacts`: every item write runs concurrently. Profiles, indexes and shared entries
 *    are plain SETs of values taken from the update, so replaying them is harmless. Counters
 *    (ADD) are guarded: the write adds the update id to the item's set `g` on condition it is
 *    not there yet (see update-guard.ts), so each item counts an update at most once.
 *    Username and phone index entries are put beside the profile write, which also records
 *    their keys on the profile (INDEX_ENTRIES); entries that no longer match the profile are
 *    deleted after it and only then untracked, so an interrupted move is finished by the next
 *    attempt even though that attempt no longer sees the old value.
 * 3. `markUpdateDone`: PutItem of the marker, only after every write of step 2 succeeded
 *    (and after the bot's own storage work, done by the caller in between).
 *
 * Guarantee: whatever subset of step 2 landed before a failure or a crash, a redelivery
 * completes the rest and counts nothing twice; concurrent deliveries of one update are safe
 * for the same reason. The final state equals a single clean delivery.
 *
 * Limits: markers live 7 days (TTL; Telegram gives up redelivering after about a day); an
 * item keeps at most 64 ids of updates that failed and never came back, beyond that the
 * oldest are dropped; plain SETs are last-writer-wins, so two different updates delivered
 * out of order may leave the older profile values (names, and the month's last-seen stamp,
 * so lastSeenAt can step back within a month) until the next update; an update
 * without a date of its own (callback, inline query) is dated on arrival, so a redelivery may
 * move a last-seen stamp; an erasure racing a group migration (chat-migration.ts) can see the
 * migrated copy of the user's membership land after it; a guard drops an update's id once
 * its marker exists, so a second delivery of that update still in flight when the first one
 * finished and a later update pruned the item (Telegram does not send a duplicate while the
 * first is running unless it timed out, and Lambda stops us at 10 s) could count it again. Tests and figures: docs/reliability.md.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UpdateFacts } from '../telegram/facts.ts';
import { moveChat } from './chat-migration.ts';
import type { StoreContext } from './client.ts';
import { isConditionalCheckFailed, settleAll, toStoreError } from './dynamo-errors.ts';
import type { ItemUpdate } from './item-update.ts';
import { applyItemUpdate } from './item-writer.ts';
import {
  contactKey,
  phoneKey,
  phonePk,
  updateMarkerKey,
  usernameKey,
  usernamePk,
  userPk,
} from './keys.ts';
import { defaultProfileCache, type ProfileCache } from './profile-cache.ts';
import { type ContactWrite, INDEX_ENTRIES, planRecord } from './record-plan.ts';

export const MARKER_TTL_SECONDS = 7 * 24 * 3600;

export interface RecorderContext extends StoreContext {
  cache?: ProfileCache;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Step 1: true when this update was recorded completely before. */
export async function isUpdateDone(ctx: StoreContext, updateId: number): Promise<boolean> {
  try {
    const { Item } = await ctx.client.send(
      new GetCommand({
        TableName: ctx.tableName,
        Key: updateMarkerKey(updateId),
        ConsistentRead: true,
      }),
    );
    // The embedded store never expires items: an expired marker counts as absent.
    return Item !== undefined && Number(Item.expiresAt) > nowSeconds();
  } catch (err: unknown) {
    throw toStoreError(err, 'marker read');
  }
}

/** Step 3: the update is fully recorded; redeliveries stop at step 1. */
export async function markUpdateDone(ctx: StoreContext, updateId: number): Promise<void> {
  try {
    await ctx.client.send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: { ...updateMarkerKey(updateId), expiresAt: nowSeconds() + MARKER_TTL_SECONDS },
      }),
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'marker write');
  }
}

/**
 * The index entries (partition keys) tracked on the old profile, or implied by its username
 * and phone, that the profile no longer has after `contact` is written.
 */
function staleIndexEntries(old: Record<string, unknown>, contact: ContactWrite): string[] {
  const tracked = new Set<string>();
  const entries = old[INDEX_ENTRIES];
  if (entries instanceof Set) for (const pk of entries) tracked.add(String(pk));
  const oldPhone = typeof old.phoneNumber === 'string' ? old.phoneNumber : undefined;
  if (typeof old.username === 'string' && old.username) tracked.add(usernamePk(old.username));
  if (oldPhone) tracked.add(phonePk(oldPhone));
  const current = new Set<string>();
  if (contact.username) current.add(usernamePk(contact.username));
  const phone = contact.phoneNumber ?? oldPhone;
  if (phone) current.add(phonePk(phone));
  return [...tracked].filter((pk) => !current.has(pk));
}

/**
 * Profile write plus its index entries. The profile write also records the entries' keys in
 * INDEX_ENTRIES; then every entry it tracked that no longer matches the profile is deleted,
 * and only then untracked. A failure anywhere leaves the stale keys tracked, so the
 * redelivery (or the contact's next update) finishes the move, whatever the old values were.
 */
async function writeContact(ctx: StoreContext, contact: ContactWrite): Promise<void> {
  const { userId } = contact;
  const put = (key: { pk: string; sk: string }) =>
    ctx.client.send(new PutCommand({ TableName: ctx.tableName, Item: { ...key, userId } }));
  const [profile] = await settleAll('contact', [
    ctx.client.send(
      new UpdateCommand({ ...contact.update.toInput(ctx.tableName), ReturnValues: 'ALL_OLD' }),
    ),
    ...(contact.username ? [put(usernameKey(contact.username, userId))] : []),
    ...(contact.phoneNumber ? [put(phoneKey(contact.phoneNumber, userId))] : []),
  ]);
  const old = (profile as { Attributes?: Record<string, unknown> }).Attributes ?? {};
  const stale = staleIndexEntries(old, contact);
  if (stale.length === 0) return;
  await settleAll(
    'index move',
    stale.map((pk) =>
      ctx.client.send(
        new DeleteCommand({ TableName: ctx.tableName, Key: { pk, sk: userPk(userId) } }),
      ),
    ),
  );
  try {
    await ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: contactKey(userId),
        UpdateExpression: 'DELETE #ix :stale',
        // Never recreate a profile erased meanwhile.
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#ix': INDEX_ENTRIES },
        ExpressionAttributeValues: { ':stale': new Set(stale) },
      }),
    );
  } catch (err: unknown) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** Step 2: every write the facts call for (see the module comment for the guarantee). */
export async function recordFacts(ctx: RecorderContext, facts: UpdateFacts): Promise<void> {
  const cache = ctx.cache ?? defaultProfileCache;
  const plan = planRecord(facts);
  const fresh = (update: ItemUpdate) => {
    if (!update.cacheable) return true;
    const id = `${update.key.pk}|${update.key.sk}`;
    return !cache.has(id, update.signature());
  };
  const remember = (update: ItemUpdate) => {
    if (update.cacheable) cache.remember(`${update.key.pk}|${update.key.sk}`, update.signature());
  };
  const contacts = plan.contacts.filter((c) => fresh(c.update));
  const items = plan.items.filter((u) => !u.isEmpty && fresh(u));
  await settleAll('record', [
    ...contacts.map((c) => writeContact(ctx, c).then(() => remember(c.update))),
    ...items.map((u) => applyItemUpdate(ctx, u, facts.updateId).then(() => remember(u))),
  ]);
  if (plan.migration) {
    await moveChat(ctx, plan.migration.fromChatId, plan.migration.toChatId).catch(
      (err: unknown) => {
        throw toStoreError(err, 'chat migration');
      },
    );
  }
}
