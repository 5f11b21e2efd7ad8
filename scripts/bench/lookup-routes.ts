/**
 * Lookup API latency and throughput per route: the local stack (in-memory store, free port,
 * both functions behind the local HTTP server), seeded by posting real-shaped updates to its
 * webhook, then a short autocannon run per route with a warm API-key cache. Also counts the
 * DynamoDB requests each call makes (an SDK middleware on the stack's client).
 */
import autocannon from 'autocannon';
import { loadUpdate } from '../../test/fixtures/updates.ts';
import { startFakeBotApi } from '../../test/helpers/fake-bot-api.ts';
import { recordRequests } from '../../test/helpers/request-log.ts';
import { TEST_BOT_TOKEN } from '../../test/helpers/webhook.ts';
import { startLocalStack } from '../local/stack.ts';
import { groupUpdate, messagePool } from './workload.ts';

export interface RouteFigures {
  route: string;
  path: string;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** DynamoDB requests per call (mean). */
  dynamoRequests: number;
}

export interface LookupReport {
  seconds: number;
  connections: number;
  seeded: { people: number; chats: number; updates: number };
  routes: RouteFigures[];
}

const POOL = messagePool(120, 2);
const USER = POOL.userIds[0] as number;
const CHAT = POOL.chatIds[0] as number;
const MONTH = 'from=2025-11-01&to=2025-11-30';
/** The fixtures' group and Bob, whose joins, leave and status changes the seed delivers. */
const FIXTURE_GROUP = -100200300;
const FIXTURE_BOB = 1002;

/** Top members reads every membership of the chat: one Query, one BatchGet per 100. */
export const TOP_ROUTE = `GET /v1/chats/{chatId}/top (${POOL.userIds.length} members)`;
export const TOP_MEMBERS = POOL.userIds.length;

/** A request other than a GET: its method, body and content type. */
interface BenchRequest {
  method: 'PATCH';
  body: string;
  contentType: string;
}

const TAGGED = POOL.userIds.slice(0, 20);
const MERGE_PATCH = 'application/merge-patch+json';

/** Route template -> a concrete path on the seeded data (and the request, when not a GET). */
export const LOOKUP_BENCH_ROUTES: readonly ([string, string] | [string, string, BenchRequest])[] = [
  ['GET /v1/contacts/{userId}', `/v1/contacts/${USER}`],
  ['GET /v1/contacts?username=', `/v1/contacts?username=person_${USER}`],
  ['GET /v1/contacts?phone=', '/v1/contacts?phone=%2B15551234567'],
  ['GET /v1/contacts/{userId}/chats', `/v1/contacts/${USER}/chats`],
  ['GET /v1/contacts/{userId}/chats/{chatId}', `/v1/contacts/${USER}/chats/${CHAT}`],
  ['… ?live=true (getChatMember)', `/v1/contacts/${USER}/chats/${CHAT}?live=true`],
  ['GET /v1/contacts/{userId}/shared', '/v1/contacts/1001/shared'],
  ['GET /v1/contacts/{userId}/activity', `/v1/contacts/${USER}/activity?${MONTH}`],
  ['GET /v1/chats/{chatId}', `/v1/chats/${CHAT}`],
  ['GET /v1/chats/{chatId}/members (50)', `/v1/chats/${CHAT}/members?limit=50`],
  ['GET /v1/chats/{chatId}/activity', `/v1/chats/${CHAT}/activity?${MONTH}`],
  ['GET /v1/chats/{chatId}/events', `/v1/chats/${FIXTURE_GROUP}/events`],
  ['GET /v1/contacts/{userId}/events', `/v1/contacts/${FIXTURE_BOB}/events`],
  [TOP_ROUTE, `/v1/chats/${CHAT}/top?${MONTH}`],
  ['GET /v1/openapi.json', '/v1/openapi.json'],
  [
    'PATCH /v1/contacts/{userId} (note)',
    `/v1/contacts/${USER}`,
    { method: 'PATCH', body: '{"note":"bench"}', contentType: MERGE_PATCH },
  ],
  [`GET /v1/contacts?tag= (${TAGGED.length})`, '/v1/contacts?tag=vip'],
  [`GET /v1/chats/{chatId}/members?tag= (${TAGGED.length})`, `/v1/chats/${CHAT}/members?tag=vip`],
];

