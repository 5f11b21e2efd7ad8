import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import { findApiKey, hashApiKey } from '../../../../lib/access/api-keys.ts';
import { DIRECTORY_UPDATES, loadUpdate, loadUpdates } from '../../../fixtures/updates.ts';
import { captureLogs } from '../../../helpers/log-capture.ts';
import {
  ALICE,
  activityOf,
  BOB,
  DAY0,
  eraseContact,
  GROUP,
  groupMessage,
  post,
  type TestLookup,
} from '../../../helpers/lookup.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';
import { tableSnapshot } from '../../../helpers/webhook.ts';

const BOB_PROFILE = { id: BOB, first_name: 'Bob', last_name: 'Jones', username: 'bob_jones' };

/** Bob shares Alice with the bot (users_shared), so Alice is in someone else's list. */
function bobSharesAlice() {
  const update = loadUpdate('users-shared') as {
    update_id: number;
    message: {
      from: Record<string, unknown>;
      chat: Record<string, unknown>;
      users_shared: { users: unknown[] };
    };
  };
  update.update_id = 20_001;
  update.message.from = { is_bot: false, ...BOB_PROFILE };
  update.message.chat = { id: BOB, type: 'private', first_name: 'Bob' };
  update.message.users_shared.users = [{ user_id: ALICE, first_name: 'Alice' }];
  return update;
}

const stack = useStack();
let store: TestStore;
let api: TestLookup;
let webhook: WebhookHandler;

beforeAll(async () => {
  ({ store, webhook, lookup: api } = await stack.handlers());
  await post(
    webhook,
    ...loadUpdates(...DIRECTORY_UPDATES),
    groupMessage(BOB_PROFILE, { date: DAY0 + 600 }),
    bobSharesAlice(),
  );
});

/** An erasure's tombstone: the key, the floor, nothing else (see lib/directory/erasure/erasure.ts). */
const isTombstone = (item: Record<string, unknown>) =>
  Object.keys(item).every((k) => ['pk', 'sk', 'floor'].includes(k));

const mentionsAlice = (item: Record<string, unknown>) =>
  (!isTombstone(item) &&
    [item.pk, item.sk, item.gsi1pk, item.gsi1sk].some(
      (key) => typeof key === 'string' && /(USER|SHAREDOF)#1001$|alice|\+15551234567/i.test(key),
    )) ||
  item.id === ALICE ||
  item.userId === ALICE ||
  item.ownerId === ALICE;

