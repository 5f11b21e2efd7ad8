/**
 * The member list's filters and sorts, and the export, on a 10,000-member chat: the local stack
 * (in-memory store, both functions behind the local HTTP server). Three members are recorded
 * through the real webhook (one who writes, one added by new_chat_members, one who left); their
 * membership items are the templates of 10,000 more, written directly with BatchWriteItem
 * (names of many scripts, counters, times, tags for a third), so seeding takes seconds, not the
 * minutes 10,000 webhook calls would. The store runs in a child process, so this process's CPU
 * is the lookup handler's (and the local HTTP hop's). Each route is called a few times in a
 * row; the figures are the medians of one call, its DynamoDB requests and round trips, and an
 * estimate of its Lambda duration (cost.ts's assumptions: CPU scaled to the function's memory,
 * a fixed time per round trip).
 */
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { MEMBER_USER_SNAPSHOT, memberAttrs } from '../../lib/directory/record/registers.ts';
import { LAMBDA_RESPONSE_LIMIT_BYTES } from '../../lib/http/raw-response.ts';
import { columnsOf } from '../../lib/lookup/chats/export-format.ts';
import { type ExportCapacity, exportCapacity } from '../../lib/lookup/chats/export-size.ts';
import type { StoreContext } from '../../lib/store/client.ts';
import { membershipIndexKeys, membershipKey, notesKey } from '../../lib/store/keys.ts';
import { startFakeBotApi } from '../../test/helpers/fake-bot-api.ts';
import { countByCommand, criticalPath, recordRequests } from '../../test/helpers/request-log.ts';
import { TEST_BOT_TOKEN } from '../../test/helpers/webhook.ts';
import { startLocalStack } from '../local/stack.ts';
import { ASSUMPTIONS, configuredMemoryMb } from './cost.ts';
import { storeProcess } from './handler-cpu.ts';
import { median } from './stats.ts';
import { DAY0 } from './workload.ts';

export interface MemberRouteFigures {
  route: string;
  path: string;
  /** Median wall time of one call, through the local HTTP server. */
  ms: number;
  /** Median CPU of this process (the lookup handler and the local HTTP hop; the store runs in a child process). */
  cpuMs: number;
  /** Sequential DynamoDB round trips of one call (requests in flight together count once). */
  roundTrips: number;
  /** Estimated Lambda duration: CPU scaled to the lookup function's memory, plus round trips. */
  lambdaMs: number;
  dynamoRequests: number;
  byCommand: Record<string, number>;
  /** Bytes of the answer's body, and for exports the bytes per member. */
  bytes: number;
  bytesPerMember?: number;
}

export interface MemberExportReport {
  members: number;
  tagged: number;
  seedSeconds: number;
  /** The lookup function's memory (serverless.yml), for the Lambda estimate. */
  lambdaMemoryMb: number;
  runs: number;
  routes: MemberRouteFigures[];
  capacity: ExportCapacity[];
}

const CHAT = -1009000000001;
const FIRST_USER = 5_000_000_000;
type Item = Record<string, unknown>;

const FIRST_NAMES = [
  'Александра',
  'Mohammed',
  '王',
  'María José',
  'Siobhán',
  'Ngọc Anh',
  'Олег 🚀',
];
const LAST_NAMES = [
  'Ковальчук-Петренко',
  'Al-Hashimi',
  '小明',
  'García López',
  undefined,
  'Nguyễn',
];
const TAGS = ['customer', 'vip', 'newsletter', 'lead', 'partner', 'beta_tester'];