/** Tags the first people of the pool `vip` through the API, as an application would. */
async function tag(url: string, apiKey: string): Promise<void> {
  for (const userId of TAGGED) {
    const response = await fetch(`${url}/v1/contacts/${userId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': MERGE_PATCH },
      body: JSON.stringify({ tags: ['vip'] }),
    });
    if (response.status !== 200) throw new Error(`tagging: PATCH answered ${response.status}`);
  }
}

async function seed(url: string, secret: string): Promise<LookupReport['seeded']> {
  // Every person writes in both chats on 3 days; Alice (1001) verifies her phone and shares others.
  const updates: unknown[] = [];
  for (let day = 0; day < 3; day++) {
    const perDay = POOL.userIds.length * POOL.chatIds.length;
    for (let i = 0; i < perDay; i++)
      updates.push(groupUpdate(POOL, i, 5_000_000 + day * perDay + i, day));
  }
  // Membership events in the fixtures' group: Bob added, leaving, restricted, promoted.
  for (const name of [
    'group-message',
    'contact-own',
    'contact-other',
    'users-shared',
    'new-chat-members',
    'left-chat-member',
    'chat-member-restricted',
    'chat-member-admin',
  ]) {
    updates.push(loadUpdate(name));
  }
  const post = async (update: unknown) => {
    const response = await fetch(`${url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: JSON.stringify(update),
    });
    if (response.status !== 200) throw new Error(`seeding: webhook answered ${response.status}`);
  };
  for (let i = 0; i < updates.length; i += 8) await Promise.all(updates.slice(i, i + 8).map(post));
  return {
    people: POOL.userIds.length + 3,
    chats: POOL.chatIds.length + 1,
    updates: updates.length,
  };
}

export async function measureLookup(options: {
  seconds: number;
  connections: number;
}): Promise<LookupReport> {
  const botApi = await startFakeBotApi();
  const stack = await startLocalStack({
    env: {
      ...process.env,
      LOCAL_DB_PATH: 'memory',
      TABLE_NAME: 'telegram-contacts-bench',
      TELEGRAM_API_ROOT: botApi.url,
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_BOT_USERNAME: 'contacts_test_bot',
      RATE_LIMIT_RPS: '100000',
      RATE_LIMIT_BURST: '100000',
      // The seed is dated November 2025 (the fixtures' dates): kept whatever today's date.
      RETENTION_DAYS: '36500',
    },
    port: 0,
  });
  try {
    const seeded = await seed(stack.url, stack.webhookSecret);
    await tag(stack.url, stack.devApiKey);
    const log = recordRequests(stack.store.client);
    const routes: RouteFigures[] = [];
    for (const [route, path, request] of LOOKUP_BENCH_ROUTES) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${stack.devApiKey}`,
        ...(request ? { 'content-type': request.contentType } : {}),
      };
      const sent = request ? { method: request.method, body: request.body } : {};
      // One call first: the key is then cached, as in a warm instance.
      const first = await fetch(`${stack.url}${path}`, { headers, ...sent });
      if (first.status !== 200) throw new Error(`${path}: ${first.status} ${await first.text()}`);
      log.reset();
      const result = await autocannon({
        url: `${stack.url}${path}`,
        headers,
        ...sent,
        connections: options.connections,
        duration: options.seconds,
      });
      // Requests still in flight when the run ended did their DynamoDB work too: divide by sent.
      const dynamoRequests = log.records.length / Math.max(1, result.requests.sent);
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      }
      const answered = result['2xx'];
      routes.push({
        route,
        path,
        requests: answered,
        perSecond: answered / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        dynamoRequests,
      });
    }
    return { seconds: options.seconds, connections: options.connections, seeded, routes };
  } finally {
    await stack.close();
    await botApi.close();
  }
}
