import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../functions/webhook.ts';
import { BODY_TOO_LARGE, MAX_BODY_BYTES } from '../../../lib/http/event.ts';
import { LOOKUP_ROUTES } from '../../../lib/lookup/routes.ts';
import type { StoreContext } from '../../../lib/store/client.ts';
import { DIRECTORY_UPDATES, loadUpdates } from '../../fixtures/updates.ts';
import { telegramError } from '../../helpers/fake-bot-api.ts';
import { validateJson } from '../../helpers/json-schema.ts';
import {
  ALICE,
  BOB,
  GROUP,
  type LookupResponse,
  post,
  type TestLookup,
} from '../../helpers/lookup.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

type Json = Record<string, unknown>;

const stack = useStack();
let api: TestLookup;
let webhook: WebhookHandler;
let store: StoreContext;
let doc: Json;
/** Every (operation, status) a real response was checked for. */
const checked = new Set<string>();

beforeAll(async () => {
  ({ store, webhook, lookup: api } = await stack.handlers());
  await post(
    webhook,
    ...loadUpdates(...DIRECTORY_UPDATES, 'chat-member-restricted', 'my-chat-member-added-group'),
  );
  const served = await api.call({ path: '/v1/openapi.json', key: null });
  expect(served.status).toBe(200);
  doc = served.body;
});

