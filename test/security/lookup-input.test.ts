/**
 * Hostile input to the lookup API: altered and foreign cursors, and ids and query strings
 * carrying injection attempts, path tricks, NUL bytes, unicode digits and megabytes. Every
 * one is a 400 (or a 404 for a path that names no route), never a 5xx, and no answer or
 * log line carries internals, keys or phone numbers.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { createCursorCodec } from '../../lib/http/cursor.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { httpEvent, WEBHOOK_SECRET } from '../helpers/events.ts';
import { postToWebhook, rateLimitEnv, useLocalStack } from '../helpers/local-stack.ts';
import { DEV_API_KEY, expectSafeProblem, SECURITY_ENV, useLogCheck } from './sensitive.ts';

const GROUP = -100200300;
const OTHER_GROUP = -100900900;

const logs = useLogCheck();
const stack = useLocalStack({ env: { ...SECURITY_ENV, ...rateLimitEnv(100000) } });

beforeAll(async () => {
  const updates = [loadUpdate('contact-own')];
  for (const [i, chatId] of [GROUP, GROUP, GROUP, GROUP, OTHER_GROUP, OTHER_GROUP].entries()) {
    const update = loadUpdate('group-message') as {
      update_id: number;
      message: { from: { id: number; first_name: string }; chat: { id: number } };
    };
    update.update_id = 900 + i;
    update.message.from = { ...update.message.from, id: 3000 + i, first_name: `Member ${i}` };
    update.message.chat.id = chatId;
    updates.push(update);
  }
  await postToWebhook(stack, ...updates);
});

async function get(pathAndQuery: string) {
  const response = await fetch(`${stack.url}${pathAndQuery}`, {
    headers: { authorization: `Bearer ${DEV_API_KEY}` },
  });
  const body = await response.text();
  return {
    statusCode: response.status,
    headers: { 'content-type': response.headers.get('content-type') ?? '' },
    body,
  };
}

const members = (chatId: number, query = '') => `/v1/chats/${chatId}/members?limit=1${query}`;

describe('cursors', () => {
  let cursor: string;
  beforeAll(async () => {
    const first = await get(members(GROUP));
    expect(first.statusCode).toBe(200);
    cursor = JSON.parse(first.body).nextCursor;
    expect(cursor).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  const flip = (s: string, i: number) =>
    s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

  it('continues the list with the cursor it gave', async () => {
    const next = await get(members(GROUP, `&cursor=${encodeURIComponent(cursor)}`));
    expect(next.statusCode).toBe(200);
    expect(JSON.parse(next.body).items).toHaveLength(1);
  });

  it.each([
    ['a character of the key changed', (c: string) => flip(c, 2)],
    ['a character of the signature changed', (c: string) => flip(c, c.length - 2)],
    ['the signature cut short', (c: string) => c.slice(0, -1)],
    ['no signature', (c: string) => c.split('.')[0] as string],
    ['a third part', (c: string) => `${c}.x`],
    ['the parts swapped', (c: string) => c.split('.').reverse().join('.')],
    // Re-encoded part by part, so the padding of the 16-byte tag always changes the text (a
    // character swap alone leaves a cursor without - or _ unchanged, and cursors now vary).
    [
      'base64 instead of base64url',
      (c: string) =>
        c
          .split('.')
          .map((part) => Buffer.from(part, 'base64url').toString('base64'))
          .join('.'),
    ],
    [
      'a key of our own, unsigned',
      () =>
        `${Buffer.from(JSON.stringify({ pk: 'USER#1', sk: 'PROFILE' })).toString('base64url')}.x`,
    ],
    [
      'a signature under another secret',
      () =>
        createCursorCodec('another-secret').encode(
          { scope: `members:${GROUP}`, keyId: 'key_000000000000' },
          { pk: 'USER#1', sk: 'X' },
        ),
    ],
    ['10 KB', () => 'a'.repeat(10_000)],
    ['a NUL byte', (c: string) => `${c}\u0000`],
    ['unicode', () => '𝕔𝕦𝕣𝕤𝕠𝕣.𝕤𝕚𝕘'],
  ])('answers 400 to a cursor with %s', async (_label, alter) => {
    const response = await get(members(GROUP, `&cursor=${encodeURIComponent(alter(cursor))}`));
    expectSafeProblem(response, 400);
  });

  it('answers 400 to a cursor of another chat and of another route', async () => {
    const foreign = encodeURIComponent(cursor);
    expectSafeProblem(await get(members(OTHER_GROUP, `&cursor=${foreign}`)), 400);
    expectSafeProblem(await get(`/v1/contacts/3000/chats?cursor=${foreign}`), 400);
    expectSafeProblem(await get(`/v1/contacts/1001/shared?cursor=${foreign}`), 400);
  });
});

const BAD_IDS = [
  '1 OR 1=1',
  "1' OR '1'='1",
  '1;DROP TABLE contacts',
  '../1001',
  '..%2F..%2Fetc%2Fpasswd',
  '1%00',
  '%00',
  '1%2F2',
  '%E0%A4%A',
  '9'.repeat(10_000),
  '9007199254740993',
  '١٠٠١',
  '１００１',
  '𝟏𝟎𝟎𝟏',
  '1e3',
  '0x3E9',
  '+1001',
  '1001.0',
  ' 1001',
  'null',
  '-',
  '$'.concat('{7*7}'),
  '{{7*7}}',
  '<script>',
];

describe('ids with injection attempts', () => {
  const ROUTES = [
    (id: string) => `/v1/contacts/${id}`,
    (id: string) => `/v1/contacts/${id}/chats`,
    (id: string) => `/v1/contacts/1001/chats/${id}`,
    (id: string) => `/v1/chats/${id}/members`,
    (id: string) => `/v1/chats/${id}/activity?from=2025-11-01&to=2025-11-30`,
  ];
  const cases = BAD_IDS.flatMap((id) => ROUTES.map((route) => route(encodeId(id))));

  /** As a client would put the id in a URL: reserved characters escaped, `%` sequences kept. */
  function encodeId(id: string): string {
    return /%[0-9A-F]{1,2}/i.test(id) ? id : encodeURIComponent(id);
  }

  it.each(cases)('GET %s answers 400', async (path) => {
    expectSafeProblem(await get(path), 400);
  });

  it('answers 400 to a DELETE with an injected id, and erases nothing', async () => {
    for (const id of ['1001 OR 1=1', '1001%00', '*', '1001,1002']) {
      const response = await fetch(`${stack.url}/v1/contacts/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${DEV_API_KEY}` },
      });
      expect(response.status).toBe(400);
    }
    expect((await get('/v1/contacts/1001')).statusCode).toBe(200);
  });

  it('answers 404, never 5xx, to raw paths that leave the routes', async () => {
    const { createHandler } = await import('../../functions/lookup.ts');
    const { buildLookupDeps } = await import('../../lib/lookup/lookup-deps.ts');
    const handler = createHandler(
      buildLookupDeps(stack.config, { webhookSecret: WEBHOOK_SECRET }, { store: stack.store }),
    );
    for (const rawPath of [
      '/v1/contacts/../chats/1',
      '/v1/../../etc/passwd',
      '/v1/contacts/1001/../../openapi.json',
      '/v1/contacts/%2e%2e/chats/1',
      '/v1/contacts/1001%2F..%2F..%2Fopenapi.json',
      `/v1/${'a/'.repeat(5000)}`,
    ]) {
      const response = await handler(
        httpEvent({ path: rawPath, headers: { authorization: `Bearer ${DEV_API_KEY}` } }),
      );
      expect(response.statusCode, rawPath).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, rawPath).toBeLessThan(500);
      expectSafeProblem(response, response.statusCode as number);
    }
    // An empty segment names no route (it used to collapse onto another one).
    const doubled = await handler(httpEvent({ path: '/v1//contacts//1001//' }));
    expectSafeProblem(doubled, 404);
  });
});

