/**
 * The real lookup handler on a test table, with API keys created the way the CLI does, and
 * helpers to put data there the way production does: real-shaped updates through the real
 * webhook handler.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { createHandler, type LookupHandler } from '../../functions/lookup.ts';
import type { WebhookHandler } from '../../functions/webhook.ts';
import { createApiKey } from '../../lib/access/api-key-admin.ts';
import { loadConfig } from '../../lib/config.ts';
import type { LookupLimits } from '../../lib/lookup/limits.ts';
import { buildLookupDeps } from '../../lib/lookup/lookup-deps.ts';
import type { StoreContext } from '../../lib/store/client.ts';
import { LOOKUP_GRANTS } from '../../lib/store/grants/lookup-grants.ts';
import { createBotApi } from '../../lib/telegram/bot-api.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { httpEvent, webhookEvent } from './events.ts';
import { grantedClient } from './granted-client.ts';
import { TEST_BOT_TOKEN, withConfiguredRetention } from './webhook.ts';

export const ALICE = 1001;
export const BOB = 1002;
export const GROUP = -100200300;
/** 2025-11-24T16:00:00Z, the fixtures' first date. */
export const DAY0 = 1764000000;

export interface LookupResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are asserted field by field
  body: any;
  headers: Record<string, string>;
  raw: string;
}

export interface TestLookup {
  handler: LookupHandler;
  adminKey: string;
  /** A read key with the phones permission (as every key made before it existed has). */
  readKey: string;
  /** A read key without the phones permission (`apikey create --scope read`, no --phones). */
  noPhonesKey: string;
  /** Calls the handler; `key` defaults to the read key, `null` sends none. */
  call(request: {
    path: string;
    method?: string;
    query?: Record<string, string>;
    key?: string | null;
    headers?: Record<string, string>;
    /** A request body, sent as it is (set its content-type in `headers`). */
    body?: string;
  }): Promise<LookupResponse>;
}

export interface TestLookupOptions {
  store: StoreContext;
  botApiUrl: string;
  /** null: no bot token configured. */
  token?: string | null;
  env?: Record<string, string>;
  now?: () => number;
  /** A client for the handler only (e.g. one that counts requests); keys are made with the store's. */
  client?: DynamoDBDocumentClient;
  /** Bot API call timeout (default 2000 ms). */
  botTimeoutMs?: number;
  /** Lower limits (answer bytes, members a sorted list reads) than the real ones. */
  limits?: Partial<LookupLimits>;
}

