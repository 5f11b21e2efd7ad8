import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../functions/webhook.ts';
import { findByPhone, findByUsername } from '../../../lib/directory/read/contact-search.ts';
import { getMembership, listUserChats } from '../../../lib/directory/read/memberships.ts';
import { getChat, getContact } from '../../../lib/directory/read/profiles.ts';
import { sharedKey } from '../../../lib/store/keys.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { webhookEvent } from '../../helpers/events.ts';
import { useFreshWebhook, useStack } from '../../helpers/stack-fixture.ts';
import type { TestStore } from '../../helpers/store.ts';
import { tableSnapshot } from '../../helpers/webhook.ts';

const ALICE = 1001;
const BOB = 1002;
const GROUP = -100200300;

const stack = useStack();
let store: TestStore;
let webhook: WebhookHandler;
useFreshWebhook(stack, (rig) => ({ store, webhook } = rig));

async function post(update: unknown, options?: Parameters<typeof webhookEvent>[1]) {
  const response = await webhook(webhookEvent(update, options));
  const body = response.body ? JSON.parse(response.body) : undefined;
  return { status: response.statusCode, body, headers: response.headers ?? {} };
}

async function item(key: { pk: string; sk: string }) {
  const { Item } = await store.client.send(
    new GetCommand({ TableName: store.tableName, Key: key }),
  );
  return Item;
}

describe('webhook HTTP contract', () => {
  it('answers 401 and records nothing when the secret token is missing', async () => {
    const response = await post(loadUpdate('group-message'), { secret: null });
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(await tableSnapshot(store)).toEqual([]);
  });

  it('answers 401 when the secret token is wrong', async () => {
    const response = await post(loadUpdate('group-message'), { secret: 'wrong-secret' });
    expect(response.status).toBe(401);
    expect(await getContact(store, ALICE)).toBeNull();
  });

  it('answers 400 when the body is not JSON or has no integer update_id', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ message: {} })).status).toBe(400);
    expect((await post({ update_id: 'x' })).status).toBe(400);
    expect((await post({ update_id: 1.5 })).status).toBe(400);
    expect((await post([1, 2])).status).toBe(400);
  });

  it('answers 405 to anything but POST', async () => {
    const response = await post(loadUpdate('group-message'), { method: 'GET' });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
  });

  it('accepts and ignores an unknown update type', async () => {
    const response = await post(loadUpdate('unknown-type'));
    expect(response.status).toBe(200);
  });
});