describe('query strings with injection attempts', () => {
  const hostile = [
    '1 OR 1=1',
    "' OR ''='",
    '../../etc/passwd',
    '%00',
    'a%00b',
    'x'.repeat(10_000),
    '١٢٣',
    '$'.concat('{jndi:ldap://x}'),
    '[$ne]=1',
    '@',
  ];

  it.each(hostile)('username=%s answers 400', async (value) => {
    const q = /%00/.test(value) ? value : encodeURIComponent(value);
    expectSafeProblem(await get(`/v1/contacts?username=${q}`), 400);
  });

  it.each([...hostile, '+1 555 123 4567; DROP', '+15551234567%00', '١٥٥٥١٢٣٤٥٦٧', '+'.repeat(100)])(
    'phone=%s answers 400',
    async (value) => {
      const q = /%00/.test(value) ? value : encodeURIComponent(value);
      expectSafeProblem(await get(`/v1/contacts?phone=${q}`), 400);
    },
  );

  it.each([
    'limit=0',
    'limit=101',
    'limit=-1',
    'limit=1e2',
    'limit=%E0%A5%A7%E0%A5%A6',
    'limit=10abc',
    'limit=%2010',
    'limit=1&limit=2',
    'limit=1%00',
    `limit=${'9'.repeat(1000)}`,
    'cursor=',
    'username=alice_smith&phone=%2B15551234567',
    'username[]=alice_smith',
  ])('/v1/contacts?%s answers 400', async (query) => {
    const path = query.startsWith('username') ? '/v1/contacts' : `/v1/chats/${GROUP}/members`;
    expectSafeProblem(await get(`${path}?${query}`), 400);
  });

  it.each([
    'from=2025-13-01&to=2025-12-31',
    'from=2025-02-30&to=2025-03-01',
    'from=../../&to=2025-01-01',
    'from=2025-01-01%00&to=2025-01-02',
    'from=２０２５-01-01&to=2025-01-02',
    'from=2025-01-02&to=2025-01-01',
    'from=0001-01-01&to=9999-12-31',
    'from=2025-01-01',
    `from=${'2'.repeat(5000)}&to=2025-01-01`,
  ])('activity?%s answers 400', async (query) => {
    expectSafeProblem(await get(`/v1/chats/${GROUP}/activity?${query}`), 400);
  });

  it.each(['live=TRUE', 'live=1', 'live=yes', 'live=true%00', 'live=true&live=false'])(
    'membership?%s answers 400',
    async (query) => {
      expectSafeProblem(await get(`/v1/contacts/1001/chats/${GROUP}?${query}`), 400);
    },
  );

  it('refuses unknown query parameters with 400, prototype-polluting names included', async () => {
    const response = await get('/v1/contacts/1001?__proto__[admin]=1&constructor=x&scope=admin');
    expectSafeProblem(response, 400);
    expect(JSON.parse(response.body).detail).toMatch(/^unknown query parameters .*"scope"/);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const misspelt = await get(`/v1/chats/${GROUP}/members?stauts=member`);
    expectSafeProblem(misspelt, 400);
    expect(JSON.parse(misspelt.body).detail).toMatch(/^unknown query parameter "stauts"/);
  });

  it('never echoes a phone number sent as a parameter or member name, in the answer or the log', async () => {
    const phone = '4915123456789';
    const before = logs.text().length;
    const asParameter = await get(`/v1/contacts/1001?%2B${phone}=1`);
    expectSafeProblem(asParameter, 400);
    expect(JSON.parse(asParameter.body).detail).toMatch(/^unknown query parameter "\+…"/);
    const asMember = await fetch(`${stack.url}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/hooks', events: ['*'], [`+${phone}`]: 1 }),
    });
    const problem = (await asMember.json()) as { detail: string };
    expect(asMember.status).toBe(400);
    expect(problem.detail).toMatch(/^unknown member "\+…"/);
    expect(asParameter.body + JSON.stringify(problem)).not.toContain(phone);
    expect(logs.text().slice(before)).not.toContain(phone);
  });
});
