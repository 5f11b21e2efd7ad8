/**
 * Webhook subscriptions through the real lookup handler on the embedded store: create (the
 * only answer with the secret), list, read, merge patch, delete, the test ping and the
 * delivery log; admin scope only; input errors as 400s that never echo a URL's query.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../../lib/access/api-key-admin.ts';
import { SUBSCRIBABLE_EVENT_TYPES } from '../../../../lib/events/event-types.ts';
import { markSubscription } from '../../../../lib/events/store/subscription-health.ts';
import { subscriptionKey } from '../../../../lib/store/service-keys.ts';
import { GSI1 } from '../../../../lib/store/table.ts';
import { putAttempt } from '../../../helpers/delivery-attempts.ts';
import { captureLogs, type LogCapture } from '../../../helpers/log-capture.ts';
import type { LookupResponse, TestLookup } from '../../../helpers/lookup.ts';
import { scan } from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };
const JSON_TYPE = { 'content-type': 'application/json' };
const HOOK = 'https://hooks.example.com/telegram?token=abc';
const MISSING = 'sub_0123456789abcdef0123';

const stack = useStack();
let store: TestStore;
let api: TestLookup;
let writeKey: string;

/** A table per test: a deployment holds at most 20 subscriptions. */
beforeEach(async () => {
  store = await stack.freshTable();
  api = await stack.lookup({ store });
  writeKey = (await createApiKey(store, { name: 'crm', scope: 'write' })).key;
});

