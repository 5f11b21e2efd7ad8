/**
 * A contact's tag entries (`USER#u` / `TAG#<tag>`, in GSI1 under `TAG#<tag>`): the index of
 * the tags in the contact's notes item, kept by the patches of contact-notes.ts. Each entry
 * carries the version of the newest patch that wrote it (`v`), so a patch only ever deletes
 * entries no newer patch wrote, and the single-source dates `st` / `s0` erasure settles by.
 */
import type { StoreContext } from '../../store/client.ts';
import { settleAll } from '../../store/dynamo-errors.ts';
import { deleteIf, updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import { type Key, TAG_PREFIX, tagIndexKeys, tagKey, tagOfSk, userPk } from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { SINGLE_SOURCE } from '../record/registers.ts';

/** Tag entries are written by a notes patch: their faults are its faults. */
const OPERATION = 'notes write';

/** The attribute holding a patch's version, on the notes item and on tag entries. */
export const VERSION = 'v';

/** What a patch writes with: its version and start (epoch seconds). */
export interface TagWrite {
  version: number;
  at: number;
}

/** Writes the entry of `tag` unless a patch of this version or a newer one already did. */
export async function putTag(ctx: StoreContext, userId: number, tag: string, write: TagWrite) {
  const keys = tagIndexKeys(userId, tag);
  const update = new ItemUpdate(tagKey(userId, tag))
    .set('gsi1pk', keys.gsi1pk)
    .set('gsi1sk', keys.gsi1sk)
    .set(VERSION, write.version)
    .set(SINGLE_SOURCE.at, write.at)
    .setIfMissing(SINGLE_SOURCE.since, write.at)
    .when(`attribute_not_exists(#{${VERSION}}) OR #{${VERSION}} < :version`, {
      ':version': write.version,
    });
  await updateIf(ctx, update, OPERATION);
}

/** Deletes the entry at `key` unless a patch newer than `version` wrote it. */
async function dropTag(ctx: StoreContext, key: Key, version: number) {
  await deleteIf(ctx, key, OPERATION, {
    ConditionExpression: 'attribute_not_exists(#v) OR #v <= :version',
    ExpressionAttributeNames: { '#v': VERSION },
    ExpressionAttributeValues: { ':version': version },
  });
}

/**
 * Makes the entries those of `tags` (the notes item's after a patch's write): deletes the
 * others no newer patch wrote and writes missing ones; the keys of every entry there may be.
 */
export async function reconcileTags(
  ctx: StoreContext,
  userId: number,
  tags: readonly string[],
  write: TagWrite,
): Promise<Key[]> {
  const entries = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tag)',
    ExpressionAttributeValues: { ':pk': userPk(userId), ':tag': TAG_PREFIX },
    ConsistentRead: true,
  });
  const held = new Set(tags);
  const present = new Set(entries.map((entry) => tagOfSk(String(entry.sk))));
  const stale = entries.filter((entry) => !held.has(tagOfSk(String(entry.sk))));
  const missing = tags.filter((tag) => !present.has(tag));
  await settleAll('tag index', [
    ...stale.map((entry) =>
      dropTag(ctx, { pk: String(entry.pk), sk: String(entry.sk) }, write.version),
    ),
    ...missing.map((tag) => putTag(ctx, userId, tag, write)),
  ]);
  return [...present, ...missing].map((tag) => tagKey(userId, tag));
}