export async function createTestLookup(options: TestLookupOptions): Promise<TestLookup> {
  const config = loadConfig({
    TABLE_NAME: options.store.tableName,
    TELEGRAM_API_ROOT: options.botApiUrl,
    RATE_LIMIT_RPS: '1000',
    RATE_LIMIT_BURST: '1000',
    ...options.env,
  });
  const token = options.token === null ? undefined : (options.token ?? TEST_BOT_TOKEN);
  const configured = withConfiguredRetention(options.store, config, options.env);
  // Held to the lookup role's grants, as deployed: a key kind it does not grant fails.
  const store = {
    ...configured,
    client: grantedClient(options.client ?? configured.client, LOOKUP_GRANTS),
  };
  const deps = buildLookupDeps(
    config,
    { botToken: token, cursorSecret: 'test-cursor-secret' },
    {
      store,
      botApi: createBotApi({
        token,
        apiRoot: options.botApiUrl,
        timeoutMs: options.botTimeoutMs ?? 2000,
      }),
      ...(options.now ? { now: options.now } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    },
  );
  const handler = createHandler(deps);
  const admin = await createApiKey(options.store, { name: 'test admin', scope: 'admin' });
  const read = await createApiKey(options.store, {
    name: 'test read',
    scope: 'read',
    phones: true,
  });
  const noPhones = await createApiKey(options.store, { name: 'test no phones', scope: 'read' });
  return {
    handler,
    adminKey: admin.key,
    readKey: read.key,
    noPhonesKey: noPhones.key,
    async call(request) {
      const key = request.key === undefined ? read.key : request.key;
      const response = await handler(
        httpEvent({
          method: request.method ?? 'GET',
          path: request.path,
          ...(request.query ? { query: request.query } : {}),
          headers: {
            ...(key === null ? {} : { authorization: `Bearer ${key}` }),
            ...request.headers,
          },
          ...(request.body !== undefined ? { body: request.body } : {}),
        }),
      );
      const raw = response.body ?? '';
      const type = String(response.headers?.['content-type'] ?? '');
      return {
        status: response.statusCode ?? 0,
        // Exports are text (CSV, NDJSON): read them from `raw`.
        body: raw && /^application\/(problem\+)?json\b/.test(type) ? JSON.parse(raw) : undefined,
        headers: (response.headers ?? {}) as Record<string, string>,
        raw,
      };
    },
  };
}

export interface Person {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

/** A group message from `person` in `chatId` at `date` (epoch seconds), as Telegram sends it. */
export function groupMessage(person: Person, options: { chatId?: number; date?: number } = {}) {
  const update = loadUpdate('group-message') as {
    update_id: number;
    message: { from: Record<string, unknown>; chat: { id: number }; date: number };
  };
  update.message.from = { is_bot: false, ...person };
  update.message.chat.id = options.chatId ?? GROUP;
  update.message.date = options.date ?? DAY0;
  return update;
}

/**
 * Sends `body` as JSON (a string as it is, for malformed bodies) to `path` with `key` (default:
 * the read key) and any more `headers`; POST unless `method` says otherwise.
 */
export function postJson(
  api: TestLookup,
  path: string,
  body: unknown,
  options: { key?: string | null; headers?: Record<string, string>; method?: string } = {},
): Promise<LookupResponse> {
  return api.call({
    method: options.method ?? 'POST',
    path,
    ...(options.key !== undefined ? { key: options.key } : {}),
    headers: { 'content-type': 'application/json', ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** GETs the activity of a chat or a contact over [from, to] (dates as YYYY-MM-DD). */
export function activityOf(
  api: TestLookup,
  of: { chat: number } | { contact: number },
  from: string,
  to: string,
): Promise<LookupResponse> {
  const path = 'chat' in of ? `/v1/chats/${of.chat}` : `/v1/contacts/${of.contact}`;
  return api.call({ path: `${path}/activity`, query: { from, to } });
}

/** Erases `userId` through `DELETE /v1/contacts/{userId}` with the admin key; expects 204. */
export async function eraseContact(api: TestLookup, userId: number | string): Promise<void> {
  const erased = await api.call({
    method: 'DELETE',
    path: `/v1/contacts/${userId}`,
    key: api.adminKey,
  });
  expect(erased.status, erased.raw).toBe(204);
}

/** Sets the tags of each of `userIds` through `PATCH /v1/contacts/{userId}` with `key` (default: the admin key); expects 200. */
export async function tagContacts(
  api: TestLookup,
  userIds: Iterable<number>,
  tags: string[],
  key = api.adminKey,
): Promise<void> {
  for (const userId of userIds) {
    const patched = await api.call({
      method: 'PATCH',
      path: `/v1/contacts/${userId}`,
      key,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ tags }),
    });
    expect(patched.status, patched.raw).toBe(200);
  }
}

/** Posts updates through the webhook, in order; fails on anything but 200. */
export async function post(webhook: WebhookHandler, ...updates: unknown[]): Promise<void> {
  for (const update of updates) {
    const response = await webhook(webhookEvent(update));
    if (response.statusCode !== 200) {
      throw new Error(`webhook answered ${response.statusCode}: ${response.body}`);
    }
  }
}

/** A 7x24 hours answer (weekday 0 = Monday) with `cells` as [weekday, hour, messages]. */
export function hourGrid(...cells: [number, number, number][]): number[][] {
  const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  for (const [weekday, hour, messages] of cells) {
    const row = grid[weekday];
    if (row) row[hour] = messages;
  }
  return grid;
}

/** Checks that `response` is the 404 problem+json whose detail is `detail`. */
export function expectNotFound(response: LookupResponse, detail: string): void {
  expect(response.status).toBe(404);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toEqual({
    type: 'https://httpstatuses.io/404',
    title: 'Not Found',
    status: 404,
    detail,
  });
}