/** Posts one update through the stack's webhook. */
async function post(url: string, secret: string, update: unknown): Promise<void> {
  const response = await fetch(`${url}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body: JSON.stringify(update),
  });
  if (response.status !== 200) throw new Error(`seeding: webhook answered ${response.status}`);
}

/** Three real memberships: one who writes, one added by someone, one who left. */
async function recordTemplates(url: string, secret: string): Promise<number[]> {
  const chat = { id: CHAT, title: 'Bench Group', type: 'supergroup' };
  const person = (id: number) => ({ id, is_bot: false, first_name: `Template ${id}` });
  const ids = [1, 2, 3].map((i) => FIRST_USER - i);
  const [writer, added, leaver] = ids as [number, number, number];
  let updateId = 9_000_000;
  const message = (from: number, date: number, extra: object) => {
    updateId += 1;
    return {
      update_id: updateId,
      message: { message_id: updateId, from: person(from), chat, date, ...extra },
    };
  };
  for (const update of [
    message(writer, DAY0, { text: 'hello' }),
    message(writer, DAY0 + 60, { new_chat_members: [person(added)] }),
    message(leaver, DAY0 + 120, { text: 'bye' }),
    message(leaver, DAY0 + 180, { left_chat_member: person(leaver) }),
  ]) {
    await post(url, secret, update);
  }
  return ids;
}

async function readItem(store: StoreContext, key: { pk: string; sk: string }): Promise<Item> {
  const { Item } = await store.client.send(
    new GetCommand({ TableName: store.tableName, Key: key }),
  );
  if (!Item) throw new Error(`seeding: no template item ${key.pk}`);
  return Item;
}

/** Member i: a template membership with its own id, names, counters and times. */
function memberItem(template: Item, i: number): Item {
  const userId = FIRST_USER + i;
  const m = memberAttrs('m');
  const item: Item = {
    ...template,
    ...membershipKey(userId, CHAT),
    ...membershipIndexKeys(userId, CHAT),
    userId,
  };
  const first = FIRST_NAMES[i % FIRST_NAMES.length] as string;
  const last = LAST_NAMES[i % LAST_NAMES.length];
  item[MEMBER_USER_SNAPSHOT] = {
    ...(template[MEMBER_USER_SNAPSHOT] as Item),
    f: `${first} ${i}`,
    ...(last ? { l: last } : { l: undefined }),
    ...(i % 5 < 3 ? { u: `member_${i}` } : { u: undefined }),
  };
  if (typeof item[m.count] === 'number') {
    item[m.count] = (i * 7919) % 5000;
    item[m.seen] = DAY0 + ((i * 104_729) % (90 * 86_400));
  }
  return JSON.parse(JSON.stringify(item));
}

async function batchWrite(store: StoreContext, items: Item[]): Promise<void> {
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const write = async (batch: Item[]) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await store.client.send(
        new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[store.tableName] ?? []) as typeof pending;
    }
  };
  for (let i = 0; i < batches.length; i += 8) await Promise.all(batches.slice(i, i + 8).map(write));
}

/** 10,000 memberships from the templates, a third of the members with tags. */
async function seedMembers(
  store: StoreContext,
  members: number,
  templates: Item[],
): Promise<number> {
  const items: Item[] = [];
  let tagged = 0;
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < members; i++) {
    items.push(memberItem(templates[i % templates.length] as Item, i));
    if (i % 3 === 0) {
      const tags = TAGS.filter((_, t) => (i + t) % 4 === 0);
      items.push({ ...notesKey(FIRST_USER + i), tags, st: now, s0: now });
      tagged++;
    }
  }
  await batchWrite(store, items);
  return tagged;
}

const BENCH_ROUTES: [string, string][] = [
  ['members (50)', `/v1/chats/${CHAT}/members?limit=50`],
  ['members ?status=member (50)', `/v1/chats/${CHAT}/members?status=member&limit=50`],
  ['members ?sort=lastSeen (50)', `/v1/chats/${CHAT}/members?sort=lastSeen&limit=50`],
  [
    'members ?sort=messages&status=member (50)',
    `/v1/chats/${CHAT}/members?sort=messages&status=member&limit=50`,
  ],
  ['members/export (csv)', `/v1/chats/${CHAT}/members/export`],
  ['members/export ?format=ndjson', `/v1/chats/${CHAT}/members/export?format=ndjson`],
  [
    'members/export ?includePhone=true (admin)',
    `/v1/chats/${CHAT}/members/export?includePhone=true`,
  ],
];

export async function measureMemberExport(options: {
  members: number;
  runs: number;
}): Promise<MemberExportReport> {
  const botApi = await startFakeBotApi();
  const store = await storeProcess();
  const stack = await startLocalStack({
    env: {
      ...process.env,
      DYNAMODB_ENDPOINT: store.endpoint,
      LOCAL_DB_PATH: 'memory',
      TABLE_NAME: 'telegram-contacts-bench-members',
      TELEGRAM_API_ROOT: botApi.url,
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_BOT_USERNAME: 'contacts_test_bot',
      RATE_LIMIT_RPS: '100000',
      RATE_LIMIT_BURST: '100000',
      // The seed is dated November 2025: kept whatever today's date (as lookup-routes.ts).
      RETENTION_DAYS: '36500',
    },
    port: 0,
  });
  try {
    const seedStarted = performance.now();
    const ids = await recordTemplates(stack.url, stack.webhookSecret);
    const templates = await Promise.all(
      ids.map((id) => readItem(stack.store, membershipKey(id, CHAT))),
    );
    const tagged = await seedMembers(stack.store, options.members - ids.length, templates);
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const log = recordRequests(stack.store.client);
    const headers = { authorization: `Bearer ${stack.devApiKey}` };
    await fetch(`${stack.url}/v1/chats/1`, { headers }).then((r) => r.arrayBuffer()); // key cached
    const routes: MemberRouteFigures[] = [];
    const memoryMb = configuredMemoryMb('lookup');
    for (const [route, path] of BENCH_ROUTES) {
      const times: number[] = [];
      const cpu: number[] = [];
      let bytes = 0;
      let byCommand: Record<string, number> = {};
      let roundTrips = 0;
      for (let run = 0; run < options.runs; run++) {
        log.reset();
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const response = await fetch(`${stack.url}${path}`, { headers });
        const body = await response.text();
        const used = process.cpuUsage(cpuBefore);
        times.push(performance.now() - started);
        cpu.push((used.user + used.system) / 1000);
        roundTrips = criticalPath(log.records);
        if (response.status !== 200)
          throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
        bytes = Buffer.byteLength(body);
        byCommand = countByCommand(log.records);
      }
      const exported = path.includes('/export');
      const cpuMs = median(cpu);
      routes.push({
        route,
        path,
        ms: median(times),
        cpuMs,
        roundTrips,
        lambdaMs:
          (cpuMs * ASSUMPTIONS.fullVcpuMb) / memoryMb + roundTrips * ASSUMPTIONS.dynamoRoundTripMs,
        dynamoRequests: Object.values(byCommand).reduce((a, b) => a + b, 0),
        byCommand,
        bytes,
        ...(exported ? { bytesPerMember: bytes / options.members } : {}),
      });
    }
    const capacity = (['csv', 'ndjson'] as const).flatMap((format) =>
      [false, true].map((phone) =>
        exportCapacity(format, columnsOf(phone), LAMBDA_RESPONSE_LIMIT_BYTES),
      ),
    );
    return {
      members: options.members,
      tagged,
      seedSeconds,
      lambdaMemoryMb: memoryMb,
      runs: options.runs,
      routes,
      capacity,
    };
  } finally {
    try {
      await stack.close();
      await botApi.close();
    } finally {
      const exited = new Promise((resolve) => store.child.once('exit', resolve));
      store.child.kill('SIGTERM');
      await exited;
    }
  }
}