function create(body: unknown, options: { key?: string; target?: TestLookup } = {}) {
  return (options.target ?? api).call({
    method: 'POST',
    path: '/v1/subscriptions',
    key: options.key ?? (options.target ?? api).adminKey,
    headers: JSON_TYPE,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function patch(id: string, body: unknown, headers: Record<string, string> = MERGE_PATCH) {
  return api.call({
    method: 'PATCH',
    path: `/v1/subscriptions/${id}`,
    key: api.adminKey,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const admin = (path: string, method = 'GET', query?: Record<string, string>) =>
  api.call({ method, path, key: api.adminKey, ...(query ? { query } : {}) });

/** A new subscription's id (fails the test unless it was created). */
async function created(body: Record<string, unknown> = {}): Promise<LookupResponse['body']> {
  const response = await create({ url: HOOK, events: ['member.joined'], ...body });
  expect(response.status, response.raw).toBe(201);
  return response.body;
}

function expectProblem(response: LookupResponse, status: number, detail?: string | RegExp) {
  expect(response.status, response.raw).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  if (typeof detail === 'string') expect(response.body.detail).toBe(detail);
  else if (detail) expect(response.body.detail).toMatch(detail);
}

describe('POST /v1/subscriptions', () => {
  it('creates an active subscription and answers 201 with its secret', async () => {
    const response = await create({
      url: HOOK,
      events: ['member.joined', 'member.left'],
      description: 'CRM sync',
      includePhone: true,
    });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    const body = response.body;
    expect(body).toEqual({
      id: expect.stringMatching(/^sub_[0-9a-f]{20}$/),
      url: HOOK,
      events: ['member.joined', 'member.left'],
      description: 'CRM sync',
      includePhone: true,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: body.createdAt,
      status: 'active',
    });
    expect(Buffer.from(body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('gives a secret a Standard Webhooks receiver verifies signatures with', async () => {
    const { secret } = await created();
    const id = 'evt_0123456789abcdef01234567';
    const timestamp = new Date();
    const payload = JSON.stringify({ type: 'ping', timestamp: timestamp.toISOString(), data: {} });
    const webhook = new Webhook(secret);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': webhook.sign(id, timestamp, payload),
    };
    expect(webhook.verify(payload, headers)).toEqual(JSON.parse(payload));
    expect(() => new Webhook(secret).verify(`${payload} `, headers)).toThrow();
  });

  it('stores one item under SUB#<id>, listed in GSI1 under SUBS by creation time', async () => {
    const body = await created({ events: ['*'] });
    const { Item } = await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: subscriptionKey(body.id) }),
    );
    expect(Item).toEqual({
      pk: `SUB#${body.id}`,
      sk: 'SUB',
      gsi1pk: 'SUBS',
      gsi1sk: `${body.createdAt}#${body.id}`,
      id: body.id,
      url: HOOK,
      events: ['*'],
      description: '',
      includePhone: false,
      secret: body.secret,
      createdAt: body.createdAt,
      updatedAt: body.createdAt,
      status: 'active',
    });
  });

  it('defaults description to empty and includePhone to false; stores the URL normalized', async () => {
    const body = await created({ url: 'https://Hooks.Example.COM:443/in' });
    expect(body).toMatchObject({
      url: 'https://hooks.example.com/in',
      description: '',
      includePhone: false,
    });
  });

  it('takes every subscribable type, and ["*"] alone', async () => {
    expect((await created({ events: [...SUBSCRIBABLE_EVENT_TYPES] })).events).toEqual([
      ...SUBSCRIBABLE_EVENT_TYPES,
    ]);
    expect((await created({ events: ['*'] })).events).toEqual(['*']);
  });

  it.each([
    [{ events: ['member.joined'] }, 'url is required'],
    [{ url: HOOK }, 'events is required'],
    [{ url: 42, events: ['*'] }, 'url must be a string'],
    [{ url: '', events: ['*'] }, 'url must not be empty'],
    [{ url: HOOK, events: [] }, /^events must be a non-empty array of event types/],
    [{ url: HOOK, events: 'member.joined' }, /^events must be a non-empty array/],
    [
      { url: HOOK, events: ['member.joined', 'member.kicked'] },
      'events: unknown event type "member.kicked"',
    ],
    [
      { url: HOOK, events: ['member.left', 'member.left'] },
      'events lists "member.left" more than once',
    ],
    [
      { url: HOOK, events: ['*', 'member.left'] },
      'events: "*" stands alone: it already means every event type',
    ],
    [{ url: HOOK, events: ['ping'] }, /^events: ping is not subscribable/],
    [{ url: HOOK, events: [7] }, 'events.0: each event type must be a string'],
    [
      { url: HOOK, events: ['*'], description: 'x'.repeat(501) },
      'description must be at most 500 characters',
    ],
    [{ url: HOOK, events: ['*'], includePhone: 'yes' }, 'includePhone must be true or false'],
    [
      { url: HOOK, events: ['*'], secret: 'whsec_mine' },
      'unknown member "secret": a subscription has only url, events, description and includePhone',
    ],
    [[HOOK], 'the body must be a JSON object (a subscription)'],
  ])('refuses %j with 400: %s', async (body, detail) => {
    expectProblem(await create(body), 400, detail);
  });

  it('counts description length in characters, not UTF-16 units', async () => {
    expect((await created({ description: '😀'.repeat(500) })).description).toHaveLength(1000);
  });

  it('answers 400 for a body that is not JSON, 415 for another media type', async () => {
    expectProblem(await create('{"url":'), 400);
    const text = await api.call({
      method: 'POST',
      path: '/v1/subscriptions',
      key: api.adminKey,
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ url: HOOK, events: ['*'] }),
    });
    expectProblem(text, 415, 'send the body as application/json, not text/plain');
    expect(text.headers).not.toHaveProperty('accept-patch');
  });

  it.each([
    ['http://hooks.example.com/in?token=s3cr3t-query', 'url must use https'],
    ['https://10.1.2.3/in?token=s3cr3t-query', 'url host is not public'],
    ['https://169.254.169.254/latest?token=s3cr3t-query', 'url host is not public'],
    ['https://127.0.0.1:8443/in?token=s3cr3t-query', 'url host is not public'],
    ['https://intranet/in?token=s3cr3t-query', 'url host is not public'],
    ['https://user:s3cr3t-query@hooks.example.com/', 'url must not contain a username or password'],
    ['https://hooks.example.com/in?token=s3cr3t-query#frag', 'url must not contain a fragment (#)'],
    ['not a url ?token=s3cr3t-query', 'url is not an absolute URL'],
    ['http://127.0.0.1:9/in?token=s3cr3t-query', 'url must use https'],
  ])('refuses the url %s with 400, without repeating it', async (url, detail) => {
    const response = await create({ url, events: ['*'] });
    expectProblem(response, 400, detail);
    expect(response.raw).not.toContain('s3cr3t-query');
  });

  it('accepts http to a loopback host only with EVENTS_ALLOW_LOOPBACK=true (npm start)', async () => {
    const local = await stack.lookup({ store, env: { EVENTS_ALLOW_LOOPBACK: 'true' } });
    for (const url of [
      'http://127.0.0.1:8080/in',
      'http://localhost:3001/in',
      'http://[::1]:9/in',
    ]) {
      const response = await create({ url, events: ['*'] }, { target: local });
      expect(response.status, url).toBe(201);
      expect(response.body.url).toBe(url);
    }
    expectProblem(
      await create({ url: 'http://192.168.1.5/in', events: ['*'] }, { target: local }),
      400,
      'url must use https',
    );
    expectProblem(
      await create({ url: 'http://localhost:3001/in', events: ['*'] }),
      400,
      'url must use https',
    );
  });
});

describe("the lookup's clock", () => {
  it('dates subscriptions, changes and pings by the clock the lookup was built with', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const clocked = await stack.lookup({ store, now: () => clock });
    const made = await create({ url: HOOK, events: ['*'] }, { target: clocked });
    expect(made.body).toMatchObject({
      createdAt: '2030-01-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
    clock += 90_000;
    const changed = await clocked.call({
      method: 'PATCH',
      path: `/v1/subscriptions/${made.body.id}`,
      key: clocked.adminKey,
      headers: MERGE_PATCH,
      body: '{"description":"later"}',
    });
    expect(changed.body.updatedAt).toBe('2030-01-01T00:01:30.000Z');
    const ping = await clocked.call({
      method: 'POST',
      path: `/v1/subscriptions/${made.body.id}/test`,
      key: clocked.adminKey,
    });
    const { Item } = await store.client.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { pk: `OUTBOX#${ping.body.eventId}`, sk: `OUTBOX#${ping.body.eventId}` },
      }),
    );
    expect(Item?.at).toBe(clock / 1000);
  });
});

describe('the subscription limit', () => {
  it('answers 409 past 20 subscriptions, and takes a new one once one is deleted', async () => {
    const own = await stack.lookup({ store: await stack.freshTable() });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await create({ url: `${HOOK}${i}`, events: ['*'] }, { target: own });
      expect(response.status).toBe(201);
      ids.push(response.body.id);
    }
    expectProblem(
      await create({ url: `${HOOK}20`, events: ['*'] }, { target: own }),
      409,
      'a deployment may have at most 20 subscriptions: delete one first',
    );
    const deleted = await own.call({
      method: 'DELETE',
      path: `/v1/subscriptions/${ids[0]}`,
      key: own.adminKey,
    });
    expect(deleted.status).toBe(204);
    expect((await create({ url: `${HOOK}20`, events: ['*'] }, { target: own })).status).toBe(201);
  });
});

describe('a URL subscribed twice', () => {
  it('answers 409 naming the existing subscription for the same URL, events and includePhone', async () => {
    const first = await created({ events: ['member.joined', 'member.left'] });
    // The same set in another order, and the URL as the parser normalizes it, is the same.
    const twin = await create({
      url: HOOK.replace('hooks.example.com', 'HOOKS.example.com'),
      events: ['member.left', 'member.joined'],
      includePhone: false,
    });
    expectProblem(
      twin,
      409,
      `subscription ${first.id} already sends these events to this URL (includePhone false): use it, change it with PATCH, or delete it first`,
    );
    expect((await admin('/v1/subscriptions')).body.items).toHaveLength(1);
  });

  it('allows the same URL with another event set or another includePhone', async () => {
    await created({ events: ['member.joined'] });
    await created({ events: ['member.joined', 'member.left'] });
    await created({ events: ['*'] });
    await created({ events: ['member.joined'], includePhone: true });
    expect((await admin('/v1/subscriptions')).body.items).toHaveLength(4);
  });

  it('answers 409 to a patch that would make a subscription the twin of another', async () => {
    const first = await created({ events: ['member.joined'] });
    const second = await created({ events: ['member.left'] });
    expectProblem(
      await patch(second.id, { events: ['member.joined'] }),
      409,
      new RegExp(`^subscription ${first.id} already sends these events`),
    );
    // Changing only its description (or itself into itself) is no twin.
    expect((await patch(second.id, { description: 'x', events: ['member.left'] })).status).toBe(
      200,
    );
    expect((await patch(second.id, { includePhone: true, events: ['member.joined'] })).status).toBe(
      200,
    );
  });
});

describe('GET /v1/subscriptions', () => {
  it('lists every subscription newest first, page by page, without secrets', async () => {
    const own = await stack.lookup({ store: await stack.freshTable() });
    const made: { id: string; secret: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await create({ url: `${HOOK}${i}`, events: ['*'] }, { target: own });
      made.push(response.body);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await own.call({
        path: '/v1/subscriptions',
        key: own.adminKey,
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) {
        expect(item).not.toHaveProperty('secret');
        expect(item).toMatchObject({ status: 'active', events: ['*'] });
      }
      for (const { secret } of made) expect(page.raw).not.toContain(secret.slice(6));
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(made.map((m) => m.id).reverse());
  });

  it('refuses a cursor made for another list or another key', async () => {
    await created();
    const first = await admin('/v1/subscriptions', 'GET', { limit: '1' });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const cursor = first.body.nextCursor as string;
    const other = (await createApiKey(store, { name: 'other admin', scope: 'admin' })).key;
    expectProblem(
      await api.call({ path: '/v1/subscriptions', key: other, query: { cursor } }),
      400,
      /cursor is invalid/,
    );
    const { id } = await created({ url: `${HOOK}2` });
    expectProblem(
      await admin(`/v1/subscriptions/${id}/deliveries`, 'GET', { cursor }),
      400,
      /cursor is invalid/,
    );
  });
});

describe('GET /v1/subscriptions/{subscriptionId}', () => {
  it('answers the subscription as created, without the secret', async () => {
    const made = await created({ description: 'dashboard' });
    const response = await admin(`/v1/subscriptions/${made.id}`);
    expect(response.status).toBe(200);
    const { secret, ...rest } = made;
    expect(response.body).toEqual(rest);
    expect(response.raw).not.toContain(secret.slice(6));
  });

  it('answers 404 for an unknown id and 400 for one that is not a subscription id', async () => {
    expectProblem(
      await admin(`/v1/subscriptions/${MISSING}`),
      404,
      `no subscription with id ${MISSING}`,
    );
    for (const bad of ['1001', 'sub_XYZ', `${MISSING}0`, 'sub_0123456789ABCDEF0123', '..']) {
      expectProblem(
        await admin(`/v1/subscriptions/${encodeURIComponent(bad)}`),
        400,
        'subscriptionId must be sub_ followed by 20 hexadecimal digits',
      );
    }
  });
});

describe('PATCH /v1/subscriptions/{subscriptionId}', () => {
  it('replaces the members sent and keeps the others; updatedAt moves, createdAt stays', async () => {
    const made = await created({ description: 'first', events: ['member.joined'] });
    await new Promise((resolve) => setTimeout(resolve, 3));
    const events = await patch(made.id, { events: ['contact.created', 'contact.erased'] });
    expect(events.status).toBe(200);
    expect(events.body).toMatchObject({
      id: made.id,
      url: HOOK,
      events: ['contact.created', 'contact.erased'],
      description: 'first',
      includePhone: false,
      createdAt: made.createdAt,
      status: 'active',
    });
    expect(events.body.updatedAt > made.updatedAt).toBe(true);
    expect(events.body).not.toHaveProperty('secret');

    const more = await patch(made.id, {
      url: 'https://other.example.org/hook',
      description: 'second',
      includePhone: true,
    });
    expect(more.body).toMatchObject({
      url: 'https://other.example.org/hook',
      events: ['contact.created', 'contact.erased'],
      description: 'second',
      includePhone: true,
    });
    const cleared = await patch(made.id, { description: null });
    expect(cleared.body.description).toBe('');
    expect((await admin(`/v1/subscriptions/${made.id}`)).body).toEqual(cleared.body);
  });

  it('keeps the secret: the stored one is still the one POST showed', async () => {
    const made = await created();
    await patch(made.id, { events: ['*'], url: 'https://other.example.org/x' });
    const { Item } = await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: subscriptionKey(made.id) }),
    );
    expect(Item?.secret).toBe(made.secret);
  });

  it('answers an empty patch with the subscription, unchanged', async () => {
    const made = await created();
    const response = await patch(made.id, {});
    expect(response.status).toBe(200);
    const { secret: _secret, ...rest } = made;
    expect(response.body).toEqual(rest);
  });

  it('re-enables a failing or disabled subscription with status active, clearing the reason', async () => {
    const made = await created();
    const failingSince = Math.floor(Date.parse('2026-03-01T10:00:00Z') / 1000);
    await markSubscription(store, made.id, {
      status: 'failing',
      statusReason: 'failing for 24 h',
      failingSince,
    });
    const failing = await admin(`/v1/subscriptions/${made.id}`);
    expect(failing.body).toMatchObject({
      status: 'failing',
      statusReason: 'failing for 24 h',
      failingSince: '2026-03-01T10:00:00.000Z',
    });
    const enabled = await patch(made.id, { status: 'active' });
    expect(enabled.status).toBe(200);
    expect(enabled.body.status).toBe('active');
    expect(enabled.body).not.toHaveProperty('statusReason');
    expect(enabled.body).not.toHaveProperty('failingSince');

    await markSubscription(store, made.id, {
      status: 'disabled',
      statusReason: '410 Gone from the receiver',
    });
    expect((await admin(`/v1/subscriptions/${made.id}`)).body).toMatchObject({
      status: 'disabled',
      statusReason: '410 Gone from the receiver',
    });
    expect((await patch(made.id, { status: 'active', description: 'back' })).body).toMatchObject({
      status: 'active',
      description: 'back',
    });
  });

  it.each([
    [{ status: 'failing' }, /^status can only be set to "active"/],
    [{ status: 'disabled' }, /^status can only be set to "active"/],
    [{ events: null }, 'events cannot be removed (null)'],
    [{ url: null }, 'url cannot be removed (null)'],
    [{ events: ['member.joined', 'nope'] }, 'events: unknown event type "nope"'],
    [{ includePhone: null }, 'includePhone must be true or false'],
    [
      { secret: 'whsec_x', id: 'sub_x' },
      /^unknown members "secret", "id": a subscription patch has only/,
    ],
    [{ url: 'http://hooks.example.com/x?token=s3cr3t-query' }, 'url must use https'],
  ])('refuses %j with 400, changing nothing', async (body, detail) => {
    const made = await created();
    const response = await patch(made.id, body);
    expectProblem(response, 400, detail);
    expect(response.raw).not.toContain('s3cr3t-query');
    const { secret: _secret, ...rest } = made;
    expect((await admin(`/v1/subscriptions/${made.id}`)).body).toEqual(rest);
  });

  it('answers 404 for an unknown id and writes nothing; 415 naming the patch type', async () => {
    expectProblem(await patch(MISSING, { description: 'x' }), 404);
    expectProblem(await patch(MISSING, { status: 'active' }), 404);
    expect((await scan(store)).filter((item) => item.pk === `SUB#${MISSING}`)).toEqual([]);
    const made = await created();
    const wrongType = await patch(made.id, { description: 'x' }, JSON_TYPE);
    expectProblem(wrongType, 415);
    expect(wrongType.headers['accept-patch']).toBe('application/merge-patch+json');
  });
});