describe('DELETE /v1/contacts/{userId}', () => {
  it('returns 403 for a read key and erases nothing', async () => {
    const response = await api.call({ method: 'DELETE', path: `/v1/contacts/${ALICE}` });
    expect(response.status).toBe(403);
    expect(response.body.detail).toMatch(/needs admin/);
    expect((await api.call({ path: `/v1/contacts/${ALICE}` })).status).toBe(200);
  });

  it('erases the user so that no route returns anything about them', async () => {
    // Before: Alice is visible everywhere.
    expect((await api.call({ path: `/v1/contacts/${BOB}/shared` })).body.items).toHaveLength(1);
    expect((await tableSnapshot(store)).filter(mentionsAlice).length).toBeGreaterThan(5);

    const response = await api.call({
      method: 'DELETE',
      path: `/v1/contacts/${ALICE}`,
      key: api.adminKey,
    });
    expect(response.status).toBe(204);
    expect(response.raw).toBe('');

    expect((await api.call({ path: `/v1/contacts/${ALICE}` })).status).toBe(404);
    const lists: { path: string; query?: Record<string, string> }[] = [
      { path: '/v1/contacts', query: { username: 'alice_smith' } },
      { path: '/v1/contacts', query: { phone: '+1 555 123 4567' } },
      { path: `/v1/contacts/${ALICE}/chats` },
      { path: `/v1/contacts/${ALICE}/shared` },
      { path: `/v1/contacts/${BOB}/shared` },
    ];
    for (const request of lists) {
      const list = await api.call(request);
      expect(list.status).toBe(200);
      expect(list.body, request.path).toEqual({ items: [] });
    }
    const membership = await api.call({ path: `/v1/contacts/${ALICE}/chats/${GROUP}` });
    expect(membership.status).toBe(404);
    const activity = await activityOf(api, { contact: ALICE }, '2025-11-01', '2025-11-30');
    expect(activity.body.days).toEqual([]);
    expect(activity.body.hours.flat().every((n: number) => n === 0)).toBe(true);
    const members = await api.call({ path: `/v1/chats/${GROUP}/members` });
    expect(members.body.items.map((m: { userId: number }) => m.userId)).toEqual([BOB]);

    // Nothing in the table names her; the chat keeps its messages as anonymous counts.
    expect((await tableSnapshot(store)).filter(mentionsAlice)).toEqual([]);
    expect((await api.call({ path: `/v1/chats/${GROUP}` })).body.messageCount).toBe(2);
    expect((await api.call({ path: `/v1/contacts/${BOB}` })).body.firstName).toBe('Bob');
  });

  it('answers 204 again when nothing is stored (idempotent)', async () => {
    await eraseContact(api, ALICE);
    await eraseContact(api, 424242);
  });

  it('records nothing from an update dated before the erasure that arrives after it', async () => {
    await post(webhook, groupMessage({ id: ALICE, first_name: 'Alice' }, { date: DAY0 + 3600 }));
    expect((await api.call({ path: `/v1/contacts/${ALICE}` })).status).toBe(404);
    expect((await tableSnapshot(store)).filter(mentionsAlice)).toEqual([]);
  });

  it('records the user again when they write after the erasure', async () => {
    const later = Math.floor(Date.now() / 1000) + 5;
    await post(webhook, groupMessage({ id: ALICE, first_name: 'Alice' }, { date: later }));
    const response = await api.call({ path: `/v1/contacts/${ALICE}` });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ firstName: 'Alice', messageCount: 1 });
    expect(response.body).not.toHaveProperty('phoneNumber');
  });

  it('returns 400 for a non-integer id and 401 without a key', async () => {
    const bad = await api.call({ method: 'DELETE', path: '/v1/contacts/me', key: api.adminKey });
    expect(bad.status).toBe(400);
    const anonymous = await api.call({ method: 'DELETE', path: `/v1/contacts/${BOB}`, key: null });
    expect(anonymous.status).toBe(401);
    expect((await api.call({ path: `/v1/contacts/${BOB}` })).status).toBe(200);
  });
});

describe('the audit line of an erasure', () => {
  const CAROL = 1003;

  it('names the action, the API key id (never the key), the user and whether anything was erased', async () => {
    await post(webhook, groupMessage({ id: CAROL, first_name: 'Carol' }, { date: DAY0 + 7200 }));
    const admin = await findApiKey(store, hashApiKey(api.adminKey));
    expect(admin?.id).toMatch(/^key_/);

    const statuses: number[] = [];
    const logs = captureLogs();
    try {
      for (const userId of [CAROL, CAROL]) {
        const response = await api.call({
          method: 'DELETE',
          path: `/v1/contacts/${userId}`,
          key: api.adminKey,
        });
        statuses.push(response.status);
      }
    } finally {
      logs.stop();
    }

    expect(statuses).toEqual([204, 204]);
    const audit = logs.entries().filter((entry) => entry.action === 'erase');
    expect(audit).toHaveLength(2);
    for (const [i, erased] of [true, false].entries()) {
      expect(audit[i]).toMatchObject({
        level: 'INFO',
        message: 'erase',
        action: 'erase',
        keyId: admin?.id,
        userId: CAROL,
        erased,
      });
    }
    expect(logs.text()).not.toContain(api.adminKey);
    expect(logs.text()).not.toContain(hashApiKey(api.adminKey));
  });

  it('is not written when the erasure is refused', async () => {
    const logs = captureLogs();
    try {
      const refused = await api.call({ method: 'DELETE', path: `/v1/contacts/${BOB}` });
      expect(refused.status).toBe(403);
    } finally {
      logs.stop();
    }
    expect(logs.entries().filter((entry) => entry.action === 'erase')).toEqual([]);
    expect(logs.text()).not.toContain(api.readKey);
  });
});
