/**
 * The upgrade of a table written before person references existed (`npm run migrate`): items
 * outside a person's partition that hold or name that person get the reference the current
 * code writes with them (keys.ts `REF#`, `REFPHONE#`, `ACTOR#`, and `refAt`), so an erasure
 * finds them (person-refs.ts). `referenceFor` says, for one stored item, which reference it
 * needs; the writers' tests check that it agrees with what they write.
 *
 * Idempotent and resumable: each write is conditional on the item existing without a GSI2
 * key, so running it twice, or again from any page after a crash, changes nothing more.
 */
import { ScanCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { LEGACY_CHATS } from '../../messaging/store/broadcast-lease.ts';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { getItem, writeIf } from '../../store/item-ops.ts';
import {
  actorRefIndexKeys,
  EVENT_PREFIX,
  idFromKey,
  personRefIndexKeys,
  phoneRefIndexKeys,
  REF_AT,
  USER_PREFIX,
} from '../../store/keys.ts';
import {
  BROADCAST_PREFIX,
  broadcastKey,
  broadcastSenderLeaseKey,
  DELIVERY_PREFIX,
  IDEMPOTENCY_PREFIX,
  OUTBOX_PREFIX,
  RECIPIENT_PREFIX,
} from '../../store/service-keys.ts';

type Item = Record<string, unknown>;

const OPERATION = 'migration';
export interface Reference {
  gsi2pk: string;
  [REF_AT]: number;
}

const num = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const record = (value: unknown) =>
  value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;

/** The actor reference of an event whose actor is not its member. */
function actorOf(userId: unknown, actorId: unknown, at: unknown): Reference | undefined {
  const actor = num(actorId);
  const when = num(at);
  if (actor === undefined || when === undefined || actor === num(userId)) return undefined;
  return actorRefIndexKeys(actor, when);
}

/**
 * Pure: the reference `item` needs, or undefined (none, or it has a GSI2 key already).
 * `broadcastCreatedAt`: the creation time (epoch seconds) of a recipient's broadcast.
 */
export function referenceFor(item: Item, broadcastCreatedAt?: number): Reference | undefined {
  if (item.gsi2pk !== undefined) return undefined;
  const pk = String(item.pk);
  const sk = String(item.sk);
  if (sk.startsWith(OUTBOX_PREFIX) && pk.startsWith(USER_PREFIX)) {
    const data = record(item.data);
    const at = num(item.at);
    if (at === undefined) return undefined;
    if (item.type === 'contact.shared') {
      const shared = record(data?.sharedContact);
      const userId = num(shared?.userId);
      if (userId !== undefined) return personRefIndexKeys(userId, at);
      const phone = shared?.phoneNumber;
      return typeof phone === 'string' ? phoneRefIndexKeys(phone, at) : undefined;
    }
    if (String(item.type).startsWith('member.')) return actorOf(item.userId, data?.actorId, at);
    return undefined;
  }
  if (sk.startsWith(EVENT_PREFIX) && pk.startsWith(USER_PREFIX)) {
    return actorOf(idFromKey(pk), item.actorId, item.at);
  }
  if (sk.startsWith(DELIVERY_PREFIX)) {
    const eventPk = item.eventPk;
    const at = num(item.createdAt);
    if (typeof eventPk !== 'string' || !eventPk.startsWith(USER_PREFIX) || at === undefined)
      return undefined;
    return personRefIndexKeys(idFromKey(eventPk), at);
  }
  if (sk.startsWith(RECIPIENT_PREFIX) && pk.startsWith(BROADCAST_PREFIX)) {
    const userId = num(item.userId);
    if (userId === undefined || broadcastCreatedAt === undefined) return undefined;
    return personRefIndexKeys(userId, broadcastCreatedAt);
  }
  if (pk.startsWith(IDEMPOTENCY_PREFIX)) {
    // A direct message's answer: its chat (a 201) or a refusal naming the contact (a 409).
    const answer = record(item.answer);
    const named = /\bcontact (\d+)\b/.exec(String(answer?.detail ?? ''))?.[1];
    const userId = num(record(answer?.body)?.chatId) ?? (named ? Number(named) : undefined);
    const at = num(item.createdAt);
    if (userId === undefined || userId <= 0 || at === undefined) return undefined;
    return personRefIndexKeys(userId, at);
  }
  return undefined;
}

const lease = broadcastSenderLeaseKey();
/** The sender lease as an earlier release left it: with the user ids it last messaged. */
const isLegacyLease = (item: Item) =>
  item.pk === lease.pk && item.sk === lease.sk && item[LEGACY_CHATS] !== undefined;

/** One conditional UpdateItem of the migration: false when its condition failed. */
function updateWhere(ctx: StoreContext, input: Omit<UpdateCommandInput, 'TableName'>) {
  return writeIf(OPERATION, () =>
    ctx.client.send(new UpdateCommand({ TableName: ctx.tableName, ...input })),
  );
}

/** Removes the lease's legacy chat list; false if it has none (any more). */
function clearLegacyChats(ctx: StoreContext): Promise<boolean> {
  return updateWhere(ctx, {
    Key: lease,
    UpdateExpression: 'REMOVE #chats',
    ConditionExpression: 'attribute_exists(#chats)',
    ExpressionAttributeNames: { '#chats': LEGACY_CHATS },
  });
}

export interface MigrationProgress {
  scanned: number;
  /** Items that needed a reference (written, or that would be in a dry run). */
  referenced: number;
  /**
   * Copies of people an earlier release kept that the current one does not (the broadcast
   * sender lease's chat ids of its last second): removed, or that would be.
   */
  cleared: number;
  /** Where the next page starts; absent when the table is done. */
  next?: Record<string, unknown>;
}

/** Adds `ref` to the item at `key` unless it has a GSI2 key already; false if not written. */
function addReference(ctx: StoreContext, item: Item, ref: Reference): Promise<boolean> {
  return updateWhere(ctx, {
    Key: { pk: item.pk, sk: item.sk },
    UpdateExpression: 'SET gsi2pk = :ref, #at = :at',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi2pk)',
    ExpressionAttributeNames: { '#at': REF_AT },
    ExpressionAttributeValues: { ':ref': ref.gsi2pk, ':at': ref[REF_AT] },
  });
}