describe('DELETE /v1/subscriptions/{subscriptionId}', () => {
  it('answers 204 and removes the subscription; then 404 everywhere', async () => {
    const made = await created();
    const response = await admin(`/v1/subscriptions/${made.id}`, 'DELETE');
    expect(response.status).toBe(204);
    expect(response.raw).toBe('');
    const { Item } = await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: subscriptionKey(made.id) }),
    );
    expect(Item).toBeUndefined();
    expectProblem(await admin(`/v1/subscriptions/${made.id}`), 404);
    expectProblem(await admin(`/v1/subscriptions/${made.id}`, 'DELETE'), 404);
    expectProblem(await patch(made.id, { status: 'active' }), 404);
    expectProblem(await admin(`/v1/subscriptions/${made.id}/test`, 'POST'), 404);
    expectProblem(await admin(`/v1/subscriptions/${made.id}/deliveries`), 404);
    const listed = await admin('/v1/subscriptions', 'GET', { limit: '100' });
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(made.id);
  });
});

describe('POST /v1/subscriptions/{subscriptionId}/test', () => {
  it('answers 202 with the event id of a ping queued in the outbox for this subscription alone', async () => {
    const made = await created();
    const response = await admin(`/v1/subscriptions/${made.id}/test`, 'POST');
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      eventId: expect.stringMatching(/^evt_[0-9a-f]{24}$/),
      type: 'ping',
    });
    const { eventId } = response.body;
    const { Item } = await store.client.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { pk: `OUTBOX#${eventId}`, sk: `OUTBOX#${eventId}` },
      }),
    );
    expect(Item).toMatchObject({
      eventId,
      type: 'ping',
      subscriptionId: made.id,
      gsi1pk: 'OUTBOX',
    });
    const again = await admin(`/v1/subscriptions/${made.id}/test`, 'POST');
    expect(again.status).toBe(202);
    expect(again.body.eventId).not.toBe(eventId);
  });

  it('answers 404 for an unknown subscription and queues nothing', async () => {
    const before = (await scan(store)).filter((item) => String(item.pk).startsWith('OUTBOX#'));
    expectProblem(await admin(`/v1/subscriptions/${MISSING}/test`, 'POST'), 404);
    const after = (await scan(store)).filter((item) => String(item.pk).startsWith('OUTBOX#'));
    expect(after).toHaveLength(before.length);
  });
});

