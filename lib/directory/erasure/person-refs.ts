/**
 * References to a person kept outside their own partition, and how an erasure ends them
 * (keys.ts `REF#`, `REFPHONE#`, `ACTOR#`). Every item that holds something of a person but
 * lives elsewhere (another person's event naming them, a delivery of their event, a broadcast
 * recipient, an idempotency record of a send to them) carries one GSI2 key naming them and the
 * time it was made (`refAt`). The erasure (erasure.ts) Queries each kind once and, for every
 * reference made before its floor:
 * - `REF#<id>` / `REFPHONE#<e164>`: deletes the item, or, for the kinds in
 *   `REFERENCE_ACTIONS`, makes it a tombstone that names no one (a direct message's
 *   idempotency record: its key must keep refusing to send again, idempotency-tombstone.ts);
 * - `ACTOR#<id>`: removes the actor from the item (its `actorId` becomes null) and the
 *   reference with it; the event itself belongs to someone else and stays.
 * A reference made at or after the floor is of the person's new life and stays. Each write is
 * conditional on the item still holding that reference, so a retried erasure is harmless.
 *
 * The index is eventually consistent and an item may be written while the erasure runs: every
 * reader that sends or shows such an item checks the person's floor too (the dispatcher, the
 * broadcast sender, the event lists), so what the Query misses is never shown, and it is
 * removed when next touched.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tombstoneUpdate } from '../../messaging/store/idempotency-tombstone.ts';
import type { StoreContext } from '../../store/client.ts';
import { settleAll } from '../../store/dynamo-errors.ts';
import { writeIf } from '../../store/item-ops.ts';
import { actorRefPk, type Key, personRefPk, phoneRefPk, REF_AT } from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { IDEMPOTENCY_PREFIX, OUTBOX_PREFIX } from '../../store/service-keys.ts';
import { GSI2 } from '../../store/table.ts';

const PARALLEL = 10;

/**
 * Where an item of each kind keeps the actor it names, by the prefix of its sort key: the
 * paths set to null when that actor is erased.
 */
const ACTOR_PATHS: readonly { skPrefix: string; paths: readonly string[] }[] = [
  { skPrefix: OUTBOX_PREFIX, paths: ['data.actorId'] },
  { skPrefix: 'EVENT#', paths: ['actorId'] },
];

/** The paths that hold the actor in an item with sort key `sk` (none: unknown kind). */
export function actorPaths(sk: string): readonly string[] {
  return ACTOR_PATHS.find((kind) => sk.startsWith(kind.skPrefix))?.paths ?? [];
}

/**
 * What ends a `REF#`/`REFPHONE#` reference, by the prefix of the item's partition key: an item
 * of a kind listed here is kept as a tombstone; any other is deleted.
 */
const REFERENCE_ACTIONS: readonly { pkPrefix: string; action: 'tombstone' }[] = [
  { pkPrefix: IDEMPOTENCY_PREFIX, action: 'tombstone' },
];

/** How a copy of a person at `key` is ended: deleted, or kept as a tombstone naming no one. */
export function referenceAction(key: Key): 'delete' | 'tombstone' {
  return REFERENCE_ACTIONS.find((kind) => key.pk.startsWith(kind.pkPrefix))?.action ?? 'delete';
}

/** Keys of every item under the GSI2 key `gsi2pk` (all pages). */
async function referencing(ctx: StoreContext, gsi2pk: string): Promise<Key[]> {
  const items = await queryAll(ctx, {
    IndexName: GSI2.name,
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': gsi2pk },
  });
  return items.map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
}

/** Runs a conditional write that ends a reference: false when the reference had changed. */
function conditional(run: () => Promise<unknown>): Promise<boolean> {
  return writeIf('reference end', run);
}

/**
 * Deletes `key`, or makes it a tombstone (`referenceAction`), if it still holds reference
 * `ref` made before `floor`.
 */
