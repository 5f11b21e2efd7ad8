/**
 * Tags and note of a contact, set by applications (`PATCH /v1/contacts/{userId}`, a JSON
 * merge patch). No transactions, single-item conditional writes, as everywhere in the store.
 *
 * ## Items
 * - The notes item (`USER#u` / `PROFILE#NOTES`) is the truth: `tags` (sorted), `note`,
 *   `updatedAt`, a version `v`, and the single-source dates `st` (this write) and `s0` (the
 *   first write) by which erasure settles it (settle.ts). The contact read (a Query of
 *   `PROFILE*`) brings it with the months.
 * - One tag entry per tag (`USER#u` / `TAG#<tag>`, in GSI1 under `TAG#<tag>`) is an index for
 *   `?tag=` listings, which check every hit against the notes item. An entry carries the
 *   version of the patch that wrote it last (`v`) and its own `st` / `s0`.
 *
 * ## A patch, in order
 * 1. Read the contact (consistent). Never seen, or nothing dated after its latest erasure
 *    floor (an erasure under way): 404. The floor seen here is remembered.
 * 2. Write the entries of added tags (the index runs ahead of the truth: an entry without its
 *    tag in the notes item is ignored by listings).
 * 3. Write the notes item, conditional on the version read in 1 (a concurrent patch makes
 *    this one start again) and on the item carrying no erasure floor later than this patch's
 *    start (an erasure that settled it and kept it: nothing written before it comes back).
 * 4. Delete entries whose tag the notes item no longer holds, each conditional on its
 *    version being at most this patch's (a newer patch re-adding the tag keeps its entry),
 *    and write any entry of a held tag found missing. Entries a crashed patch left go here.
 * 5. Read the contact again (consistent): the answer, and the erasure check. An erasure
 *    that closed the user's months after step 1 shows as a newer floor on them (erasure.ts
 *    puts it on today's months before it settles anything): then everything this patch may
 *    have written is settled against that floor, or against the second after this patch's
 *    start if later (so everything first written up to its start goes), and the answer is 404. An erasure whose months close after step 5 finds the items written and
 *    settles them itself. A patch that started again after step 3 and then finds the user
 *    erased settles the tag entries its earlier attempts wrote the same way.
 *
 * Versions are `max(previous + 1, now in ms)`, so they keep rising across an erasure that
 * deleted the notes item. Outside the model, as for the recorder: a patch that crashes
 * between its writes and step 5 while the user is erased leaves what it wrote (listings
 * ignore a tag entry without a notes item; a notes item without a contact is never shown);
 * so does a patch that began after an erasure's time when that erasure closes the months
 * only after the patch's step 5 (an erasure keeps what is dated after it).
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../errors.ts';
import type { StoreContext } from './client.ts';
import { isConditionalCheckFailed, settleAll, toStoreError } from './dynamo-errors.ts';
import { ItemUpdate } from './item-update.ts';
import { type Contact, notesOf, toContact } from './items.ts';
import {
  isNotesSk,
  type Key,
  monthOfSk,
  notesKey,
  PROFILE,
  TAG_PREFIX,
  tagIndexKeys,
  tagKey,
  tagOfSk,
  userPk,
} from './keys.ts';
import { queryAll } from './query.ts';
import { FLOOR, isRegisterAttr, SINGLE_SOURCE } from './registers.ts';
import { settleItem } from './settle.ts';

/** A merge patch: an absent member is left alone, `null` removes. Tags already normalized. */
export interface NotesPatch {
  tags?: string[] | null;
  note?: string | null;
}

type Item = Record<string, unknown>;

const VERSION = 'v';
const MAX_ATTEMPTS = 8;

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** The contact's items as step 1 and 5 see them. */
interface Seen {
  contact: Contact | null;
  /** Something dated at or after the newest erasure floor on the months (or no floor). */
  live: boolean;
  floor?: number;
  notes?: Item;
}