describe('GET /v1/subscriptions/{subscriptionId}/deliveries', () => {
  const T0 = Date.parse('2026-03-01T10:00:00Z');

  it('lists the attempts newest first, page by page, as the dispatcher recorded them', async () => {
    const made = await created();
    const other = await created({ events: ['member.left'] });
    const now = Date.now();
    // The first attempt, as recorded and as served.
    const timedOut = {
      eventId: 'evt_aaaaaaaaaaaaaaaaaaaaaaaa',
      type: 'member.joined',
      attempt: 1,
      outcome: 'failed',
      httpStatus: null,
      error: 'timeout',
    } as const;
    await putAttempt(store, made.id, {
      ...timedOut,
      atMs: now - 60_000,
      nextAttemptAtMs: now - 30_000,
    });
    await putAttempt(store, made.id, {
      eventId: 'evt_aaaaaaaaaaaaaaaaaaaaaaaa',
      type: 'member.joined',
      attempt: 2,
      outcome: 'failed',
      httpStatus: 503,
      atMs: now - 30_000,
      nextAttemptAtMs: now + 60_000,
    });
    await putAttempt(store, made.id, {
      eventId: 'evt_bbbbbbbbbbbbbbbbbbbbbbbb',
      type: 'ping',
      attempt: 1,
      outcome: 'delivered',
      httpStatus: 204,
      atMs: now - 10_000,
      nextAttemptAtMs: null,
    });
    await putAttempt(store, other.id, {
      eventId: 'evt_cccccccccccccccccccccccc',
      type: 'ping',
      attempt: 1,
      outcome: 'delivered',
      httpStatus: 200,
      atMs: now,
      nextAttemptAtMs: null,
    });

    const first = await admin(`/v1/subscriptions/${made.id}/deliveries`, 'GET', { limit: '2' });
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      {
        eventId: 'evt_bbbbbbbbbbbbbbbbbbbbbbbb',
        type: 'ping',
        attempt: 1,
        outcome: 'delivered',
        httpStatus: 204,
        at: new Date(now - 10_000).toISOString(),
        nextAttemptAt: null,
      },
      {
        eventId: 'evt_aaaaaaaaaaaaaaaaaaaaaaaa',
        type: 'member.joined',
        attempt: 2,
        outcome: 'failed',
        httpStatus: 503,
        at: new Date(now - 30_000).toISOString(),
        nextAttemptAt: new Date(now + 60_000).toISOString(),
      },
    ]);
    const second = await admin(`/v1/subscriptions/${made.id}/deliveries`, 'GET', {
      limit: '2',
      cursor: first.body.nextCursor,
    });
    expect(second.body.items).toEqual([
      {
        ...timedOut,
        at: new Date(now - 60_000).toISOString(),
        nextAttemptAt: new Date(now - 30_000).toISOString(),
      },
    ]);
    expect(second.body).not.toHaveProperty('nextCursor');
  });

  it('leaves out attempts past their expiresAt that TTL has not deleted yet', async () => {
    const made = await created();
    await putAttempt(store, made.id, {
      eventId: 'evt_dddddddddddddddddddddddd',
      type: 'member.left',
      attempt: 1,
      outcome: 'dropped',
      httpStatus: null,
      atMs: T0,
      nextAttemptAtMs: null,
      expiresAt: Math.floor(Date.now() / 1000) - 1,
    });
    await putAttempt(store, made.id, {
      eventId: 'evt_eeeeeeeeeeeeeeeeeeeeeeee',
      type: 'member.left',
      attempt: 1,
      outcome: 'dropped',
      httpStatus: null,
      atMs: T0 + 1000,
      nextAttemptAtMs: null,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    const response = await admin(`/v1/subscriptions/${made.id}/deliveries`);
    expect(response.body.items.map((a: { eventId: string }) => a.eventId)).toEqual([
      'evt_eeeeeeeeeeeeeeeeeeeeeeee',
    ]);
  });

  it('answers an empty list for a subscription nothing was sent to', async () => {
    const made = await created();
    const response = await admin(`/v1/subscriptions/${made.id}/deliveries`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [] });
  });
});

