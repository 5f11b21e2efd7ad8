/**
 * PATCH /v1/contacts/{userId} against erasures and other patches running at the same time
 * (lib/directory/tags/contact-notes.ts): a client holds one chosen store call of the patch while an
 * erasure, another patch or a settle runs, then lets it go.
 */
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import { createApiKey } from '../../../../lib/access/api-key-admin.ts';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import { settleItem } from '../../../../lib/directory/record/settle.ts';
import { patchContactNotes } from '../../../../lib/directory/tags/contact-notes.ts';
import { notesKey } from '../../../../lib/store/keys.ts';
import { GSI1 } from '../../../../lib/store/table.ts';
import { DAY0, groupMessage, post, type TestLookup } from '../../../helpers/lookup.ts';
import { gatedClient, scan } from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };
const TAGS = ['keep', 'new', 'old'];

const stack = useStack();
let store: TestStore;
let webhook: WebhookHandler;
/** The lookup handler on the plain client (set-up, checks). */
let api: TestLookup;
/** The lookup handler whose store calls can be held. */
let held: TestLookup;
let gate: ReturnType<typeof gatedClient>;
let writeKey: string;

/** Calls of the held handler to fail once each (as a store error), by command and input. */
const failures: ((command: string, input: string) => boolean)[] = [];
const failNext = (match: (command: string, input: string) => boolean) => failures.push(match);

beforeAll(async () => {
  store = await stack.freshTable();
  webhook = await stack.webhook({ store });
  api = await stack.lookup({ store });
  gate = gatedClient(store.endpoint);
  gate.client.middlewareStack.add(
    (next, context) => async (args) => {
      const index = failures.findIndex((match) =>
        match(String(context.commandName), JSON.stringify(args.input)),
      );
      if (index >= 0) {
        failures.splice(index, 1);
        const err = new Error('injected');
        err.name = 'InternalServerError';
        throw err;
      }
      return next(args);
    },
    { step: 'initialize', name: 'failOnce', priority: 'low' },
  );
  held = await stack.lookup({ store, client: gate.client });
  writeKey = (await createApiKey(store, { name: 'crm', scope: 'write' })).key;
});

const patchWith = (target: TestLookup, userId: number, body: unknown) =>
  target.call({
    method: 'PATCH',
    path: `/v1/contacts/${userId}`,
    key: writeKey,
    headers: MERGE_PATCH,
    body: JSON.stringify(body),
  });

/** A user seen in a group. */
async function seenUser(userId: number) {
  await post(webhook, groupMessage({ id: userId, first_name: `User ${userId}` }, { date: DAY0 }));
}

/** A user seen in a group, with tags keep and old and a note. */
async function taggedUser(userId: number) {
  await seenUser(userId);
  const set = await patchWith(api, userId, { tags: ['keep', 'old'], note: 'before' });
  expect(set.status).toBe(200);
}

/** The user's items that are not erasure tombstones, and GSI1 tag entries naming them. */
async function leftovers(userId: number) {
  const items = (await scan(store)).filter(
    (item) =>
      item.pk === `USER#${userId}` &&
      !Object.keys(item).every((k) => ['pk', 'sk', 'floor', 'expiresAt'].includes(k)),
  );
  const entries: unknown[] = [];
  for (const tag of TAGS) {
    const { Items } = await store.client.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
        ExpressionAttributeValues: { ':pk': `TAG#${tag}`, ':sk': `USER#${userId}` },
      }),
    );
    entries.push(...(Items ?? []));
  }
  return { items, entries };
}

/** Holds the `n`-th store call (0-based) that names user `userId`'s partition. */
function holdCall(userId: number, n: number) {
  let seen = 0;
  return gate.hold((_command, input) => input.includes(`"USER#${userId}"`) && seen++ === n);
}

