/**
 * Tags and notes: `PATCH /v1/contacts/{userId}` (JSON merge patch, `write` scope), the
 * contact's `tags` and `note`, `GET /v1/contacts?tag=` and `GET /v1/chats/{id}/members?tag=`,
 * through the real lookup handler on the embedded store.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import { createApiKey } from '../../../../lib/access/api-key-admin.ts';
import { GSI1 } from '../../../../lib/store/table.ts';
import {
  ALICE,
  BOB,
  DAY0,
  eraseContact,
  expectNotFound,
  GROUP,
  groupMessage,
  type LookupResponse,
  post,
  type TestLookup,
} from '../../../helpers/lookup.ts';
import { scan } from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const CAROL = 1003;
const DAVE = 1004;
const OTHER_GROUP = -100999888;
const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };

const stack = useStack();
let store: TestStore;
let webhook: WebhookHandler;
let api: TestLookup;
let writeKey: string;

/** Alice, Bob and Dave write in GROUP; Carol only in OTHER_GROUP. */
beforeAll(async () => {
  ({ store, webhook, lookup: api } = await stack.handlers());
  writeKey = (await createApiKey(store, { name: 'crm', scope: 'write' })).key;
  await post(
    webhook,
    groupMessage({ id: ALICE, first_name: 'Alice', username: 'alice_smith' }),
    groupMessage({ id: BOB, first_name: 'Bob' }, { date: DAY0 + 60 }),
    groupMessage({ id: DAVE, first_name: 'Dave' }, { date: DAY0 + 90 }),
    groupMessage({ id: CAROL, first_name: 'Carol' }, { chatId: OTHER_GROUP, date: DAY0 + 120 }),
  );
});

function patch(
  userId: number,
  body: unknown,
  options: { key?: string; headers?: Record<string, string> } = {},
): Promise<LookupResponse> {
  return api.call({
    method: 'PATCH',
    path: `/v1/contacts/${userId}`,
    key: options.key ?? writeKey,
    headers: options.headers ?? MERGE_PATCH,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const contact = async (userId: number) => (await api.call({ path: `/v1/contacts/${userId}` })).body;

/** The items of `userId`'s partition whose sort key starts with `prefix`. */
async function itemsOf(userId: number, prefix: string) {
  return (await scan(store)).filter(
    (item) => item.pk === `USER#${userId}` && String(item.sk).startsWith(prefix),
  );
}

/** GSI1 entries under `TAG#<tag>`. */
async function tagIndex(tag: string) {
  const { Items } = await store.client.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `TAG#${tag}` },
    }),
  );
  return (Items ?? []).map((item) => item.gsi1sk);
}

