/**
 * The load test: posts a workload of group messages (plus edits and joins that must not
 * count, and redeliveries of earlier updates that must not count twice) to a webhook, many
 * in flight, redelivering on 5xx like Telegram; then checks through the lookup API that every
 * update was counted exactly once, per contact, per chat and per chat and day.
 * Ids are drawn per run, so it can run against a server that already holds data.
 */
import { randomInt } from 'node:crypto';
import { deliveryQueue } from '../lib/telegram/update/update-queue.ts';
import { type Progress, silentProgress } from './progress.ts';

type Update = Record<string, unknown>;

export interface LoadTestOptions {
  /** Base URL of a running stack (its webhook and lookup API). */
  url: string;
  webhookSecret: string;
  apiKey: string;
  /** Distinct updates to post (redeliveries come on top). */
  updates: number;
  /** Requests in flight. */
  concurrency: number;
  users?: number;
  chats?: number;
  /** Share of updates delivered a second time (default 0.05). */
  redeliveries?: number;
  /** Where each phase is told (default: nowhere). */
  progress?: Progress;
}

export interface LoadTestResult {
  updates: number;
  requests: number;
  /** Requests answered 5xx or failed on the network, then delivered again. */
  retried: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  /** Distinct updates per second. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  checked: { contacts: number; chats: number; activityDays: number };
  /** How long the check through the lookup API took, in ms. */
  checkMs: number;
  /** 429 answers the check got (and waited out): the lookup's per-key rate limit. */
  rateLimited: number;
  /** Every count that differs from what was sent (empty: each update counted exactly once). */
  mismatches: string[];
}

interface Workload {
  posts: Update[];
  distinct: number;
  contacts: Map<number, number>;
  chats: Map<number, number>;
  chatDays: Map<number, Map<string, number>>;
  from: string;
  to: string;
}

const DAY = 86_400;
/** 2025-11-20T00:00:00Z; messages fall on the ten days from there. */
const START = 1_763_596_800;

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

