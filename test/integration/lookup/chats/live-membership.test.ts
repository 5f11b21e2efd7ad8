import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadUpdate } from '../../../fixtures/updates.ts';
import { closedLoopbackUrl, telegramError } from '../../../helpers/fake-bot-api.ts';
import {
  ALICE,
  GROUP,
  type LookupResponse,
  post,
  type TestLookup,
} from '../../../helpers/lookup.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import { TEST_BOT_TOKEN } from '../../../helpers/webhook.ts';

const STRANGER = 7007;

const stack = useStack();
let api: TestLookup;
const bodies: string[] = [];

beforeAll(async () => {
  const store = await stack.freshTable();
  const webhook = await stack.webhook({ store });
  await post(webhook, loadUpdate('group-message'));
  api = await stack.lookup({ store });
});
beforeEach(() => stack.botApi.reset());
afterAll(async () => {
  // The token never reaches a client, whatever Telegram answered.
  const secret = TEST_BOT_TOKEN.split(':')[1] as string;
  for (const body of bodies) {
    expect(body).not.toContain(secret);
    expect(body).not.toContain(TEST_BOT_TOKEN);
  }
  expect(bodies.length).toBeGreaterThan(10);
});

async function live(
  target: TestLookup,
  userId = ALICE,
  chatId = GROUP,
  key: 'read' | 'admin' = 'read',
): Promise<LookupResponse> {
  const response = await target.call({
    path: `/v1/contacts/${userId}/chats/${chatId}`,
    query: { live: 'true' },
    key: key === 'admin' ? target.adminKey : target.readKey,
  });
  bodies.push(response.raw);
  return response;
}

const stored = (userId = ALICE) => api.call({ path: `/v1/contacts/${userId}/chats/${GROUP}` });

describe('GET /v1/contacts/{userId}/chats/{chatId}?live=true', () => {
  it('asks Telegram with getChatMember and returns and stores a member', async () => {
    const response = await live(api);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      userId: ALICE,
      chatId: GROUP,
      status: 'member',
      isMember: true,
      messageCount: 1,
    });
    expect(stack.botApi.calls).toEqual([
      expect.objectContaining({
        method: 'getChatMember',
        token: TEST_BOT_TOKEN,
        payload: { chat_id: GROUP, user_id: ALICE },
      }),
    ]);
  });

  it('follows is_member for a restricted user; an admin key stores the answer', async () => {
    stack.botApi.respond('getChatMember', (p) => ({
      status: 'restricted',
      is_member: false,
      user: { id: p.user_id, is_bot: false, first_name: 'Alice' },
      until_date: 0,
    }));
    const response = await live(api, ALICE, GROUP, 'admin');
    expect(response.body).toMatchObject({ status: 'restricted', isMember: false });
    const after = await stored();
    expect(after.body).toMatchObject({ status: 'restricted', isMember: false, messageCount: 1 });
  });

  it('stores an administrator as a member and a user who left as not one (admin key)', async () => {
    stack.botApi.respond('getChatMember', (p) => ({
      status: 'administrator',
      user: { id: p.user_id, is_bot: false, first_name: 'Alice' },
    }));
    const admin = await live(api, ALICE, GROUP, 'admin');
    expect(admin.body).toMatchObject({ status: 'administrator', isMember: true });
    stack.botApi.respond('getChatMember', (p) => ({
      status: 'left',
      user: { id: p.user_id, is_bot: false, first_name: 'Alice' },
    }));
    const left = await live(api, ALICE, GROUP, 'admin');
    expect(left.body).toMatchObject({ status: 'left', isMember: false });
    expect((await stored()).body).toMatchObject({ status: 'left', isMember: false });
  });

  it('answers from Telegram with a read key and stores nothing (review: a read key wrote)', async () => {
    stack.botApi.respond('getChatMember', (p) => ({
      status: 'kicked',
      user: { id: p.user_id, is_bot: false, first_name: 'Alice' },
      until_date: 0,
    }));
    const before = (await stored()).body;
    const response = await live(api);
    expect(response.body).toMatchObject({ status: 'kicked', isMember: false, messageCount: 1 });
    expect((await stored()).body).toEqual(before);
  });

  it('never stores a membership for a user never seen, whatever the key (review: ids the service never saw)', async () => {
    expect((await stored(STRANGER)).status).toBe(404);
    for (const key of ['read', 'admin'] as const) {
      const response = await live(api, STRANGER, GROUP, key);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ userId: STRANGER, status: 'member', messageCount: 0 });
    }
    expect((await stored(STRANGER)).status).toBe(404);
    const members = await api.call({ path: `/v1/chats/${GROUP}/members` });
    expect(members.body.items.map((m: { userId: number }) => m.userId)).not.toContain(STRANGER);
  });

  it.each([
    'Bad Request: user not found',
    'Bad Request: chat not found',
    'Bad Request: PARTICIPANT_ID_INVALID',
  ])('returns 404 and stores nothing when Telegram says "%s"', async (description) => {
    stack.botApi.respond('getChatMember', () => telegramError(400, description));
    const response = await live(api, 8008);
    expect(response.status).toBe(404);
    expect(response.body.detail).toMatch(/^Telegram does not know/);
    expect((await stored(8008)).status).toBe(404);
  });

  it.each([
    [403, 'Forbidden: bot is not a member of the supergroup chat'],
    [403, 'Forbidden: bot was kicked from the supergroup chat'],
    [400, 'Bad Request: member list is inaccessible'],
  ])('returns 409 when Telegram answers %i "%s"', async (code, description) => {
    stack.botApi.respond('getChatMember', () => telegramError(code, description));
    const response = await live(api);
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.detail).toMatch(/not in the chat or lacks the rights/);
  });

  it('returns 502 when Telegram answers 5xx', async () => {
    stack.botApi.respond('getChatMember', () => telegramError(502, 'Bad Gateway'));
    const response = await live(api);
    expect(response.status).toBe(502);
    expect(response.body.detail).toBe('Telegram could not be reached; try again later');
  });

  it('returns 503 with Retry-After when Telegram asks to slow down', async () => {
    stack.botApi.respond('getChatMember', () =>
      telegramError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }),
    );
    const response = await live(api);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
  });

  it('returns 502 when Telegram cannot be reached or times out', async () => {
    const unreachable = await stack.lookup({
      botApiUrl: await closedLoopbackUrl(),
    });
    const refused = await live(unreachable);
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toBe('Telegram could not be reached; try again later');

    stack.botApi.respond(
      'getChatMember',
      async () => new Promise((r) => setTimeout(() => r(true), 1500)),
    );
    const slow = await stack.lookup({
      botTimeoutMs: 200,
    });
    const timedOut = await live(slow);
    expect(timedOut.status).toBe(502);
  });

  it('returns 503 naming the missing setting when no bot token is configured', async () => {
    const tokenless = await stack.lookup({
      token: null,
    });
    const response = await live(tokenless);
    expect(response.status).toBe(503);
    expect(response.body.detail).toMatch(/TELEGRAM_BOT_TOKEN is not configured/);
    expect(stack.botApi.calls).toHaveLength(0);
  });

  it('returns 502 when Telegram rejects the token', async () => {
    stack.botApi.respond('getChatMember', () => telegramError(401, 'Unauthorized'));
    const response = await live(api);
    expect(response.status).toBe(502);
    expect(response.body.detail).toBe('Telegram rejected the bot token');
  });
});
