/**
 * What an export adds to each membership from the member's own partition: the tags an
 * application set (`USER#<id>` / `PROFILE#NOTES`, attribute `tags`, a list of strings) and,
 * when asked, the verified phone (`USER#<id>` / `PROFILE#PHONE`, `phoneNumber`). Read by
 * BatchGetItem, 100 keys per request, several in flight: one key per member, two with phones.
 */
import { getItemsConcurrently } from './batch-get.ts';
import type { StoreContext } from './client.ts';
import { toStoreError } from './dynamo-errors.ts';
import { idFromKey, type Key, notesKey, phoneItemKey } from './keys.ts';

export interface MemberExtras {
  tags: string[];
  phoneNumber?: string;
}

const NOTES_SK = notesKey(0).sk;
const PHONE_SK = phoneItemKey(0).sk;

/** A `tags` attribute as strings: a list, or a string set (read as a Set), in stored order. */
function tagsOf(value: unknown): string[] {
  const values = value instanceof Set ? [...value].sort() : Array.isArray(value) ? value : [];
  return values.filter((tag): tag is string => typeof tag === 'string');
}

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
    items = await getItemsConcurrently(ctx, keys);
  } catch (err: unknown) {
    throw toStoreError(err, 'member tags read');
  }
  const extras = new Map<number, MemberExtras>(userIds.map((id) => [id, { tags: [] }]));
  for (const item of items) {
    const entry = extras.get(idFromKey(String(item.pk)));
    if (!entry) continue;
    if (item.sk === NOTES_SK) entry.tags = tagsOf(item.tags);
    if (item.sk === PHONE_SK && typeof item.phoneNumber === 'string') {
      entry.phoneNumber = item.phoneNumber;
    }
  }
  return extras;
}