async function readContact(ctx: StoreContext, userId: number): Promise<Seen> {
  const items = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :profile)',
    ExpressionAttributeValues: { ':pk': userPk(userId), ':profile': PROFILE },
    ConsistentRead: true,
  });
  const months = items.filter((item) => monthOfSk(String(item.sk)) !== undefined);
  const floors = months.map((item) => num(item[FLOOR])).filter((f) => f !== undefined);
  const floor = floors.length > 0 ? Math.max(...floors) : undefined;
  const dates = months.flatMap((item) =>
    Object.entries(item)
      .filter(([attr]) => isRegisterAttr(attr))
      .map(([, register]) => num((register as { t?: unknown }).t) ?? Number.NEGATIVE_INFINITY),
  );
  const contact = toContact(items);
  return {
    contact,
    live: contact !== null && (floor === undefined || dates.some((t) => t >= floor)),
    ...(floor !== undefined ? { floor } : {}),
    ...withNotes(items.find((item) => isNotesSk(String(item.sk)))),
  };
}

const withNotes = (notes: Item | undefined) => (notes ? { notes } : {});

/** Writes the entry of `tag` unless a patch of this version or a newer one already did. */
async function putTag(ctx: StoreContext, userId: number, tag: string, version: number, at: number) {
  const keys = tagIndexKeys(userId, tag);
  const update = new ItemUpdate(tagKey(userId, tag))
    .set('gsi1pk', keys.gsi1pk)
    .set('gsi1sk', keys.gsi1sk)
    .set(VERSION, version)
    .set(SINGLE_SOURCE.at, at)
    .setIfMissing(SINGLE_SOURCE.since, at)
    .when(`attribute_not_exists(#{${VERSION}}) OR #{${VERSION}} < :version`, {
      ':version': version,
    });
  try {
    await ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName)));
  } catch (err: unknown) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** Deletes the entry at `key` unless a patch newer than `version` wrote it. */
async function dropTag(ctx: StoreContext, key: Key, version: number) {
  try {
    await ctx.client.send(
      new DeleteCommand({
        TableName: ctx.tableName,
        Key: key,
        ConditionExpression: 'attribute_not_exists(#v) OR #v <= :version',
        ExpressionAttributeNames: { '#v': VERSION },
        ExpressionAttributeValues: { ':version': version },
      }),
    );
  } catch (err: unknown) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** Step 3; false when another patch or an erasure changed the item since it was read. */
async function writeNotes(
  ctx: StoreContext,
  userId: number,
  patch: NotesPatch,
  write: { tags: string[]; version: number; at: number; previous?: number },
): Promise<boolean> {
  const update = new ItemUpdate(notesKey(userId))
    .set(VERSION, write.version)
    .set('updatedAt', new Date(write.at * 1000).toISOString())
    .set(SINGLE_SOURCE.at, write.at)
    .setIfMissing(SINGLE_SOURCE.since, write.at)
    .when(`attribute_not_exists(#{${FLOOR}}) OR #{${FLOOR}} <= :start`, { ':start': write.at });
  if (write.previous === undefined) update.when(`attribute_not_exists(#{${VERSION}})`);
  else update.when(`#{${VERSION}} = :previous`, { ':previous': write.previous });
  if (patch.tags !== undefined) {
    if (write.tags.length > 0) update.set('tags', write.tags);
    else update.remove('tags');
  }
  if (patch.note === null) update.remove('note');
  else if (patch.note !== undefined) update.set('note', patch.note);
  try {
    await ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName)));
    return true;
  } catch (err: unknown) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** Step 4; returns the keys of every entry the user may now have. */
async function reconcileTags(
  ctx: StoreContext,
  userId: number,
  write: { tags: string[]; version: number; at: number },
): Promise<Key[]> {
  const entries = await queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tag)',
    ExpressionAttributeValues: { ':pk': userPk(userId), ':tag': TAG_PREFIX },
    ConsistentRead: true,
  });
  const held = new Set(write.tags);
  const present = new Set(entries.map((entry) => tagOfSk(String(entry.sk))));
  const stale = entries.filter((entry) => !held.has(tagOfSk(String(entry.sk))));
  const missing = write.tags.filter((tag) => !present.has(tag));
  await settleAll('tag index', [
    ...stale.map((entry) =>
      dropTag(ctx, { pk: String(entry.pk), sk: String(entry.sk) }, write.version),
    ),
    ...missing.map((tag) => putTag(ctx, userId, tag, write.version, write.at)),
  ]);
  return [...present, ...missing].map((tag) => tagKey(userId, tag));
}