function operationOf(method: string, template: string): Json {
  const operation = (doc.paths as Record<string, Json>)[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${template} is not in the document`);
  return operation as Json;
}

/** Response headers the document must declare wherever the server sends them. */
const DECLARED_HEADERS = [
  'www-authenticate',
  'retry-after',
  'link',
  'cache-control',
  'content-disposition',
  'accept-patch',
  'allow',
];

/** Asserts that `response` is documented for the operation and matches its schema. */
function expectDocumented(method: string, template: string, response: LookupResponse): void {
  const operation = operationOf(method, template);
  const documented = (operation.responses as Record<string, Json>)[String(response.status)];
  expect(documented, `${method} ${template} ${response.status} is documented`).toBeDefined();
  checked.add(`${operation.operationId} ${response.status}`);
  // Headers a client acts on: each one the server sent is declared for this status.
  const declared = Object.keys((documented?.headers as Json | undefined) ?? {}).map((name) =>
    name.toLowerCase(),
  );
  for (const name of DECLARED_HEADERS) {
    if (response.headers[name] === undefined) continue;
    expect(declared, `${method} ${template} ${response.status} declares ${name}`).toContain(name);
  }
  const content = documented?.content as Record<string, { schema: Json }> | undefined;
  if (!content) {
    expect(response.raw).toBe('');
    return;
  }
  const type = response.headers['content-type'] as string;
  const media = content[type] as { schema: Json; 'x-item-schema'?: Json } | undefined;
  expect(media, `${type} is documented for ${response.status}`).toBeDefined();
  // A raw (non-JSON) body is text; a line-delimited one holds an item per line.
  const body = response.body === undefined ? response.raw : response.body;
  expect(validateJson(body, media?.schema ?? {}, doc)).toEqual([]);
  const item = media?.['x-item-schema'];
  if (item) {
    const lines = response.raw.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(validateJson(JSON.parse(line), item, doc)).toEqual([]);
  }
}

async function check(
  method: string,
  template: string,
  request: Parameters<TestLookup['call']>[0],
  status: number,
  target: TestLookup = api,
): Promise<LookupResponse> {
  const response = await target.call({ method, ...request });
  expect(response.status, `${method} ${request.path}`).toBe(status);
  expectDocumented(method, template, response);
  return response;
}

describe('GET /v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document with exactly the routes the handler serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(LOOKUP_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    const schemas = (doc.components as { schemas: Json }).schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'Contact',
        'Chat',
        'Membership',
        'SharedContact',
        'Activity',
        'Problem',
      ]),
    );
  });

  it('documents the parameters each route validates', () => {
    const params = operationOf('GET', '/v1/contacts/{userId}/activity').parameters as Json[];
    expect(params.map((p) => [p.name, p.in, p.required])).toEqual([
      ['userId', 'path', true],
      ['from', 'query', true],
      ['to', 'query', true],
    ]);
    const limit = (operationOf('GET', '/v1/chats/{chatId}/members').parameters as Json[]).find(
      (p) => p.name === 'limit',
    );
    expect(limit?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 50 });
    expect(operationOf('DELETE', '/v1/contacts/{userId}')['x-required-scope']).toBe('admin');
    const patch = operationOf('PATCH', '/v1/contacts/{userId}');
    expect(patch['x-required-scope']).toBe('write');
    expect(patch.requestBody).toMatchObject({
      required: true,
      content: {
        'application/merge-patch+json': {
          schema: {
            type: 'object',
            properties: { tags: expect.any(Object), note: expect.any(Object) },
            additionalProperties: false,
          },
        },
      },
    });
    expect(Object.keys(patch.responses as Json)).toContain('415');
    expect(operationOf('GET', '/v1/openapi.json').security).toEqual([]);
  });

  it('states "exactly one of" as a oneOf for the audience, and keeps the search its three parameters', () => {
    // Folding the search into one object parameter would break clients generated before.
    const search = operationOf('GET', '/v1/contacts').parameters as Json[];
    expect(search.map((p) => [p.name, p.required])).toEqual([
      ['username', false],
      ['phone', false],
      ['tag', false],
      ['limit', false],
      ['cursor', false],
    ]);
    const audience = (
      (operationOf('POST', '/v1/broadcasts').requestBody as Json).content as {
        'application/json': { schema: { properties: { audience: Json } } };
      }
    )['application/json'].schema.properties.audience;
    for (const [schema, one, two] of [
      [audience, { userIds: [1] }, { tag: 'vip', chatId: -1 }],
    ] as const) {
      expect(validateJson(one, schema, doc)).toEqual([]);
      expect(validateJson({}, schema, doc)).not.toEqual([]);
      expect(validateJson(two, schema, doc)).not.toEqual([]);
    }
  });

  it('declares user ids positive (minimum 1), chat ids any integer, in answers and paths', () => {
    const schemas = (doc.components as { schemas: Record<string, { properties: Json }> }).schemas;
    const positive = expect.objectContaining({ type: 'integer', minimum: 1 });
    for (const [name, field] of [
      ['ContactSummary', 'id'],
      ['Membership', 'userId'],
      ['MembershipEvent', 'userId'],
      ['TopMember', 'userId'],
      ['SharedContact', 'ownerId'],
      ['SentMessage', 'chatId'],
    ] as const) {
      expect(schemas[name]?.properties[field], `${name}.${field}`).toEqual(positive);
    }
    expect(schemas.Membership?.properties.chatId).toMatchObject({ minimum: -9007199254740991 });
    const [userId, chatId] = operationOf('GET', '/v1/contacts/{userId}/chats/{chatId}')
      .parameters as Json[];
    expect(userId?.schema).toMatchObject({ type: 'integer', minimum: 1 });
    expect(chatId?.schema).toMatchObject({ minimum: -9007199254740991 });
  });

  it("names the nested shapes and enumerates a delivery attempt's type", () => {
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['MessageButton', 'TopMember', 'ActivityDay']),
    );
    const attempt = schemas.DeliveryAttempt as { properties: Record<string, Json> };
    expect(attempt.properties.type?.enum).toEqual(
      expect.arrayContaining(['ping', 'member.joined']),
    );
    const buttons = JSON.stringify(operationOf('POST', '/v1/broadcasts').requestBody);
    expect(buttons).toContain('#/components/schemas/MessageButton');
  });

  it('has a validator that rejects bodies the document does not allow', () => {
    const contact = { $ref: '#/components/schemas/Contact' };
    const valid = { id: 1, isBot: false, firstName: 'A', broadcastOptOut: false, messageCount: 0 };
    expect(validateJson(valid, contact, doc)).toEqual([]);
    expect(validateJson({ ...valid, secret: 1 }, contact, doc)).not.toEqual([]);
    expect(validateJson({ ...valid, messageCount: 1.5 }, contact, doc)).not.toEqual([]);
    expect(validateJson({ ...valid, firstSeenAt: 'yesterday' }, contact, doc)).not.toEqual([]);
    expect(validateJson({ id: 1 }, contact, doc)).not.toEqual([]);
    const { broadcastOptOut: _, ...withoutOptOut } = valid;
    expect(validateJson(withoutOptOut, contact, doc)).not.toEqual([]);
  });
});

describe('lookup responses match the OpenAPI document', () => {
  it('matches for every route, success and problem answers', async () => {
    const c = '/v1/contacts/{userId}';
    await check(
      'GET',
      '/v1/contacts',
      { path: '/v1/contacts', query: { username: 'alice_smith' } },
      200,
    );
    await check(
      'GET',
      '/v1/contacts',
      { path: '/v1/contacts', query: { phone: '15551234567' } },
      200,
    );
    await check('GET', '/v1/contacts', { path: '/v1/contacts', query: { phone: 'x' } }, 400);
    await check('GET', c, { path: `/v1/contacts/${ALICE}` }, 200);
    await check('GET', c, { path: '/v1/contacts/1' }, 404);
    await check('GET', c, { path: '/v1/contacts/x' }, 400);
    await check('GET', c, { path: `/v1/contacts/${ALICE}`, key: null }, 401);
    const chats = `${c}/chats`;
    const shared = `${c}/shared`;
    const contactActivity = `${c}/activity`;
    await check('GET', chats, { path: `/v1/contacts/${BOB}/chats` }, 200);
    await check('GET', chats, { path: `/v1/contacts/${BOB}/chats`, query: { limit: '0' } }, 400);
    const m = `${c}/chats/{chatId}`;
    const live = { path: `/v1/contacts/${BOB}/chats/${GROUP}`, query: { live: 'true' } };
    await check('GET', m, { path: `/v1/contacts/${BOB}/chats/${GROUP}` }, 200);
    await check('GET', m, { path: `/v1/contacts/${BOB}/chats/1` }, 404);
    await check('GET', m, live, 200);
    stack.botApi.respond('getChatMember', () => telegramError(403, 'Forbidden: bot was kicked'));
    await check('GET', m, live, 409);
    stack.botApi.respond('getChatMember', () => telegramError(500, 'Internal Server Error'));
    await check('GET', m, live, 502);
    stack.botApi.respond('getChatMember', () => telegramError(400, 'Bad Request: user not found'));
    await check('GET', m, { path: `/v1/contacts/9/chats/${GROUP}`, query: { live: 'true' } }, 404);
    stack.botApi.reset();
    await check('GET', shared, { path: `/v1/contacts/${ALICE}/shared` }, 200);
    await check(
      'GET',
      shared,
      { path: `/v1/contacts/${ALICE}/shared`, query: { cursor: 'x.y' } },
      400,
    );
    const range = { from: '2025-11-01', to: '2025-11-30' };
    await check(
      'GET',
      contactActivity,
      { path: `/v1/contacts/${ALICE}/activity`, query: range },
      200,
    );
    await check('GET', contactActivity, { path: `/v1/contacts/${ALICE}/activity` }, 400);
    await check('GET', '/v1/chats/{chatId}', { path: `/v1/chats/${GROUP}` }, 200);
    await check('GET', '/v1/chats/{chatId}', { path: '/v1/chats/-1' }, 404);
    await check('GET', '/v1/chats/{chatId}/members', { path: `/v1/chats/${GROUP}/members` }, 200);
    const members = '/v1/chats/{chatId}/members';
    await check(
      'GET',
      members,
      { path: `/v1/chats/${GROUP}/members`, query: { sort: 'lastSeen', status: 'member' } },
      200,
    );
    await check('GET', members, { path: `/v1/chats/${GROUP}/members`, query: { sort: 'x' } }, 400);
    const exported = '/v1/chats/{chatId}/members/export';
    await check('GET', exported, { path: `/v1/chats/${GROUP}/members/export` }, 200);
    await check(
      'GET',
      exported,
      {
        path: `/v1/chats/${GROUP}/members/export`,
        query: { format: 'ndjson', includePhone: 'true' },
        key: api.adminKey,
      },
      200,
    );
    await check(
      'GET',
      exported,
      {
        path: `/v1/chats/${GROUP}/members/export`,
        query: { includePhone: 'true' },
        key: api.noPhonesKey,
      },
      403,
    );
    await check(
      'GET',
      exported,
      { path: `/v1/chats/${GROUP}/members/export`, query: { format: 'pdf' } },
      400,
    );
    const small = await stack.lookup({
      store,
      limits: { responseBytes: 100, sortedMembers: 0 },
    });
    await check('GET', exported, { path: `/v1/chats/${GROUP}/members/export` }, 413, small);
    await check(
      'GET',
      members,
      { path: `/v1/chats/${GROUP}/members`, query: { sort: 'joined' } },
      413,
      small,
    );
    const activity = '/v1/chats/{chatId}/activity';
    await check('GET', activity, { path: `/v1/chats/${GROUP}/activity`, query: range }, 200);
    const chatEvents = '/v1/chats/{chatId}/events';
    await check('GET', chatEvents, { path: `/v1/chats/${GROUP}/events` }, 200);
    await check(
      'GET',
      chatEvents,
      { path: `/v1/chats/${GROUP}/events`, query: { kind: 'joined' } },
      400,
    );
    const userEvents = `${c}/events`;
    await check('GET', userEvents, { path: `/v1/contacts/${BOB}/events`, query: range }, 200);
    await check(
      'GET',
      userEvents,
      { path: `/v1/contacts/${BOB}/events`, query: { from: '2025-12-01', to: '2025-11-01' } },
      400,
    );
    const top = '/v1/chats/{chatId}/top';
    await check('GET', top, { path: `/v1/chats/${GROUP}/top`, query: range }, 200);
    await check('GET', top, { path: `/v1/chats/${GROUP}/top`, query: { limit: '5' } }, 400);
    const mergePatch = { 'content-type': 'application/merge-patch+json' };
    const patch = (path: string, body: string, headers = mergePatch) => ({
      path,
      key: api.adminKey,
      headers,
      body,
    });
    await check('PATCH', c, patch(`/v1/contacts/${ALICE}`, '{"tags":["VIP"],"note":"n"}'), 200);
    await check('PATCH', c, patch(`/v1/contacts/${ALICE}`, '{"tags":"vip"}'), 400);
    await check('PATCH', c, patch('/v1/contacts/1', '{"note":null}'), 404);
    await check(
      'PATCH',
      c,
      patch(`/v1/contacts/${ALICE}`, '{}', { 'content-type': 'application/json' }),
      415,
    );
    await check('PATCH', c, { ...patch(`/v1/contacts/${ALICE}`, '{}'), key: api.readKey }, 403);
    await check('GET', '/v1/contacts', { path: '/v1/contacts', query: { tag: 'vip' } }, 200);
    await check(
      'GET',
      '/v1/chats/{chatId}/members',
      { path: `/v1/chats/${GROUP}/members`, query: { tag: 'vip' } },
      200,
    );
    // POST /v1/contacts/{userId}/messages (Alice wrote to the bot privately, Bob did not).
    const sendTo = (userId: number, body = '{"text":"hi"}', headers: Json = {}) => ({
      path: `/v1/contacts/${userId}/messages`,
      key: api.adminKey,
      headers: { 'content-type': 'application/json', ...headers } as Record<string, string>,
      body,
    });
    const msgs = `${c}/messages`;
    await check('POST', msgs, sendTo(ALICE), 201);
    await check('POST', msgs, sendTo(ALICE, '{"text":""}'), 400);
    await check('POST', msgs, { ...sendTo(ALICE), key: api.readKey }, 403);
    await check('POST', msgs, sendTo(1), 404);
    await check('POST', msgs, sendTo(BOB), 409);
    await check(
      'POST',
      msgs,
      sendTo(ALICE, '{"text":"hi"}', { 'content-type': 'text/plain' }),
      415,
    );
    await check('POST', msgs, sendTo(ALICE, '{"text":"hi","idempotencyKey":"k1"}'), 201);
    await check('POST', msgs, sendTo(ALICE, '{"text":"ho","idempotencyKey":"k1"}'), 422);
    stack.botApi.respond('sendMessage', () => telegramError(500, 'Internal Server Error'));
    await check('POST', msgs, sendTo(ALICE), 502);
    stack.botApi.respond('sendMessage', () =>
      telegramError(429, 'Too Many Requests: retry after 3', { retry_after: 3 }),
    );
    const limitedSend = await check('POST', msgs, sendTo(ALICE), 503);
    expect(limitedSend.headers['retry-after']).toBe('3');
    stack.botApi.reset();
    await check('DELETE', c, { path: `/v1/contacts/${BOB}` }, 403);
    await check('DELETE', c, { path: `/v1/contacts/${BOB}`, key: api.adminKey }, 204);
    await check('GET', '/v1/openapi.json', { path: '/v1/openapi.json', key: null }, 200);

    const subs = '/v1/subscriptions';
    const sub = `${subs}/{subscriptionId}`;
    const json = { 'content-type': 'application/json' };
    const admin = { key: api.adminKey };
    const hook = JSON.stringify({ url: 'https://hooks.example.com/in', events: ['*'] });
    const made = await check(
      'POST',
      subs,
      { path: subs, ...admin, headers: json, body: hook },
      201,
    );
    const id = made.body.id as string;
    await check('POST', subs, { path: subs, ...admin, headers: json, body: '{"url":1}' }, 400);
    await check('POST', subs, { path: subs, ...admin, headers: mergePatch, body: hook }, 415);
    await check('POST', subs, { path: subs, headers: json, body: hook }, 403);
    await check('GET', subs, { path: subs, ...admin }, 200);
    await check('GET', sub, { path: `${subs}/${id}`, ...admin }, 200);
    await check('GET', sub, { path: `${subs}/sub_00000000000000000000`, ...admin }, 404);
    await check('GET', sub, { path: `${subs}/x`, ...admin }, 400);
    await check('PATCH', sub, { ...patch(`${subs}/${id}`, '{"status":"active"}') }, 200);
    await check('PATCH', sub, { ...patch(`${subs}/${id}`, '{"status":"failing"}') }, 400);
    await check('PATCH', sub, { ...patch(`${subs}/${id}`, '{}', json) }, 415);
    await check('POST', `${sub}/test`, { path: `${subs}/${id}/test`, ...admin }, 202);
    await check('GET', `${sub}/deliveries`, { path: `${subs}/${id}/deliveries`, ...admin }, 200);
    await check('DELETE', sub, { path: `${subs}/${id}`, ...admin }, 204);
    await check('DELETE', sub, { path: `${subs}/${id}`, ...admin }, 404);
    await check('GET', `${sub}/deliveries`, { path: `${subs}/${id}/deliveries`, ...admin }, 404);
    for (let i = 0; i < 20; i++) {
      await api.call({ method: 'POST', path: subs, ...admin, headers: json, body: hook });
    }
    await check('POST', subs, { path: subs, ...admin, headers: json, body: hook }, 409);

    // Broadcasts (Alice wrote to the bot privately).
    const bcs = '/v1/broadcasts';
    const bc = `${bcs}/{broadcastId}`;
    const none = `${bcs}/bc_00000000000000000000`;
    const broadcast = (body: Json, key = api.adminKey, headers: Json = json) => ({
      path: bcs,
      key,
      headers: headers as Record<string, string>,
      body: JSON.stringify({ text: 'hi', audience: { userIds: [ALICE] }, ...body }),
    });
    const queued = await check('POST', bcs, broadcast({}), 202);
    expect(queued.body).toMatchObject({ status: 'queued', total: 1 });
    await check('POST', bcs, broadcast({ audience: undefined }), 400);
    await check('POST', bcs, broadcast({}, api.readKey), 403);
    await check('POST', bcs, broadcast({ audience: { chatId: -1 } }), 404);
    await check('POST', bcs, broadcast({}, api.adminKey, mergePatch), 415);
    await check('POST', bcs, broadcast({ idempotencyKey: 'b1' }), 202);
    await check('POST', bcs, broadcast({ text: 'other', idempotencyKey: 'b1' }), 422);
    await check('GET', bcs, { path: bcs }, 200);
    await check('GET', bc, { path: `${bcs}/${queued.body.id}` }, 200);
    await check('GET', bc, { path: none }, 404);
    await check('GET', bc, { path: `${bcs}/x` }, 400);
    const cancel = (path: string) => ({ path: `${path}/cancel`, ...admin });
    await check('POST', `${bc}/cancel`, cancel(`${bcs}/${queued.body.id}`), 200);
    await check('POST', `${bc}/cancel`, cancel(none), 404);
    const done = await check('POST', bcs, broadcast({ audience: { userIds: [1] } }), 202);
    expect(done.body).toMatchObject({ status: 'done', total: 0 });
    await check('POST', `${bc}/cancel`, cancel(`${bcs}/${done.body.id}`), 409);

    const limited = await stack.lookup({
      env: { RATE_LIMIT_BURST: '1', RATE_LIMIT_RPS: '1' },
    });
    await check('GET', c, { path: '/v1/contacts/1' }, 404, limited);
    await check('GET', c, { path: '/v1/contacts/1' }, 429, limited);

    // Every operation was seen answering with its success status.
    for (const route of LOOKUP_ROUTES) {
      expect(checked, route.operationId).toContain(`${route.operationId} ${route.status}`);
    }
  });

  it('answers 413, as documented, to a body over 1 MiB on every route that takes one', async () => {
    const large = JSON.stringify({ note: 'x'.repeat(MAX_BODY_BYTES) });
    const withBody = LOOKUP_ROUTES.filter((route) => route.body);
    expect(withBody.length).toBeGreaterThan(0);
    for (const route of withBody) {
      const path = route.path
        .replace('{userId}', String(ALICE))
        .replace('{subscriptionId}', `sub_${'0'.repeat(20)}`);
      const headers = { 'content-type': route.body?.mediaType ?? '' };
      const request = { path, key: api.adminKey, headers, body: large };
      const response = await check(route.method, route.path, request, 413);
      expect(response.body.detail).toBe(BODY_TOO_LARGE);
    }
  });

  it('answers unknown routes and wrong methods with problem+json', async () => {
    const problem = { $ref: '#/components/schemas/Problem' };
    for (const [method, path, status] of [
      ['GET', '/v1/unknown', 404],
      ['POST', '/v1/contacts', 405],
      ['PATCH', '/v1/openapi.json', 405],
    ] as const) {
      const response = await api.call({ method, path });
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(validateJson(response.body, problem, doc)).toEqual([]);
    }
  });

  it('declares the 405 answer and its Allow header (x-method-not-allowed)', () => {
    expect(doc['x-method-not-allowed']).toMatchObject({
      headers: { Allow: { required: true, schema: { type: 'string' } } },
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
  });
});
