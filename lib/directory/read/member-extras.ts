/**
 * What an export adds to each membership from the member's own partition: the tags an
 * application set (`USER#<id>` / `PROFILE#NOTES`, attribute `tags`, a list of strings) and,
 * when asked, the verified phone (`USER#<id>` / `PROFILE#PHONE`, `phoneNumber`). Read by
 * BatchGetItem, 100 keys per request, several in flight: one key per member, two with phones.
 */
import { bulkGet } from '../../store/bulk-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { idFromKey, type Key, notesKey, phoneItemKey } from '../../store/keys.ts';
import { taggedUserIds } from '../tags/tagged-contacts.ts';
import { notesOf } from './items/contacts.ts';

export interface MemberExtras {
  tags: string[];
  phoneNumber?: string;
}

const NOTES_SK = notesKey(0).sk;
const PHONE_SK = phoneItemKey(0).sk;

/** Tags (and with `phones`, verified phones) of `userIds`, by user id; every id is in the map. */
export async function readMemberExtras(
  ctx: StoreContext,
  userIds: readonly number[],
  options: { phones: boolean },
): Promise<Map<number, MemberExtras>> {
  const keys: Key[] = userIds.flatMap((id) =>
    options.phones ? [notesKey(id), phoneItemKey(id)] : [notesKey(id)],
  );
  let items: Record<string, unknown>[];
  try {
    items = await bulkGet(ctx, keys);
  } catch (err: unknown) {
    throw toStoreError(err, 'member tags read');
  }
  const extras = new Map<number, MemberExtras>(userIds.map((id) => [id, { tags: [] }]));
  for (const item of items) {
    const entry = extras.get(idFromKey(String(item.pk)));
    if (!entry) continue;
    if (item.sk === NOTES_SK) entry.tags = notesOf(item).tags ?? [];
    if (item.sk === PHONE_SK && typeof item.phoneNumber === 'string') {
      entry.phoneNumber = item.phoneNumber;
    }
  }
  return extras;
}

/** Tag index entries read per Query when a whole tag is read. */
const TAG_PAGE = 1000;

/**
 * Which of `userIds` have `tag`: every page of the tag index (GSI1 `TAG#<tag>`), kept where
 * the user is among `userIds` and their notes item holds the tag (index entries may run ahead
 * of it, contact-notes.ts), one BatchGetItem per 100 candidates.
 */
export async function taggedAmong(
  ctx: StoreContext,
  tag: string,
  userIds: readonly number[],
): Promise<Set<number>> {
  const wanted = new Set(userIds);
  const candidates: number[] = [];
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await taggedUserIds(ctx, tag, {
        limit: TAG_PAGE,
        ...(startKey ? { startKey } : {}),
      });
      candidates.push(...page.ids.filter((id) => wanted.has(id)));
      startKey = page.lastKey;
    } while (startKey);
    const notes = await bulkGet(ctx, candidates.map(notesKey));
    return new Set(
      notes
        .filter((item) => notesOf(item).tags?.includes(tag) === true)
        .map((item) => idFromKey(String(item.pk))),
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'member tags read');
  }
}