describe('a patch racing an erasure', () => {
  // The patch's calls: 0 read, 1-2 write the entries of keep and new, 3 write notes, 4 read
  // the entries, 5 delete the entry of old (a tagged user only), then read again. The
  // erasure runs just before call n (after the patch when it makes fewer).
  const cases = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((n) => [
    ['tagged', n] as const,
    ['fresh', n] as const,
  ]);
  it.each(cases)(
    'leaves nothing of a %s user when the erasure runs before call %i, and answers 404 unless it ran after',
    async (kind, n) => {
      const userId = (kind === 'tagged' ? 5000 : 6000) + n;
      if (kind === 'tagged') await taggedUser(userId);
      else await seenUser(userId);
      const hold = holdCall(userId, n);
      const patching = patchWith(held, userId, { tags: ['keep', 'new'], note: 'after' });
      const first = await Promise.race([
        hold.reached.then(() => 'held' as const),
        patching.then(() => 'done' as const),
      ]);
      if (first === 'held') {
        await eraseUser(store, userId);
        hold.release();
      }
      const response = await patching;
      if (first === 'done') {
        hold.release();
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ tags: ['keep', 'new'], note: 'after' });
        await eraseUser(store, userId);
      } else {
        expect(response.status).toBe(404);
        expect(response.body.detail).toBe(`no contact with id ${userId}`);
      }
      expect(await leftovers(userId)).toEqual({ items: [], entries: [] });
      expect((await api.call({ path: `/v1/contacts/${userId}` })).status).toBe(404);
      const listed = await api.call({ path: '/v1/contacts', query: { tag: 'keep' } });
      expect(listed.body.items.map((c: { id: number }) => c.id)).not.toContain(userId);
    },
  );

  it('leaves nothing when a newer patch and then an erasure run while it waits to write the notes item', async () => {
    const userId = 5100;
    await taggedUser(userId);
    // Held at its notes write (call 4); meanwhile a newer patch writes the notes item and then
    // the user is erased (the notes item with it): the held write recreates it, and the check
    // after it removes it again.
    const hold = holdCall(userId, 4);
    const patching = patchWith(held, userId, { tags: ['keep', 'old', 'new'] });
    await hold.reached;
    expect((await patchWith(api, userId, { note: 'concurrent' })).status).toBe(200);
    await eraseUser(store, userId);
    hold.release();
    expect((await patching).status).toBe(404);
    expect(await leftovers(userId)).toEqual({ items: [], entries: [] });
  });
});

/** The sort keys of the tag index entries (`TAG#…`) in `userId`'s partition. */
async function tagEntries(userId: number) {
  return (await scan(store))
    .filter((item) => item.pk === `USER#${userId}` && String(item.sk).startsWith('TAG#'))
    .map((item) => item.sk);
}

describe('patches racing each other', () => {
  it('keeps both members when two patches of different members run at once', async () => {
    const userId = 5200;
    await taggedUser(userId);
    // Held at its notes write (0 read, 1 write the entry of vip, 2 write notes).
    const hold = holdCall(userId, 2);
    const tagging = patchWith(held, userId, { tags: ['vip'] });
    await hold.reached;
    const noting = await patchWith(api, userId, { note: 'second' });
    expect(noting.body).toMatchObject({ tags: ['keep', 'old'], note: 'second' });
    hold.release();
    const tagged = await tagging;
    expect(tagged.status).toBe(200);
    expect(tagged.body).toMatchObject({ tags: ['vip'], note: 'second' });
    // The index holds exactly the tags of the notes item.
    expect(await tagEntries(userId)).toEqual(['TAG#vip']);
  });

  it('keeps the entry of a tag a newer patch re-added while an older one dropped it', async () => {
    const userId = 5300;
    await taggedUser(userId);
    // The older patch drops "old" (calls: 0 read, 1 write the entry of keep, 2 write notes,
    // 3 read the entries, 4 delete the entry of old); it is held before that delete while a
    // newer patch puts "old" back. The older one's delete must leave the newer one's entry.
    const hold = holdCall(userId, 4);
    const dropping = patchWith(held, userId, { tags: ['keep'] });
    await hold.reached;
    const readding = await patchWith(api, userId, { tags: ['keep', 'old'] });
    expect(readding.body.tags).toEqual(['keep', 'old']);
    hold.release();
    expect((await dropping).status).toBe(200);
    const listed = await api.call({ path: '/v1/contacts', query: { tag: 'old' } });
    expect(listed.body.items.map((c: { id: number }) => c.id)).toContain(userId);
  });
});

describe('the tag index of a patch that fails after writing the notes item', () => {
  it('still holds the tags of the notes item, when a newer patch dropped them meanwhile', async () => {
    const userId = 5350;
    await taggedUser(userId);
    // The older patch sets "old" again; held before its notes write (0 read, 1-2 write the
    // entries of keep and old, 3 write notes) while a newer patch drops "old" and deletes its
    // entry. The older one then writes the notes item and fails before its step 4.
    const hold = holdCall(userId, 3);
    const older = patchWith(held, userId, { tags: ['keep', 'old'], note: 'older' });
    await hold.reached;
    expect((await patchWith(api, userId, { tags: ['keep'] })).body.tags).toEqual(['keep']);
    failNext(
      (command, input) =>
        command.startsWith('Query') && input.includes('TAG#') && input.includes(`"USER#${userId}"`),
    );
    hold.release();
    expect((await older).status).toBe(500);
    // Whatever the notes item now says, every tag it holds is listed.
    const tags: string[] = (await api.call({ path: `/v1/contacts/${userId}` })).body.tags;
    for (const tag of tags) {
      const listed = await api.call({ path: '/v1/contacts', query: { tag } });
      expect(
        listed.body.items.map((c: { id: number }) => c.id),
        tag,
      ).toContain(userId);
    }
    expect(tags).toEqual(['keep', 'old']);
  });
});