describe('PATCH /v1/contacts/{userId}', () => {
  it('sets tags (lower-cased, duplicates collapsed, sorted) and a note; answers the contact as GET does', async () => {
    const response = await patch(ALICE, {
      tags: ['VIP', 'lead', 'vip', 'Beta_tester-2'],
      note: 'Met at the fair',
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toMatchObject({
      id: ALICE,
      firstName: 'Alice',
      messageCount: 1,
      tags: ['beta_tester-2', 'lead', 'vip'],
      note: 'Met at the fair',
    });
    expect(await contact(ALICE)).toEqual(response.body);
  });

  it('stores the note and one index entry per tag, each with its write dates for erasure', async () => {
    const [notes] = await itemsOf(ALICE, 'PROFILE#NOTES');
    expect(notes).toMatchObject({
      tags: ['beta_tester-2', 'lead', 'vip'],
      note: 'Met at the fair',
      st: expect.any(Number),
      s0: expect.any(Number),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const entries = await itemsOf(ALICE, 'TAG#');
    expect(entries.map((e) => [e.sk, e.gsi1pk, e.gsi1sk])).toEqual([
      ['TAG#beta_tester-2', 'TAG#beta_tester-2', `USER#${ALICE}`],
      ['TAG#lead', 'TAG#lead', `USER#${ALICE}`],
      ['TAG#vip', 'TAG#vip', `USER#${ALICE}`],
    ]);
    for (const entry of entries)
      expect(entry).toMatchObject({ st: expect.any(Number), s0: expect.any(Number) });
    expect(await tagIndex('vip')).toEqual([`USER#${ALICE}`]);
  });

  it('leaves an absent member as it is and removes a member set to null (RFC 7396)', async () => {
    const noteOnly = await patch(ALICE, { note: 'Prefers email' });
    expect(noteOnly.body).toMatchObject({
      tags: ['beta_tester-2', 'lead', 'vip'],
      note: 'Prefers email',
    });
    const tagsOnly = await patch(ALICE, { tags: ['vip', 'customer'] });
    expect(tagsOnly.body).toMatchObject({ tags: ['customer', 'vip'], note: 'Prefers email' });
    const empty = await patch(ALICE, {});
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual(tagsOnly.body);
    const noNote = await patch(ALICE, { note: null });
    expect(noNote.body.tags).toEqual(['customer', 'vip']);
    expect(noNote.body).not.toHaveProperty('note');
  });

  it('deletes the entries of dropped tags and writes those of added ones', async () => {
    expect((await itemsOf(ALICE, 'TAG#')).map((e) => e.sk)).toEqual(['TAG#customer', 'TAG#vip']);
    expect(await tagIndex('lead')).toEqual([]);
    await patch(ALICE, { tags: ['vip', 'partner'] });
    expect((await itemsOf(ALICE, 'TAG#')).map((e) => e.sk)).toEqual(['TAG#partner', 'TAG#vip']);
    expect(await tagIndex('customer')).toEqual([]);
    expect(await tagIndex('partner')).toEqual([`USER#${ALICE}`]);
  });

  it('removes every tag with null or [], and the contact then has no tags member', async () => {
    const untouched = await contact(BOB);
    await patch(BOB, { tags: ['a', 'b'] });
    const cleared = await patch(BOB, { tags: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty('tags');
    await patch(BOB, { tags: ['c'], note: 'n' });
    const nulled = await patch(BOB, { tags: null, note: null });
    expect(nulled.body).toEqual(untouched);
    expect(await itemsOf(BOB, 'TAG#')).toEqual([]);
  });

  it('accepts a note of 2,000 characters, counted as characters (not UTF-16 units)', async () => {
    const note = '🙂'.repeat(2000);
    const response = await patch(DAVE, { note });
    expect(response.status).toBe(200);
    expect(response.body.note).toBe(note);
    await patch(DAVE, { note: null });
  });

  it('lets admin keys patch, and refuses read keys with 403 without writing', async () => {
    expect((await patch(DAVE, { tags: ['ops'] }, { key: api.adminKey })).status).toBe(200);
    const refused = await patch(DAVE, { tags: ['intruder'], note: 'x' }, { key: api.readKey });
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body.detail).toBe('this API key has the read scope; this route needs write');
    expect(await contact(DAVE)).toMatchObject({ tags: ['ops'] });
    expect(await contact(DAVE)).not.toHaveProperty('note');
  });

  it('answers 404 for a user never seen, and writes nothing', async () => {
    const response = await patch(424242, { tags: ['vip'], note: 'ghost' });
    expectNotFound(response, 'no contact with id 424242');
    expect((await scan(store)).filter((item) => item.pk === 'USER#424242')).toEqual([]);
  });

  it('answers 415 with Accept-Patch for any other content type, before reading the body', async () => {
    for (const headers of [
      { 'content-type': 'application/json' },
      { 'content-type': 'text/plain' },
      { 'content-type': '' },
    ]) {
      const response = await patch(ALICE, { note: 'x' }, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(415);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.headers['accept-patch']).toBe('application/merge-patch+json');
      expect(response.body.detail).toMatch(/application\/merge-patch\+json/);
    }
    const withCharset = await patch(
      ALICE,
      { note: 'Prefers phone' },
      {
        headers: { 'content-type': 'Application/Merge-Patch+JSON; charset=utf-8' },
      },
    );
    expect(withCharset.status).toBe(200);
  });

  it.each([
    ['not JSON', '{"tags": [', /not valid JSON/],
    ['an array', '[]', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    ['a string', '"vip"', /must be a JSON object/],
    ['an unknown member', { tags: ['a'], secret: 1 }, /unknown member "secret"/],
    ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `tag${i}`) }, /at most 20/],
    ['a tag with a space', { tags: ['ok', 'not ok'] }, /tags\.1: each tag must be 1-32 characters/],
    ['a tag of 33 characters', { tags: ['a'.repeat(33)] }, /tags\.0: each tag must be 1-32/],
    ['an empty tag', { tags: [''] }, /tags\.0: each tag must be 1-32/],
    ['a non-ASCII tag', { tags: ['straße'] }, /tags\.0: each tag must be/],
    ['tags that are not an array', { tags: 'vip' }, /tags must be an array of strings, or null/],
    [
      'a note of 2,001 characters',
      { note: 'n'.repeat(2001) },
      /note must be at most 2000 characters/,
    ],
    ['a note that is not a string', { note: 42 }, /note must be a string, or null/],
  ])('answers 400 for %s and changes nothing', async (_name, body, detail) => {
    const before = await contact(ALICE);
    const response = await patch(ALICE, body);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.detail).toMatch(detail);
    expect(response.raw).not.toContain('nnnnnnnnnn');
    expect(await contact(ALICE)).toEqual(before);
  });

  it('allows 20 distinct tags, counting duplicates once', async () => {
    const tags = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const response = await patch(CAROL, { tags: [...tags, 'T00', 't01'] });
    expect(response.status).toBe(200);
    expect(response.body.tags).toEqual(tags);
    await patch(CAROL, { tags: ['vip'] });
  });

  it('answers 400 for a path id that is not an integer, before anything else', async () => {
    const response = await api.call({
      method: 'PATCH',
      path: '/v1/contacts/abc',
      key: writeKey,
      headers: MERGE_PATCH,
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('userId must be an integer');
  });
});

describe('GET /v1/contacts?tag=', () => {
  it('lists the contacts with the tag, in any case, page by page', async () => {
    await patch(BOB, { tags: ['vip'] });
    const all = await api.call({ path: '/v1/contacts', query: { tag: 'VIP' } });
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { id: number }) => c.id).sort()).toEqual([ALICE, BOB, CAROL]);
    expect(all.body.items.every((c: { tags: string[] }) => c.tags.includes('vip'))).toBe(true);
    expect(all.body).not.toHaveProperty('nextCursor');

    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.call({
        path: '/v1/contacts',
        query: { tag: 'vip', limit: '1', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((c: { id: number }) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([ALICE, BOB, CAROL]);
  });

  it('refuses a cursor of another tag, a bad tag and a tag beside username', async () => {
    const first = await api.call({ path: '/v1/contacts', query: { tag: 'vip', limit: '1' } });
    const other = await api.call({
      path: '/v1/contacts',
      query: { tag: 'partner', cursor: first.body.nextCursor },
    });
    expect(other.status).toBe(400);
    expect(other.body.detail).toMatch(/altered or belongs to another query/);
    const bad = await api.call({ path: '/v1/contacts', query: { tag: 'v i p' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/tag must be 1-32 characters/);
    const both = await api.call({ path: '/v1/contacts', query: { tag: 'vip', username: 'x' } });
    expect(both.status).toBe(400);
    expect(both.body.detail).toBe('give exactly one of username, phone and tag');
  });

  it('answers an empty list for a tag nobody has', async () => {
    const none = await api.call({ path: '/v1/contacts', query: { tag: 'nobody' } });
    expect(none.body).toEqual({ items: [] });
  });
});

describe('GET /v1/chats/{chatId}/members?tag=', () => {
  it('lists the members of the chat with the tag, each with the user', async () => {
    // Carol has the tag but is not in GROUP; Dave is in GROUP without it.
    const response = await api.call({ path: `/v1/chats/${GROUP}/members`, query: { tag: 'vip' } });
    expect(response.status).toBe(200);
    expect(response.body.items.map((m: { userId: number }) => m.userId).sort()).toEqual([
      ALICE,
      BOB,
    ]);
    expect(response.body.items[0]).toMatchObject({
      chatId: GROUP,
      status: 'member',
      isMember: true,
      user: { id: expect.any(Number), firstName: expect.any(String) },
    });
    const other = await api.call({
      path: `/v1/chats/${OTHER_GROUP}/members`,
      query: { tag: 'VIP' },
    });
    expect(other.body.items.map((m: { userId: number }) => m.userId)).toEqual([CAROL]);
    const untagged = await api.call({ path: `/v1/chats/${GROUP}/members` });
    expect(untagged.body.items).toHaveLength(3);
  });

  it('pages over the tag index with cursors bound to the chat and tag', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await api.call({
        path: `/v1/chats/${GROUP}/members`,
        query: { tag: 'vip', limit: '1', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items.map((m: { userId: number }) => m.userId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.sort()).toEqual([ALICE, BOB]);
    expect(pages).toBeGreaterThanOrEqual(3);
    const first = await api.call({
      path: `/v1/chats/${GROUP}/members`,
      query: { tag: 'vip', limit: '1' },
    });
    const plain = await api.call({
      path: `/v1/chats/${GROUP}/members`,
      query: { cursor: first.body.nextCursor },
    });
    expect(plain.status).toBe(400);
  });
});

describe('erasure of a tagged contact', () => {
  it('removes the tags and the note: no item of the user, no TAG# index entry; PATCH is then 404', async () => {
    await patch(BOB, { tags: ['vip', 'erase-me'], note: 'to be erased' });
    await eraseContact(api, BOB);
    const left = (await scan(store)).filter(
      (item) =>
        item.pk === `USER#${BOB}` &&
        !Object.keys(item).every((k) => ['pk', 'sk', 'floor', 'expiresAt'].includes(k)),
    );
    expect(left).toEqual([]);
    const indexed = (await scan(store)).filter(
      (item) => String(item.gsi1pk).startsWith('TAG#') && item.gsi1sk === `USER#${BOB}`,
    );
    expect(indexed).toEqual([]);
    expect(await tagIndex('erase-me')).toEqual([]);
    expect(await tagIndex('vip')).not.toContain(`USER#${BOB}`);
    const listed = await api.call({ path: '/v1/contacts', query: { tag: 'vip' } });
    expect(listed.body.items.map((c: { id: number }) => c.id)).not.toContain(BOB);
    const again = await patch(BOB, { note: 'back?' });
    expect(again.status).toBe(404);
    expect(again.body.detail).toBe(`no contact with id ${BOB}`);
    expect(await itemsOf(BOB, 'PROFILE#NOTES')).toEqual([]);
  });
});
