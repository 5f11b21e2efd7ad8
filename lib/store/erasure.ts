/**
 * Erasure of everything stored about one user: profile, monthly counters, memberships,
 * the contacts they shared, entries where others shared them, and their username and
 * phone index entries. Used by `DELETE /v1/contacts/{userId}` and the bot's /forget.
 * Idempotent: running it again (a retry after a failure) finishes the job.
 * Aggregate chat counters keep the user's messages as anonymous counts.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { sendUntilProcessed } from './batch-retry.ts';
import type { StoreContext } from './client.ts';
import { toStoreError } from './dynamo-errors.ts';
import { contactKey, type Key, PROFILE, phonePk, sharedOfPk, usernamePk, userPk } from './keys.ts';
import { defaultProfileCache, type ProfileCache } from './profile-cache.ts';
import { queryAll } from './query.ts';
import { INDEX_ENTRIES } from './record-plan.ts';
import { GSI1 } from './table.ts';

const BATCH = 25;

async function deleteKeys(ctx: StoreContext, keys: Key[]): Promise<void> {
  for (let i = 0; i < keys.length; i += BATCH) {
    const requests = keys.slice(i, i + BATCH).map((key) => ({ DeleteRequest: { Key: key } }));
    await sendUntilProcessed(
      requests,
      async (batch) => {
        const result = await ctx.client.send(
          new BatchWriteCommand({ RequestItems: { [ctx.tableName]: batch } }),
        );
        return (result.UnprocessedItems?.[ctx.tableName] ?? []) as typeof batch;
      },
      'deletes',
    );
  }
}

/** Returns true when anything was stored about the user. */
export async function eraseUser(
  ctx: StoreContext & { cache?: ProfileCache },
  userId: number,
): Promise<boolean> {
  try {
    const own = await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': userPk(userId) },
      // Must see what the same update (a /forget confirmation) wrote just before.
      ConsistentRead: true,
    });
    const sharedByOthers = await queryAll(ctx, {
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': sharedOfPk(userId) },
    });
    const profile = own.find((item) => item.sk === PROFILE);
    const keys: Key[] = [...own, ...sharedByOthers].map((item) => ({
      pk: String(item.pk),
      sk: String(item.sk),
    }));
    const indexPks = new Set<string>();
    if (typeof profile?.username === 'string') indexPks.add(usernamePk(profile.username));
    if (typeof profile?.phoneNumber === 'string') indexPks.add(phonePk(profile.phoneNumber));
    // Entries of earlier usernames and phones whose move has not finished yet.
    const tracked = profile?.[INDEX_ENTRIES];
    if (tracked instanceof Set) for (const pk of tracked) indexPks.add(String(pk));
    for (const pk of indexPks) keys.push({ pk, sk: userPk(userId) });
    // The profile goes last: until it is gone, a retry can still find the index entries.
    const profileKey = contactKey(userId);
    const rest = keys.filter((k) => !(k.pk === profileKey.pk && k.sk === profileKey.sk));
    await deleteKeys(ctx, rest);
    if (profile) await deleteKeys(ctx, [profileKey]);
    const { pk, sk } = profileKey;
    (ctx.cache ?? defaultProfileCache).forget(`${pk}|${sk}`);
    return keys.length > 0;
  } catch (err: unknown) {
    throw toStoreError(err, 'erasure');
  }
}
