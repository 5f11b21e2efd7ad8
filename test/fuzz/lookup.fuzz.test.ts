/**
 * The real lookup handler against the embedded store, fed arbitrary paths, methods, query
 * strings and PATCH bodies with an admin key (so requests get past auth into validation and
 * the store). Property: never a 5xx and never a throw; errors are problem+json.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOOKUP_ROUTES } from '../../lib/lookup/routes.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { httpEvent } from '../helpers/events.ts';
import { post, type TestLookup } from '../helpers/lookup.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import { TRICKY_STRINGS, text } from './arbitraries.ts';
import { fuzzParams, fuzzTimeout } from './fuzz-config.ts';

const stack = useStack();
let api: TestLookup;

beforeAll(async () => {
  const store = await stack.freshTable();
  const webhook = await stack.webhook({ store });
  for (const name of ['group-message', 'contact-own', 'new-chat-members', 'users-shared']) {
    await post(webhook, loadUpdate(name));
  }
  api = await stack.lookup({ store, botTimeoutMs: 500 });
});

const ROUTE_WORDS = [
  'v1',
  'contacts',
  'chats',
  'members',
  'export',
  'activity',
  'shared',
  'openapi.json',
];

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ROUTE_WORDS) },
  { weight: 3, arbitrary: fc.constantFrom('1001', '1002', '-100200300', '0', '-0', '424242') },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 60), max: 2 ** 60 }).map(String) },
  { weight: 2, arbitrary: text(32).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom(...TRICKY_STRINGS, '..', '.', '%', '%zz', '%00') },
);

const id = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('1001', '1002', '-100200300', '424242') },
  { weight: 1, arbitrary: segment },
);

/** Mostly the routes' own paths with ids filled in, sometimes anything under /v1. */
const path = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...LOOKUP_ROUTES.map((route) => route.path)), id, id)
      .map(([template, userId, chatId]) =>
        template.replace('{userId}', userId).replace('{chatId}', chatId),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(segment, { maxLength: 5 }), fc.boolean())
      .map(([rest, trailing]) => `/v1/${rest.join('/')}${trailing ? '/' : ''}`),
  },
);

const QUERY_NAMES = [
  'limit',
  'cursor',
  'username',
  'phone',
  'tag',
  'from',
  'to',
  'live',
  'status',
  'sort',
  'format',
  'includePhone',
];

/** Bodies for PATCH: merge patches, near misses and anything else. */
const patchBody = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          tags: fc.oneof(
            fc.constant(null),
            fc.array(fc.oneof(fc.constantFrom('vip', 'VIP', 'a-b_1', ''), text(40)), {
              maxLength: 25,
            }),
            fc.anything(),
          ),
          note: fc.oneof(
            fc.constant(null),
            text(64),
            fc.string({ maxLength: 2100 }),
            fc.anything(),
          ),
          extra: fc.anything(),
        },
        { requiredKeys: [] },
      )
      .map((body) => JSON.stringify(body)),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: text(64) },
);
const contentType = fc.constantFrom(
  'application/merge-patch+json',
  'application/merge-patch+json; charset=utf-8',
  'application/json',
  '',
);
const query = fc.dictionary(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...QUERY_NAMES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  ),
  fc.oneof(
    fc.constantFrom(
      '1',
      '100',
      '101',
      'true',
      '2025-11-24',
      '+15551234567',
      'alice_smith',
      'left',
      'lastSeen',
      'ndjson',
    ),
    text(64),
  ),
  { maxKeys: 4 },
);

describe('lookup API (fuzzed)', () => {
  it(
    'never answers 5xx to arbitrary paths, methods and query strings',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'GET', 'GET', 'GET', 'GET', 'DELETE', 'POST', 'PATCH', 'PATCH'),
          path,
          query,
          patchBody,
          contentType,
          async (method, rawPath, queryStringParameters, body, type) => {
            const event = httpEvent({
              method,
              path: rawPath,
              query: queryStringParameters,
              headers: { authorization: `Bearer ${api.adminKey}`, 'content-type': type },
              ...(method === 'PATCH' ? { body } : {}),
            });
            const response = await api.handler(event);
            const status = response.statusCode ?? 0;
            expect(status, `${method} ${rawPath} -> ${response.body}`).toBeLessThan(500);
            if (status >= 400) {
              expect(response.headers?.['content-type']).toBe('application/problem+json');
              expect(JSON.parse(response.body ?? '')).toMatchObject({ status });
            } else if (response.body && response.headers?.['content-type'] === 'application/json') {
              JSON.parse(response.body);
            }
          },
        ),
        fuzzParams(400, 2),
      );
    },
    fuzzTimeout(20_000),
  );
});