describe('a missing index entry', () => {
  it('is written again by the next patch, whatever members it sets', async () => {
    const userId = 5450;
    await taggedUser(userId);
    const listedWithOld = async () =>
      (await api.call({ path: '/v1/contacts', query: { tag: 'old' } })).body.items.map(
        (c: { id: number }) => c.id,
      );
    await store.client.send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: { pk: `USER#${userId}`, sk: 'TAG#old' },
      }),
    );
    expect(await listedWithOld()).not.toContain(userId);
    expect((await patchWith(api, userId, { note: 'repair' })).status).toBe(200);
    expect(await listedWithOld()).toContain(userId);
  });
});

describe('an index entry left by a failed patch', () => {
  it('is ignored by ?tag= listings and removed by the next patch', async () => {
    const userId = 5400;
    await taggedUser(userId);
    // The patch writes the entry of "ghost", then fails at the notes write.
    failNext(
      (command, input) =>
        command.startsWith('Update') &&
        input.includes('PROFILE#NOTES') &&
        input.includes(`"USER#${userId}"`),
    );
    const failed = await patchWith(held, userId, { tags: ['keep', 'old', 'ghost'] });
    expect(failed.status).toBe(500);
    const ghost = (await scan(store)).filter(
      (item) => item.pk === `USER#${userId}` && item.sk === 'TAG#ghost',
    );
    expect(ghost).toHaveLength(1);

    const listed = await api.call({ path: '/v1/contacts', query: { tag: 'ghost' } });
    expect(listed.body.items).toEqual([]);
    const members = await api.call({
      path: '/v1/chats/-100200300/members',
      query: { tag: 'ghost' },
    });
    expect(members.body.items).toEqual([]);
    expect((await api.call({ path: `/v1/contacts/${userId}` })).body.tags).toEqual(['keep', 'old']);

    expect((await patchWith(api, userId, { note: 'later' })).status).toBe(200);
    expect(await tagEntries(userId)).toEqual(['TAG#keep', 'TAG#old']);
  });
});

describe('the notes write under an erasure floor', () => {
  it('refuses to write a notes item an erasure later than the patch settled and kept', async () => {
    const userId = 5500;
    await post(webhook, groupMessage({ id: userId, first_name: 'Floor' }, { date: DAY0 }));
    const floor = Math.floor(Date.now() / 1000) + 1000;
    // A notes item first written at the floor: an erasure at floor - 1 keeps it (stamped).
    await patchContactNotes(store, userId, { note: 'kept' }, () => floor * 1000);
    // A patch that began before that erasure reads the item before it is stamped...
    const ctx = { client: gate.client, tableName: store.tableName };
    const hold = gate.hold(
      (command, input) =>
        command.startsWith('Update') &&
        input.includes('PROFILE#NOTES') &&
        input.includes(`"USER#${userId}"`),
    );
    const patching = patchContactNotes(
      ctx,
      userId,
      { note: 'from before' },
      () => (floor - 500) * 1000,
    );
    await hold.reached;
    await settleItem(store, notesKey(userId), floor);
    hold.release();
    // ...and its write, conditional on the floor, is refused: the answer is 404.
    expect(await patchContactNotes(store, userId, {}, () => (floor - 500) * 1000)).toBeNull();
    expect(await patching).toBeNull();
    const notes = (await scan(store)).find(
      (item) => item.pk === `USER#${userId}` && item.sk === 'PROFILE#NOTES',
    );
    expect(notes).toMatchObject({ note: 'kept', floor });
    // A patch that began after it writes.
    const later = await patchContactNotes(
      store,
      userId,
      { note: 'after' },
      () => (floor + 5) * 1000,
    );
    expect(later?.note).toBe('after');
  });

  it('settles the tag entries of a refused attempt when the user turns out erased', async () => {
    const userId = 5600;
    await post(webhook, groupMessage({ id: userId, first_name: 'Refused' }, { date: DAY0 }));
    const erasedAt = Math.floor(Date.now() / 1000);
    // A patch begun before the erasure is held before it writes the entry of "p"...
    const ctx = { client: gate.client, tableName: store.tableName };
    const hold = gate.hold(
      (command, input) => command.startsWith('Update') && input.includes(`"USER#${userId}"`),
    );
    const patching = patchContactNotes(ctx, userId, { tags: ['p'] }, () => (erasedAt - 10) * 1000);
    await hold.reached;
    // ...while a patch dated after the erasure's time writes the notes item, and the erasure
    // keeps that item (stamping its floor) and removes the rest.
    await patchContactNotes(store, userId, { note: 'q' }, () => (erasedAt + 5) * 1000);
    await eraseUser(store, userId, erasedAt);
    hold.release();
    // The held patch writes its entry, is refused at the notes item (the floor), starts again,
    // finds the user erased and removes the entry it wrote.
    expect(await patching).toBeNull();
    expect(await tagEntries(userId)).toEqual([]);
  });
});