/**
 * Adds the missing references, a page at a time from `from` (a page's `next`), reporting each
 * page to `onPage`. `dryRun`: counts what it would write, writes nothing.
 */
export async function migrateReferences(
  ctx: StoreContext,
  options: {
    dryRun?: boolean;
    from?: Record<string, unknown>;
    pageSize?: number;
    onPage?: (progress: MigrationProgress) => void;
  } = {},
): Promise<MigrationProgress> {
  const progress: MigrationProgress = { scanned: 0, referenced: 0, cleared: 0 };
  const broadcasts = new Map<string, number | undefined>();
  const createdOf = async (pk: string) => {
    if (!broadcasts.has(pk)) {
      const id = pk.slice(BROADCAST_PREFIX.length);
      const item = await getItem(ctx, broadcastKey(id), OPERATION);
      const ms = num(item?.createdAt);
      broadcasts.set(pk, ms === undefined ? undefined : Math.floor(ms / 1000));
    }
    return broadcasts.get(pk);
  };
  let start = options.from;
  try {
    do {
      const page = await ctx.client.send(
        new ScanCommand({
          TableName: ctx.tableName,
          Limit: options.pageSize ?? 200,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        progress.scanned++;
        const pk = String(item.pk);
        const isRecipient =
          pk.startsWith(BROADCAST_PREFIX) && String(item.sk).startsWith(RECIPIENT_PREFIX);
        if (isLegacyLease(item)) {
          if (options.dryRun || (await clearLegacyChats(ctx))) progress.cleared++;
          continue;
        }
        const ref = referenceFor(item, isRecipient ? await createdOf(pk) : undefined);
        if (!ref) continue;
        if (options.dryRun || (await addReference(ctx, item, ref))) progress.referenced++;
      }
      start = page.LastEvaluatedKey;
      progress.next = start;
      options.onPage?.({ ...progress });
    } while (start);
  } catch (err: unknown) {
    throw toStoreError(err, OPERATION);
  }
  return progress;
}