/**
 * What one attempt came to: the contact; `again` when the notes item changed since it was
 * read (the tag entries it wrote are handed back); `gone` when the user is not there (with
 * the erasure floor that removed them, when one did).
 */
type Attempt =
  | { kind: 'done'; contact: Contact }
  | { kind: 'again'; written: Key[] }
  | { kind: 'gone'; floor?: number };

async function attempt(
  ctx: StoreContext,
  userId: number,
  patch: NotesPatch,
  startedMs: number,
): Promise<Attempt> {
  const at = Math.floor(startedMs / 1000);
  const before = await readContact(ctx, userId);
  if (!before.live) return { kind: 'gone', ...(before.floor ? { floor: before.floor } : {}) };
  // Settled and kept by an erasure later than this patch's start: the patch raced it.
  if ((num(before.notes?.[FLOOR]) ?? Number.NEGATIVE_INFINITY) > at) return { kind: 'gone' };
  if (patch.tags === undefined && patch.note === undefined) {
    return { kind: 'done', contact: before.contact as Contact };
  }

  const oldTags = notesOf(before.notes).tags ?? [];
  const tags = patch.tags === undefined ? oldTags : (patch.tags ?? []);
  const previous = num(before.notes?.[VERSION]);
  const write = { tags, version: Math.max((previous ?? 0) + 1, startedMs), at };
  const added = tags.filter((tag) => !oldTags.includes(tag));
  await settleAll(
    'tag index',
    added.map((tag) => putTag(ctx, userId, tag, write.version, at)),
  );
  const written = await writeNotes(ctx, userId, patch, {
    ...write,
    ...(previous !== undefined ? { previous } : {}),
  });
  if (!written) return { kind: 'again', written: added.map((tag) => tagKey(userId, tag)) };
  const entries = await reconcileTags(ctx, userId, write);

  const after = await readContact(ctx, userId);
  if (after.floor !== undefined && (before.floor === undefined || after.floor > before.floor)) {
    const floor = Math.max(after.floor, at + 1);
    await settleAll(
      'settle',
      [notesKey(userId), ...entries].map((key) => settleItem(ctx, key, floor)),
    );
    return { kind: 'gone', floor };
  }
  return after.contact ? { kind: 'done', contact: after.contact } : { kind: 'gone' };
}

/**
 * Applies `patch` to the tags and note of user `userId` (see the module comment); the
 * contact as it then is, or null when the user was never seen or is erased (also when an
 * erasure ran during the patch). `now` is a milliseconds clock (tests).
 */
export async function patchContactNotes(
  ctx: StoreContext,
  userId: number,
  patch: NotesPatch,
  now: () => number = Date.now,
): Promise<Contact | null> {
  const written: Key[] = [];
  let first: number | undefined;
  try {
    for (let round = 0; round < MAX_ATTEMPTS; round++) {
      const startedMs = now();
      first ??= Math.floor(startedMs / 1000);
      const result = await attempt(ctx, userId, patch, startedMs);
      if (result.kind === 'done') return result.contact;
      if (result.kind === 'again') {
        written.push(...result.written);
        continue;
      }
      // Erased after an earlier attempt wrote tag entries: they go like everything else.
      if (result.floor !== undefined && written.length > 0) {
        const floor = Math.max(result.floor, first + 1);
        await settleAll(
          'settle',
          written.map((key) => settleItem(ctx, key, floor)),
        );
      }
      return null;
    }
  } catch (err: unknown) {
    throw toStoreError(err, 'notes write');
  }
  throw new StoreError('store notes write failed (the contact kept changing)');
}