export function buildWorkload(options: LoadTestOptions): Workload {
  const run = randomInt(1, 900_000);
  const users = Array.from({ length: options.users ?? 300 }, (_, i) => ({
    id: 8_000_000_000_000 + run * 10_000 + i,
    is_bot: false,
    first_name: ['Alice', 'Боб', 'محمد', '李', '🦊'][i % 5] as string,
    username: `load_${run}_${i}`,
  }));
  const chats = Array.from({ length: options.chats ?? 25 }, (_, j) => ({
    id: -(1_009_000_000_000 + run * 100 + j),
    type: 'supergroup',
    title: `Load ${run} ${j}`,
  }));
  const workload: Workload = {
    posts: [],
    distinct: options.updates,
    contacts: new Map(),
    chats: new Map(),
    chatDays: new Map(),
    from: new Date(START * 1000).toISOString().slice(0, 10),
    to: new Date((START + 9 * DAY) * 1000).toISOString().slice(0, 10),
  };
  const distinct: Update[] = [];
  for (let k = 0; k < options.updates; k++) {
    const from = users[randomInt(users.length)] as (typeof users)[number];
    if (!workload.contacts.has(from.id)) workload.contacts.set(from.id, 0);
    const chat = chats[randomInt(chats.length)] as (typeof chats)[number];
    const date = START + randomInt(10 * DAY);
    const message = { message_id: k + 1, date, chat, from };
    const roll = randomInt(100);
    let update: Update;
    if (roll < 5) {
      update = { edited_message: { ...message, text: 'edited', edit_date: date + 60 } };
    } else if (roll < 10) {
      update = { message: { ...message, new_chat_members: [from] } };
    } else {
      update = { message: { ...message, text: `load message ${k}` } };
      bump(workload.contacts, from.id);
      bump(workload.chats, chat.id);
      const days = workload.chatDays.get(chat.id) ?? new Map<string, number>();
      bump(days, new Date(date * 1000).toISOString().slice(0, 10));
      workload.chatDays.set(chat.id, days);
    }
    distinct.push({ update_id: run * 10_000_000 + k, ...update });
  }
  for (const update of distinct) {
    workload.posts.push(update);
    if (Math.random() < (options.redeliveries ?? 0.05)) {
      // Telegram sends it again later (it did not see our answer in time).
      const later = randomInt(workload.posts.length, workload.posts.length + 200);
      workload.posts.splice(Math.min(later, workload.posts.length), 0, update);
    }
  }
  return workload;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * Runs `task` over `items` as Telegram delivers updates: at most `concurrency` at once, one
 * per delivery queue (lib/telegram/update/update-queue.ts), each queue in order, its next item only
 * after the previous one finished (was answered 200).
 */
async function deliverByQueue<T>(
  items: readonly T[],
  concurrency: number,
  queueOf: (item: T) => string,
  task: (item: T) => Promise<void>,
) {
  const queues = new Map<string, T[]>();
  for (const item of items) queues.set(queueOf(item), [...(queues.get(queueOf(item)) ?? []), item]);
  const idle = [...queues.keys()];
  const waiting: (() => void)[] = [];
  let busy = 0;
  const worker = async () => {
    for (;;) {
      const key = idle.shift();
      if (key === undefined) {
        if (busy === 0) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      const queue = queues.get(key) as T[];
      busy++;
      try {
        await task(queue.shift() as T);
      } finally {
        busy--;
        if (queue.length) idle.push(key);
        for (const wake of waiting.splice(0)) wake();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

const queueOfUpdate = (update: Update) =>
  deliveryQueue(update, Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown');

/** Runs `task` over `items` with `concurrency` workers. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * The check's 429s (the lookup's per-key rate limit, RATE_LIMIT_RPS / RATE_LIMIT_BURST): all
 * workers wait out one Retry-After together, so the check asks no faster than the limit
 * refills, and the run says how many it got and how long the check took.
 */
interface RateLimitWait {
  until: number;
  answers: number;
  told: boolean;
}

const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lookup GET, waiting out 429s (Retry-After) like a polite client. */
async function lookupPaced(
  options: LoadTestOptions,
  path: string,
  limited: RateLimitWait,
): Promise<Record<string, unknown>> {
  for (let attempt = 0; ; attempt++) {
    if (limited.until > Date.now()) await sleepMs(limited.until - Date.now());
    const response = await fetch(`${options.url}${path}`, {
      headers: { authorization: `Bearer ${options.apiKey}` },
    });
    if (response.status === 429 && attempt < 50) {
      await response.body?.cancel();
      limited.answers++;
      if (!limited.told) {
        limited.told = true;
        (options.progress ?? silentProgress).phase(
          `the lookup API answers 429 (its per-key rate limit): checking at its pace; ${RATE_LIMIT_HINT}`,
        );
      }
      const wait = Math.max(0.05, Number(response.headers.get('retry-after') ?? 1)) * 1000;
      limited.until = Math.max(limited.until, Date.now() + wait);
      continue;
    }
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }
}

/** What a person can do about the check's 429s. */
export const RATE_LIMIT_HINT =
  'start the stack with RATE_LIMIT_RPS=1000 RATE_LIMIT_BURST=1000 to check faster (npm run loadtest without --url does)';

async function verify(options: LoadTestOptions, workload: Workload, result: LoadTestResult) {
  const progress = options.progress ?? silentProgress;
  progress.phase(
    `checking through the lookup API: ${workload.contacts.size} contacts, ${workload.chats.size} chats`,
  );
  const check = (what: string, got: unknown, want: number) => {
    if (got !== want) result.mismatches.push(`${what}: counted ${String(got)}, sent ${want}`);
  };
  const range = `from=${workload.from}&to=${workload.to}`;
  const started = performance.now();
  const limited: RateLimitWait = { until: 0, answers: 0, told: false };
  const lookup = (o: LoadTestOptions, path: string) => lookupPaced(o, path, limited);
  await pool([...workload.contacts], 10, async ([id, want]) => {
    const contact = await lookup(options, `/v1/contacts/${id}`);
    check(`contact ${id}`, contact.messageCount, want);
    result.checked.contacts++;
    progress.count('contacts checked', result.checked.contacts, workload.contacts.size);
  });
  await pool([...workload.chats], 10, async ([id, want]) => {
    const chat = await lookup(options, `/v1/chats/${id}`);
    check(`chat ${id}`, chat.messageCount, want);
    result.checked.chats++;
    const activity = await lookup(options, `/v1/chats/${id}/activity?${range}`);
    const days = new Map(
      ((activity.days ?? []) as { date: string; messages: number }[]).map((d) => [
        d.date,
        d.messages,
      ]),
    );
    const sent = workload.chatDays.get(id) ?? new Map<string, number>();
    for (const date of new Set([...sent.keys(), ...days.keys()])) {
      check(`chat ${id} on ${date}`, days.get(date) ?? 0, sent.get(date) ?? 0);
      result.checked.activityDays++;
    }
  });
  result.checkMs = performance.now() - started;
  result.rateLimited = limited.answers;
}

export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const progress = options.progress ?? silentProgress;
  const workload = buildWorkload(options);
  progress.phase(
    `posting ${workload.distinct} updates (${workload.posts.length} requests with redeliveries) ` +
      `at ${options.concurrency} in flight to ${options.url}`,
  );
  let posted = 0;
  const result: LoadTestResult = {
    updates: workload.distinct,
    requests: 0,
    retried: 0,
    statuses: {},
    elapsedMs: 0,
    throughput: 0,
    p50Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    checked: { contacts: 0, chats: 0, activityDays: 0 },
    checkMs: 0,
    rateLimited: 0,
    mismatches: [],
  };
  const latencies: number[] = [];
  const started = performance.now();
  await deliverByQueue(workload.posts, options.concurrency, queueOfUpdate, async (update) => {
    const body = JSON.stringify(update);
    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      let status: number | string;
      try {
        const response = await fetch(`${options.url}/telegram/webhook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-telegram-bot-api-secret-token': options.webhookSecret,
          },
          body,
        });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 'network error';
      }
      latencies.push(performance.now() - t0);
      result.requests++;
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      if (status === 200) {
        progress.count('posted', ++posted, workload.posts.length);
        return;
      }
      if (typeof status === 'number' && status < 500) {
        progress.count('posted', ++posted, workload.posts.length);
        result.mismatches.push(`update ${String(update.update_id)} answered ${status}`);
        return;
      }
      if (attempt >= 20) throw new Error(`update ${String(update.update_id)} never accepted`);
      result.retried++;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  });
  result.elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  result.throughput = workload.distinct / (result.elapsedMs / 1000);
  result.p50Ms = percentile(latencies, 50);
  result.p99Ms = percentile(latencies, 99);
  result.maxMs = latencies.at(-1) ?? 0;
  await verify(options, workload, result);
  progress.phase(`done: ${result.mismatches.length} mismatches`);
  return result;
}

export function formatResult(result: LoadTestResult, options: LoadTestOptions): string {
  const f = (n: number) => n.toFixed(1);
  const statuses = Object.entries(result.statuses)
    .map(([status, n]) => `${status} x ${n}`)
    .join(', ');
  const { contacts, chats, activityDays } = result.checked;
  return [
    `load test: ${result.updates} updates (${result.requests} requests with redeliveries) ` +
      `at ${options.concurrency} in flight to ${options.url}`,
    `  throughput: ${f(result.throughput)} updates/s (${f(result.elapsedMs / 1000)} s)`,
    `  latency:    p50 ${f(result.p50Ms)} ms, p99 ${f(result.p99Ms)} ms, max ${f(result.maxMs)} ms`,
    `  answers:    ${statuses}${result.retried ? ` (${result.retried} redelivered)` : ''}`,
    `  checked through the lookup API: ${contacts} contacts, ${chats} chats, ` +
      `${activityDays} chat-days in ${f(result.checkMs / 1000)} s`,
    ...(result.rateLimited > 0
      ? [
          `  rate limited: the check got ${result.rateLimited} answers 429 and waited them out; ${RATE_LIMIT_HINT}`,
        ]
      : []),
    result.mismatches.length === 0
      ? '  every update counted exactly once'
      : `  MISMATCHES (${result.mismatches.length}):\n    ${result.mismatches.slice(0, 20).join('\n    ')}`,
  ].join('\n');
}