function endCopy(ctx: StoreContext, key: Key, ref: string, floor: number) {
  const condition = {
    ConditionExpression: 'gsi2pk = :ref AND #at < :floor',
    ExpressionAttributeNames: { '#at': REF_AT },
    ExpressionAttributeValues: { ':ref': ref, ':floor': floor },
  };
  if (referenceAction(key) === 'delete') {
    return conditional(() =>
      ctx.client.send(new DeleteCommand({ TableName: ctx.tableName, Key: key, ...condition })),
    );
  }
  const update = tombstoneUpdate();
  return conditional(() =>
    ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: key,
        UpdateExpression: update.UpdateExpression,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: {
          ...update.ExpressionAttributeNames,
          ...condition.ExpressionAttributeNames,
        },
        ExpressionAttributeValues: {
          ...update.ExpressionAttributeValues,
          ...condition.ExpressionAttributeValues,
        },
      }),
    ),
  );
}

/** Sets the actor of `key` to null if it still names actor reference `ref` made before `floor`. */
function removeActor(ctx: StoreContext, key: Key, ref: string, floor: number) {
  const names: Record<string, string> = { '#ref': 'gsi2pk', '#at': REF_AT };
  const sets = actorPaths(key.sk).map((path, i) =>
    path
      .split('.')
      .map((part, j) => {
        names[`#p${i}_${j}`] = part;
        return `#p${i}_${j}`;
      })
      .join('.'),
  );
  return conditional(() =>
    ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: key,
        UpdateExpression: [
          sets.length ? `SET ${sets.map((path) => `${path} = :null`).join(', ')}` : '',
          'REMOVE #ref, #at',
        ]
          .filter(Boolean)
          .join(' '),
        ConditionExpression: '#ref = :ref AND #at < :floor',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':ref': ref,
          ':floor': floor,
          ...(sets.length ? { ':null': null } : {}),
        },
      }),
    ),
  );
}

/**
 * Ends one reference a reader found still in place after its person's erasure at `floor` (an
 * item the erasure's Query missed: written while it ran, or not yet in the index): deleted (or
 * made a tombstone), or its actor removed, as the erasure would have. False when it no longer holds `ref`.
 */
export function endReference(
  ctx: StoreContext,
  key: Key,
  ref: string,
  floor: number,
): Promise<boolean> {
  return ref.startsWith(actorRefPk(0).slice(0, -1))
    ? removeActor(ctx, key, ref, floor)
    : endCopy(ctx, key, ref, floor);
}

export interface ReferenceCount {
  /** Items deleted or made tombstones (copies of the person). */
  deleted: number;
  /** Items whose actor was removed. */
  unnamed: number;
}

/**
 * Ends every reference to person `userId` (and to their verified phone `phone`, if any) made
 * before `floor`. Three Queries at most, then one conditional write per reference.
 */
export async function endReferences(
  ctx: StoreContext,
  userId: number,
  phone: string | undefined,
  floor: number,
): Promise<ReferenceCount> {
  const refs = [personRefPk(userId), ...(phone ? [phoneRefPk(phone)] : [])];
  const actor = actorRefPk(userId);
  const [copies, named] = await Promise.all([
    Promise.all(
      refs.map(async (ref) => (await referencing(ctx, ref)).map((key) => ({ key, ref }))),
    ),
    referencing(ctx, actor),
  ]);
  const count: ReferenceCount = { deleted: 0, unnamed: 0 };
  const work = [
    ...copies.flat().map(({ key, ref }) => async () => {
      if (await endCopy(ctx, key, ref, floor)) count.deleted++;
    }),
    ...named.map((key) => async () => {
      if (await removeActor(ctx, key, actor, floor)) count.unnamed++;
    }),
  ];
  for (let i = 0; i < work.length; i += PARALLEL) {
    await settleAll(
      'erasure',
      work.slice(i, i + PARALLEL).map((run) => run()),
    );
  }
  return count;
}
