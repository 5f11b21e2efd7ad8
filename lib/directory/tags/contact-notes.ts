/**
 * Tags and note of a contact, set by applications (`PATCH /v1/contacts/{userId}`, a JSON
 * merge patch). No transactions, single-item conditional writes, as everywhere in the store.
 *
 * ## Items
 * - The notes item (`USER#u` / `PROFILE#NOTES`) is the truth: `tags` (sorted), `note`,
 *   `updatedAt`, the version `v` of the patch that wrote it last, and the single-source dates
 *   `st` (last write) and `s0` (first write) by which erasure settles it (settle.ts). The
 *   contact read (a Query of `PROFILE*`) brings it with the months.
 * - One tag entry per tag (tag-entries.ts) is an index for `?tag=` listings, which check
 *   every hit against the notes item. An entry carries the version of the newest patch that
 *   wrote it (`v`) and its own `st` / `s0`.
 *
 * ## A patch, in order
 * 1. Read the contact (consistent). Never seen, or nothing dated at or after its newest
 *    erasure floor (an erasure under way): 404. The floor seen here is remembered. A version
 *    is chosen above the item's: `max(v + 1, now in ms)`, so versions keep rising across an
 *    erasure that deleted the item, and follow the patches' start times.
 * 2. Write the entry of every tag the patch sets (the index runs ahead of the truth).
 * 3. Write the patch's members of the notes item, and nothing else (a member left out keeps
 *    what any patch wrote), conditional on the item's version being lower (patches apply in
 *    version order: one that finds a newer version there starts again with a newer one) and
 *    on the item carrying no erasure floor later than this patch's start (an erasure that
 *    settled it and kept it: nothing begun before it comes back).
 * 4. With the tags the item held after step 3: delete every other entry, each conditional on
 *    its version being at most this patch's (a newer patch that sets the tag keeps its
 *    entry), and write any missing one. So the entries always include the tags of the notes
 *    item, and those a crashed or refused patch left go with the next patch.
 * 5. Read the contact again (consistent): the answer, and the erasure check. An erasure that
 *    closed the user's months after step 1 shows as a newer floor on them (erasure.ts puts it
 *    on today's months before it settles anything): then everything this patch may have
 *    written is settled against that floor, or against the second after this patch's start
 *    if later (so everything first written up to its start goes), and the answer is 404. An
 *    erasure whose months close after step 5 finds the items written and settles them
 *    itself. A patch that started again after step 3 and then finds the user erased settles
 *    the tag entries its earlier attempts wrote the same way.
 *
 * Outside the model, as for the recorder: a patch that crashes between its writes and step 5
 * while the user is erased leaves what it wrote (listings ignore a tag entry without a notes
 * item; a notes item without a contact is never shown); so does a patch that began after an
 * erasure's time when that erasure closes the months only after the patch's step 5 (an
 * erasure keeps what is dated after it). Versions from clocks that disagree by more than the
 * time between two patches order those patches by the faster clock.
 */
import { StoreError } from '../../errors.ts';
import type { StoreContext } from '../../store/client.ts';
import { settleAll, toStoreError } from '../../store/dynamo-errors.ts';
import { updateIf } from '../../store/item-ops.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import {
  isNotesSk,
  type Key,
  monthOfSk,
  notesKey,
  PROFILE,
  tagKey,
  userPk,
} from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { notesOf, toContactWithNotes } from '../read/items/contacts.ts';
import { unexpired } from '../read/items/values.ts';
import type { Contact } from '../read/shapes.ts';
import { FLOOR, isRegisterAttr, SINGLE_SOURCE } from '../record/registers.ts';
import { settleItem } from '../record/settle.ts';
import { putTag, reconcileTags, VERSION } from './tag-entries.ts';

/** A merge patch: an absent member is left alone, `null` removes. Tags already normalized. */
export interface NotesPatch {
  tags?: string[] | null;
  note?: string | null;
}

type Item = Record<string, unknown>;

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
  // As GET reads it: a month kept past RETENTION_DAYS (or an old tombstone) is not read.
  const items = unexpired(
    await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :profile)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':profile': PROFILE },
      ConsistentRead: true,
    }),
    ctx.retentionDays,
  );
  const months = items.filter((item) => monthOfSk(String(item.sk)) !== undefined);
  const floors = months.map((item) => num(item[FLOOR])).filter((f) => f !== undefined);
  const floor = floors.length > 0 ? Math.max(...floors) : undefined;
  const dates = months.flatMap((item) =>
    Object.entries(item)
      .filter(([attr]) => isRegisterAttr(attr))
      .map(([, register]) => num((register as { t?: unknown }).t) ?? Number.NEGATIVE_INFINITY),
  );
  const contact = toContactWithNotes(items);
  return {
    contact,
    live: contact !== null && (floor === undefined || dates.some((t) => t >= floor)),
    ...(floor !== undefined ? { floor } : {}),
    ...withNotes(items.find((item) => isNotesSk(String(item.sk)))),
  };
}

const withNotes = (notes: Item | undefined) => (notes ? { notes } : {});

/**
 * Step 3: sets the patch's members only (a member left out keeps what any patch wrote);
 * the tags the item then holds, or undefined when a newer patch or an erasure's floor
 * refused the write.
 */
async function writeNotes(
  ctx: StoreContext,
  userId: number,
  patch: NotesPatch,
  write: { version: number; at: number },
): Promise<string[] | undefined> {
  const update = new ItemUpdate(notesKey(userId))
    .set(VERSION, write.version)
    .set('updatedAt', new Date(write.at * 1000).toISOString())
    .set(SINGLE_SOURCE.at, write.at)
    .setIfMissing(SINGLE_SOURCE.since, write.at)
    .when(`attribute_not_exists(#{${VERSION}}) OR #{${VERSION}} < :version`, {
      ':version': write.version,
    })
    .when(`attribute_not_exists(#{${FLOOR}}) OR #{${FLOOR}} <= :start`, { ':start': write.at });
  if (patch.tags?.length) update.set('tags', patch.tags);
  else if (patch.tags !== undefined) update.remove('tags');
  if (patch.note === null) update.remove('note');
  else if (patch.note !== undefined) update.set('note', patch.note);
  const { applied, attributes } = await updateIf(ctx, update, 'notes write', {
    returnValues: 'ALL_NEW',
  });
  return applied ? (notesOf(attributes).tags ?? []) : undefined;
}

/**
 * What one attempt came to: the contact; `again` when a newer patch wrote the notes item
 * first (the tag entries this one wrote are handed back); `gone` when the user is not there
 * (with the erasure floor that removed them, when one did).
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

  const version = Math.max((num(before.notes?.[VERSION]) ?? 0) + 1, startedMs);
  const put = patch.tags ?? [];
  await settleAll(
    'tag index',
    put.map((tag) => putTag(ctx, userId, tag, { version, at })),
  );
  const tags = await writeNotes(ctx, userId, patch, { version, at });
  if (!tags) return { kind: 'again', written: put.map((tag) => tagKey(userId, tag)) };
  const entries = await reconcileTags(ctx, userId, tags, { version, at });

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