describe('webhook behaviours', () => {
  it('answers /start in the response body with a request_contact keyboard and no outbound call', async () => {
    const response = await post(loadUpdate('start-command'));
    expect(response.status).toBe(200);
    expect(response.body.method).toBe('sendMessage');
    expect(response.body.chat_id).toBe(ALICE);
    const buttons = response.body.reply_markup.keyboard.flat();
    expect(buttons.some((b: { request_contact?: boolean }) => b.request_contact)).toBe(true);
    expect(buttons.some((b: { request_users?: object }) => b.request_users)).toBe(true);
    expect(stack.botApi.calls).toHaveLength(0);
  });

  it('records an ordinary group message: contact, chat, membership, counters', async () => {
    expect((await post(loadUpdate('group-message'))).status).toBe(200);
    const contact = await getContact(store, ALICE);
    expect(contact).toMatchObject({
      id: ALICE,
      firstName: 'Alice',
      username: 'Alice_Smith',
      messageCount: 1,
      firstSeenAt: '2025-11-24T16:00:00.000Z',
      lastSeenAt: '2025-11-24T16:00:00.000Z',
    });
    expect(await getChat(store, GROUP)).toMatchObject({
      type: 'supergroup',
      title: 'Test Group',
      messageCount: 1,
    });
    expect(await getMembership(store, ALICE, GROUP)).toMatchObject({
      status: 'member',
      isMember: true,
      messageCount: 1,
    });
    const found = await findByUsername(store, 'alice_smith', { limit: 10 });
    expect(found.items.map((c) => c.id)).toEqual([ALICE]);
    expect(stack.botApi.calls).toHaveLength(0);
  });

  it('stores the sender own shared contact as a verified E.164 phone', async () => {
    const response = await post(loadUpdate('contact-own'));
    expect(response.body).toMatchObject({ method: 'sendMessage', chat_id: ALICE });
    expect((await getContact(store, ALICE))?.phoneNumber).toBe('+15551234567');
    const found = await findByPhone(store, '+15551234567', { limit: 10 });
    expect(found.items.map((c) => c.id)).toEqual([ALICE]);
  });

  it('stores someone else contact card as a shared entry, never as their verified phone', async () => {
    await post(loadUpdate('contact-other'));
    const update = loadUpdate('contact-other') as { message: { contact: { user_id?: number } } };
    const sharedUser = update.message.contact.user_id;
    const shared = await item(sharedKey(ALICE, { userId: sharedUser, phoneNumber: undefined }));
    expect(shared?.ownerId).toBe(ALICE);
    expect(shared?.phoneNumber).toMatch(/^\+\d+$/);
    if (sharedUser !== undefined)
      expect((await getContact(store, sharedUser))?.phoneNumber).toBeUndefined();
  });

  it('says nothing was saved for a card of someone else with no user and no valid number', async () => {
    const update = loadUpdate('contact-other') as {
      message: { contact: { user_id?: number; phone_number: string } };
    };
    delete update.message.contact.user_id;
    update.message.contact.phone_number = 'call me';
    const response = await post(update);
    expect(response.body.text).toMatch(/did not store/);
    expect(await tableSnapshot(store)).not.toContainEqual(
      expect.objectContaining({ sk: expect.stringMatching(/^SHARED#/) }),
    );
  });

  it('stores users_shared entries in the sender list and confirms', async () => {
    const response = await post(loadUpdate('users-shared'));
    expect(response.body.method).toBe('sendMessage');
    const update = loadUpdate('users-shared') as {
      message: { users_shared: { users: { user_id: number }[] } };
    };
    for (const user of update.message.users_shared.users) {
      expect(await item(sharedKey(ALICE, { userId: user.user_id }))).toMatchObject({
        ownerId: ALICE,
      });
    }
  });

  it('records joins, leaves and chat_member statuses with join and leave times', async () => {
    await post(loadUpdate('new-chat-members'));
    const joined = await getMembership(store, BOB, GROUP);
    expect(joined).toMatchObject({ status: 'member', isMember: true });
    expect(joined?.joinedAt).toBeDefined();
    await post(loadUpdate('left-chat-member'));
    const left = await getMembership(store, BOB, GROUP);
    expect(left).toMatchObject({ status: 'left', isMember: false });
    expect(left?.leftAt).toBeDefined();
    const admin = loadUpdate('chat-member-admin');
    await post(admin);
    const promoted = await getMembership(store, BOB, GROUP);
    expect(promoted).toMatchObject({ status: 'administrator', isMember: true });
  });

  it('follows restricted is_member for chat_member updates', async () => {
    const update = loadUpdate('chat-member-restricted') as {
      chat_member: { new_chat_member: { user: { id: number }; is_member: boolean } };
    };
    await post(update);
    const member = update.chat_member.new_chat_member;
    expect(await getMembership(store, member.user.id, GROUP)).toMatchObject({
      status: 'restricted',
      isMember: member.is_member,
    });
  });

  it('marks the contact as having blocked the bot on a private my_chat_member kicked', async () => {
    await post(loadUpdate('my-chat-member-kicked-private'));
    const update = loadUpdate('my-chat-member-kicked-private') as {
      my_chat_member: { from: { id: number } };
    };
    expect((await getContact(store, update.my_chat_member.from.id))?.botBlocked).toBe(true);
  });

  it('records the bot own status in a group from my_chat_member', async () => {
    const update = loadUpdate('my-chat-member-added-group') as {
      my_chat_member: { chat: { id: number }; new_chat_member: { status: string } };
    };
    await post(update);
    expect((await getChat(store, update.my_chat_member.chat.id))?.botStatus).toBe(
      update.my_chat_member.new_chat_member.status,
    );
  });

  it('refreshes the profile on an edited message without counting it', async () => {
    await post(loadUpdate('group-message'));
    await post(loadUpdate('edited-message'));
    expect((await getContact(store, ALICE))?.messageCount).toBe(1);
  });

  it('never records placeholder senders as people; sender_chat updates the chat', async () => {
    await post(loadUpdate('service-notification'));
    await post(loadUpdate('anonymous-admin-message'));
    await post(loadUpdate('sender-chat-message'));
    expect(await getContact(store, 777000)).toBeNull();
    expect(await getContact(store, 1087968824)).toBeNull();
    expect(await getContact(store, 136817688)).toBeNull();
    const update = loadUpdate('sender-chat-message') as {
      message: { sender_chat: { id: number } };
    };
    expect(await getChat(store, update.message.sender_chat.id)).not.toBeNull();
  });

  it('moves memberships and the chat record to the supergroup on migration', async () => {
    const update = loadUpdate('migrate-to-chat') as {
      message: { chat: { id: number }; migrate_to_chat_id: number; from: { id: number } };
    };
    const oldChat = update.message.chat.id;
    const newChat = update.message.migrate_to_chat_id;
    const before = loadUpdate('group-message') as { message: { chat: Record<string, unknown> } };
    before.message.chat = { ...update.message.chat };
    await post(before);
    await post(update);
    await post(loadUpdate('migrate-from-chat'));
    expect(await getMembership(store, ALICE, newChat)).toMatchObject({
      isMember: true,
      messageCount: 1,
    });
    expect(await getChat(store, newChat)).toMatchObject({ type: 'supergroup', messageCount: 1 });
    // The group keeps its own record; the user's chats list the supergroup only.
    expect(await getMembership(store, ALICE, oldChat)).toMatchObject({ messageCount: 1 });
    const chats = await listUserChats(store, ALICE, { limit: 10 });
    expect(chats.items.map((m) => m.chatId)).toEqual([newChat]);
  });

  it('ignores a migration that names the same chat twice', async () => {
    await post(loadUpdate('group-message'));
    const update = loadUpdate('migrate-from-chat') as {
      message: { chat: { id: number }; migrate_from_chat_id: number };
    };
    update.message.migrate_from_chat_id = update.message.chat.id;
    expect((await post(update)).status).toBe(200);
    expect(await getMembership(store, ALICE, GROUP)).toMatchObject({
      isMember: true,
      messageCount: 1,
    });
    expect((await getChat(store, GROUP))?.messageCount).toBe(1);
  });

  it('tells the user what is stored about them on /me', async () => {
    await post(loadUpdate('contact-own'));
    const response = await post(loadUpdate('me-command'));
    expect(response.body.method).toBe('sendMessage');
    expect(response.body.text).toContain('Alice Smith');
    expect(response.body.text).toContain('+15551234567');
  });

  it('asks for confirmation on /forget and erases everything on confirm', async () => {
    await post(loadUpdate('group-message'));
    await post(loadUpdate('contact-own'));
    const prompt = await post(loadUpdate('forget-command'));
    expect(prompt.body.reply_markup.inline_keyboard[0][0].callback_data).toBe('forget:confirm');
    const confirm = await post(loadUpdate('callback-query-forget-confirm'));
    expect(confirm.body.method).toBe('answerCallbackQuery');
    expect(stack.botApi.calls.map((c) => c.method)).toEqual(['editMessageText']);
    expect(await getContact(store, ALICE)).toBeNull();
    expect(await getMembership(store, ALICE, GROUP)).toBeNull();
    expect((await findByUsername(store, 'alice_smith', { limit: 10 })).items).toEqual([]);
    expect((await findByPhone(store, '+15551234567', { limit: 10 })).items).toEqual([]);
    const left = (await tableSnapshot(store)).filter(
      (i) =>
        i.pk === `USER#${ALICE}` && Object.keys(i).some((k) => !['pk', 'sk', 'floor'].includes(k)),
    );
    expect(left).toEqual([]);
  });
});

describe('exactly-once delivery', () => {
  it('counts once when three deliveries of one update run concurrently', async () => {
    const update = loadUpdate('group-message');
    const statuses = await Promise.all([post(update), post(update), post(update)]);
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await getContact(store, ALICE))?.messageCount).toBe(1);
    expect((await getMembership(store, ALICE, GROUP))?.messageCount).toBe(1);
  });

  it('answers 5xx when the store fails inside a bot command, so Telegram retries', async () => {
    const broken = await stack.webhook({
      store: { client: store.client, tableName: 'no-such-table' },
    });
    const response = await broken(webhookEvent(loadUpdate('me-command')));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/no-such-table|ResourceNotFound|at .*\.ts/);
  });

  it('changes nothing when the same update is delivered three times', async () => {
    const update = loadUpdate('group-message');
    for (let i = 0; i < 3; i++) expect((await post(update)).status).toBe(200);
    expect((await getContact(store, ALICE))?.messageCount).toBe(1);
    expect((await getChat(store, GROUP))?.messageCount).toBe(1);
    expect((await getMembership(store, ALICE, GROUP))?.messageCount).toBe(1);
  });
});
