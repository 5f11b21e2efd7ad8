import { describe, expect, it } from 'vitest';
import type { HttpError } from '../../../lib/http/http-error.ts';
import { mayCarryPhones } from '../../../lib/lookup/phone-filter.ts';
import {
  matchRoute,
  parseRouteInput,
  requestPath,
  routeResponse,
} from '../../../lib/lookup/router.ts';
import { LOOKUP_ROUTES } from '../../../lib/lookup/routes.ts';
import { httpEvent } from '../../helpers/events.ts';

function failure(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err: unknown) {
    return err as HttpError;
  }
  throw new Error('expected a failure');
}

const input = (method: string, path: string, query: Record<string, string> = {}) =>
  parseRouteInput(matchRoute(LOOKUP_ROUTES, method, path), query);

describe('lookup router', () => {
  it('matches every documented path with its parameters', () => {
    expect(matchRoute(LOOKUP_ROUTES, 'GET', '/v1/contacts/1001/chats/-100200300')).toMatchObject({
      route: { operationId: 'getMembership' },
      params: { userId: '1001', chatId: '-100200300' },
    });
    expect(matchRoute(LOOKUP_ROUTES, 'DELETE', '/v1/contacts/1').route.operationId).toBe(
      'eraseContact',
    );
    expect(matchRoute(LOOKUP_ROUTES, 'GET', '/v1/contacts/').route.operationId).toBe(
      'searchContacts',
    );
  });

  it('answers 404 for unknown paths and 405 with Allow for other methods', () => {
    expect(failure(() => matchRoute(LOOKUP_ROUTES, 'GET', '/v1/contacts/1/x')).status).toBe(404);
    expect(failure(() => matchRoute(LOOKUP_ROUTES, 'GET', '/contacts/1')).status).toBe(404);
    const wrong = failure(() => matchRoute(LOOKUP_ROUTES, 'POST', '/v1/contacts/1'));
    expect(wrong.status).toBe(405);
    expect(wrong.headers).toEqual({ allow: 'GET, PATCH, DELETE' });
  });

  it('matches POST routes, and answers 405 with Allow to a POST on a path without one', () => {
    expect(matchRoute(LOOKUP_ROUTES, 'POST', '/v1/subscriptions').route.operationId).toBe(
      'createSubscription',
    );
    expect(
      matchRoute(LOOKUP_ROUTES, 'POST', '/v1/subscriptions/sub_0123456789abcdef0123/test').route
        .operationId,
    ).toBe('testSubscription');
    for (const [path, allow] of [
      ['/v1/openapi.json', 'GET'],
      ['/v1/chats/1/members', 'GET'],
      ['/v1/subscriptions/sub_0123456789abcdef0123', 'GET, PATCH, DELETE'],
      ['/v1/subscriptions/sub_0123456789abcdef0123/deliveries', 'GET'],
    ]) {
      const wrong = failure(() => matchRoute(LOOKUP_ROUTES, 'POST', path as string));
      expect(wrong.status, path).toBe(405);
      expect(wrong.headers).toEqual({ allow });
    }
    const put = failure(() => matchRoute(LOOKUP_ROUTES, 'PUT', '/v1/subscriptions'));
    expect(put.headers).toEqual({ allow: 'POST, GET' });
  });

  it('answers an empty segment with 404 or a 400 naming the missing parameter, never 405', () => {
    // `//` used to collapse: `/v1/subscriptions//test` became `/v1/subscriptions/test`, a 405.
    const ping = matchRoute(LOOKUP_ROUTES, 'POST', '/v1/subscriptions//test');
    expect(ping.route.operationId).toBe('testSubscription');
    expect(failure(() => parseRouteInput(ping, {})).message).toBe(
      'subscriptionId must be sub_ followed by 20 hexadecimal digits',
    );
    const doubled = failure(() => matchRoute(LOOKUP_ROUTES, 'GET', '/v1//contacts//1001'));
    expect(doubled.status).toBe(404);
    expect(doubled.message).toBe('no such route in this API: the path has an empty segment (//)');
    // One trailing slash is still the same route.
    expect(matchRoute(LOOKUP_ROUTES, 'GET', '/v1/contacts/1001/').route.operationId).toBe(
      'getContact',
    );
  });

  it('strips a named stage from the path, not the $default one', () => {
    const staged = httpEvent({ path: '/prod/v1/chats/1' });
    staged.rawPath = '/prod/v1/chats/1';
    staged.requestContext.stage = 'prod';
    expect(requestPath(staged)).toBe('/v1/chats/1');
    expect(requestPath(httpEvent({ path: '/v1/chats/1' }))).toBe('/v1/chats/1');
  });
});