describe('scopes', () => {
  it('answers 403 to read and write keys and 401 without a key on every subscription route', async () => {
    const made = await created();
    const routes: [string, string, string?][] = [
      ['POST', '/v1/subscriptions', JSON.stringify({ url: HOOK, events: ['*'] })],
      ['GET', '/v1/subscriptions'],
      ['GET', `/v1/subscriptions/${made.id}`],
      ['PATCH', `/v1/subscriptions/${made.id}`, '{"description":"x"}'],
      ['DELETE', `/v1/subscriptions/${made.id}`],
      ['POST', `/v1/subscriptions/${made.id}/test`],
      ['GET', `/v1/subscriptions/${made.id}/deliveries`],
    ];
    const before = await scan(store);
    for (const [method, path, body] of routes) {
      const headers = method === 'PATCH' ? MERGE_PATCH : JSON_TYPE;
      for (const key of [api.readKey, writeKey]) {
        const response = await api.call({ method, path, key, headers, ...(body ? { body } : {}) });
        expectProblem(response, 403);
      }
      expectProblem(
        await api.call({ method, path, key: null, headers, ...(body ? { body } : {}) }),
        401,
      );
    }
    expect(await scan(store)).toEqual(before);
  });
});

describe('the secret', () => {
  let logs: LogCapture | undefined;
  afterEach(() => logs?.stop());

  it('appears in the create answer only: never in other answers or in any log line', async () => {
    logs = captureLogs();
    const made = await created({ description: 'audit' });
    const bare = made.secret.slice('whsec_'.length);
    const answers = [
      await admin(`/v1/subscriptions/${made.id}`),
      await admin('/v1/subscriptions', 'GET', { limit: '100' }),
      await patch(made.id, { events: ['*'] }),
      await patch(made.id, { status: 'active' }),
      await admin(`/v1/subscriptions/${made.id}/test`, 'POST'),
      await admin(`/v1/subscriptions/${made.id}/deliveries`),
      await patch(made.id, { status: 'failing' }),
      await admin(`/v1/subscriptions/${made.id}`, 'DELETE'),
    ];
    for (const answer of answers) expect(answer.raw).not.toContain(bare);
    const text = logs.text();
    expect(text).not.toContain(bare);
    expect(text).not.toContain('token=abc');
    const lines = logs
      .entries()
      .filter((entry) => String(entry.action ?? '').startsWith('subscription.'));
    expect(lines.map((line) => line.action)).toEqual([
      'subscription.create',
      'subscription.update',
      'subscription.update',
      'subscription.delete',
    ]);
    expect(lines[0]).toMatchObject({
      subscriptionId: made.id,
      origin: 'https://hooks.example.com',
      keyId: expect.stringMatching(/^key_/),
    });
  });
});

describe('routes and methods', () => {
  it('answers 405 with Allow for a method a subscription path does not take', async () => {
    const made = await created();
    for (const [method, path, allow] of [
      ['PUT', '/v1/subscriptions', 'POST, GET'],
      ['POST', `/v1/subscriptions/${made.id}`, 'GET, PATCH, DELETE'],
      ['GET', `/v1/subscriptions/${made.id}/test`, 'POST'],
      ['POST', `/v1/subscriptions/${made.id}/deliveries`, 'GET'],
      ['POST', '/v1/contacts/1001', 'GET, PATCH, DELETE'],
    ] as const) {
      const response = await api.call({ method, path, key: api.adminKey });
      expectProblem(response, 405);
      expect(response.headers.allow, `${method} ${path}`).toBe(allow);
    }
  });

  it('lists subscriptions in GSI1 only under SUBS', async () => {
    const { Items } = await store.client.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'SUBS' },
      }),
    );
    const subs = (await scan(store)).filter((item) => item.sk === 'SUB');
    expect(Items?.length).toBe(subs.length);
  });
});