describe('lookup input validation', () => {
  it('turns ids into integers, including negative chat ids', () => {
    expect(input('GET', '/v1/contacts/1001/chats/-100200300').params).toEqual({
      userId: 1001,
      chatId: -100200300,
    });
  });

  it('defaults limit to 50 and keeps the cursor', () => {
    expect(input('GET', '/v1/chats/1/members').query).toEqual({ limit: 50, status: 'all' });
    expect(input('GET', '/v1/chats/1/members', { limit: '100', cursor: 'c' }).query).toEqual({
      limit: 100,
      cursor: 'c',
      status: 'all',
    });
  });

  it('reads the member list status and sort, and refuses other values naming them', () => {
    expect(input('GET', '/v1/chats/1/members', { status: 'left', sort: 'lastSeen' }).query).toEqual(
      { limit: 50, status: 'left', sort: 'lastSeen' },
    );
    for (const sort of ['messages', 'joined']) {
      expect(input('GET', '/v1/chats/1/members', { sort }).query).toMatchObject({ sort });
    }
    const status = failure(() => input('GET', '/v1/chats/1/members', { status: 'members' }));
    expect(status.status).toBe(400);
    expect(status.message).toBe('status must be member, left or all');
    const sort = failure(() => input('GET', '/v1/chats/1/members', { sort: 'lastseen' }));
    expect(sort.message).toBe('sort must be lastSeen, messages or joined');
  });

  it('reads the export format (csv by default) and includePhone as a boolean', () => {
    const path = '/v1/chats/-100/members/export';
    expect(input('GET', path).query).toEqual({ format: 'csv', includePhone: false });
    expect(input('GET', path, { format: 'ndjson', includePhone: 'true' }).query).toEqual({
      format: 'ndjson',
      includePhone: true,
    });
    expect(failure(() => input('GET', path, { format: 'xlsx' })).message).toBe(
      'format must be csv or ndjson',
    );
    expect(failure(() => input('GET', path, { includePhone: 'yes' })).message).toBe(
      'includePhone must be true or false',
    );
  });

  it('normalizes username and phone', () => {
    expect(input('GET', '/v1/contacts', { username: '@Alice_Smith' }).query).toMatchObject({
      username: 'Alice_Smith',
    });
    expect(input('GET', '/v1/contacts', { phone: '+7 916 123-45-67' }).query).toMatchObject({
      phone: '+79161234567',
    });
    expect(input('GET', '/v1/contacts', { phone: '79161234567' }).query).toMatchObject({
      phone: '+79161234567',
    });
  });

  it('reads live as a boolean', () => {
    expect(input('GET', '/v1/contacts/1/chats/2', { live: 'true' }).query).toEqual({ live: true });
    expect(input('GET', '/v1/contacts/1/chats/2').query).toEqual({ live: false });
  });

  it.each([
    ['2024-01-01', '2024-12-31', true],
    ['2025-02-28', '2025-03-01', true],
    ['2024-02-29', '2024-02-29', true],
    ['2025-02-29', '2025-03-01', false],
    ['2024-01-01', '2025-01-01', false],
    ['2025-03-02', '2025-03-01', false],
  ])('accepts from=%s to=%s: %s', (from, to, ok) => {
    const run = () => input('GET', '/v1/chats/1/activity', { from, to });
    if (ok) expect(run().query).toEqual({ from, to });
    else expect(failure(run).status).toBe(400);
  });

  it('refuses query parameters the route does not take, naming them and the ones it takes', () => {
    const misspelt = failure(() => input('GET', '/v1/chats/1/members', { stauts: 'member' }));
    expect(misspelt.status).toBe(400);
    expect(misspelt.message).toBe(
      'unknown query parameter "stauts": this route takes tag, limit, cursor, status and sort',
    );
    const none = failure(() => input('GET', '/v1/contacts/1', { a: '1', b: '2' }));
    expect(none.message).toBe(
      'unknown query parameters "a", "b": this route takes no query parameters',
    );
    const proto = failure(() =>
      input('GET', '/v1/contacts/1', JSON.parse('{"__proto__":"x","constructor":"y"}')),
    );
    expect(proto.message).toBe(
      'unknown query parameters "__proto__", "constructor": this route takes no query parameters',
    );
  });

  it('says an id too large for an integer is out of range', () => {
    const error = failure(() => input('GET', '/v1/contacts/99999999999999999999999'));
    expect(error.status).toBe(400);
    expect(error.message).toBe('userId is out of range');
    expect(failure(() => input('GET', '/v1/chats/-9007199254740993')).message).toBe(
      'chatId is out of range',
    );
  });

  it('names every problem in one 400 detail', () => {
    const error = failure(() => input('GET', '/v1/contacts/x/activity', {}));
    expect(error.status).toBe(400);
    expect(error.message).toBe('userId must be an integer');
    const query = failure(() => input('GET', '/v1/contacts/1/activity', { from: 'x' }));
    expect(query.message).toBe('from must be a date YYYY-MM-DD; to must be a date YYYY-MM-DD');
  });
});

describe('routeResponse and the phones permission', () => {
  const members = matchRoute(LOOKUP_ROUTES, 'GET', '/v1/chats/-1/members').route;
  const page = {
    items: [
      {
        userId: 1,
        chatId: -1,
        status: 'member',
        isMember: true,
        messageCount: 1,
        user: { id: 1, isBot: false, firstName: 'A', phoneNumber: '+15551234567' },
      },
    ],
  };

  it('drops every phoneNumber, at any depth, for a key without the permission', () => {
    const body = routeResponse(members, page, { phones: false }).body ?? '';
    expect(JSON.parse(body).items[0].user).toEqual({ id: 1, isBot: false, firstName: 'A' });
    expect(body).not.toContain('5551234567');
  });

  it('keeps them for a key with it, and for public routes (mayCarryPhones without a caller)', () => {
    const body = routeResponse(members, page, { phones: true }).body ?? '';
    expect(JSON.parse(body).items[0].user.phoneNumber).toBe('+15551234567');
    expect(mayCarryPhones(undefined)).toBe(true);
    expect(mayCarryPhones({ keyId: 'k', name: 'n', scope: 'admin', phones: true })).toBe(true);
    expect(mayCarryPhones({ keyId: 'k', name: 'n', scope: 'read', phones: false })).toBe(false);
  });
});
