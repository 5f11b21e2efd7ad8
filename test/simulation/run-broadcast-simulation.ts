/**
 * One seeded run of broadcast sending (at most once per recipient): the real sender
 * (lib/messaging/broadcast-sender.ts and the pass, delivery and pacer under it) over the
 * embedded store, on a simulated clock (its `now` and `sleep`), against an in-process Bot API
 * that answers per a seeded plan and records what Telegram delivered.
 *
 * The world: broadcasts created with the create service's store functions (resolveAudience,
 * writeRecipients, putBroadcast), some cancelled; users who send /stop and /start, block the
 * bot (Telegram refuses from then on; the my_chat_member update is recorded later, or lost)
 * or are erased through the API, their updates recorded by the recorder (retried until
 * acknowledged, as Telegram does). Two or three dispatcher "containers" invoke their sender
 * again and again for a slice of time each; an invocation may crash after any store call or
 * request (the answer lost; the container then starts a fresh sender) or stall past its
 * leases (its process paused; another takes over). Every store call and every request is a
 * turn of the seeded scheduler (store-scheduler.ts); store calls take a few simulated ms,
 * now and then a hundred. Then the faults stop, the senders drain what is left, and
 * broadcast-model.ts judges the history.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TelegramError } from 'telegraf';
import { eraseUser } from '../../lib/directory/erasure/erasure.ts';
import { resolveAudience } from '../../lib/lookup/broadcasts/broadcast-audience.ts';
import { createBroadcastSender } from '../../lib/messaging/broadcast-sender.ts';
import { readRecipients, writeRecipients } from '../../lib/messaging/store/broadcast-recipients.ts';
import {
  cancelBroadcast,
  expiryOf,
  getBroadcast,
  newBroadcastId,
  putBroadcast,
} from '../../lib/messaging/store/broadcasts.ts';
import { readEligibility } from '../../lib/messaging/store/messaging-eligibility.ts';
import type { StoreContext } from '../../lib/store/client.ts';
import { PENDING_BROADCASTS_PK } from '../../lib/store/service-keys.ts';
import { GSI1 } from '../../lib/store/table.ts';
import type { BotApi } from '../../lib/telegram/bot-api.ts';
import { toBotApiError } from '../../lib/telegram/bot-api-errors.ts';
import { person, privateBotStatus, privateMessage } from '../helpers/broadcasts.ts';
import { tracesOf } from '../helpers/erasure-scan.ts';
import { seededRandom } from '../helpers/faults.ts';
import { groupMessage } from '../helpers/lookup.ts';
import { record } from '../helpers/recorder-rig.ts';
import type { TestStore } from '../helpers/store.ts';
import {
  type ActorRecord,
  type AnswerKind,
  type BroadcastHistory,
  type BroadcastStats,
  checkBroadcastHistory,
  type RequestRecord,
  type UserOp,
  type WriteRecord,
} from './broadcast-model.ts';
import { type Actor, createStoreScheduler, type ScheduledCall } from './store-scheduler.ts';

/** 2026-03-31T20:00:00Z, in ms. */
const START = 1_774_987_200_000;
/** Six-digit ids, so that the erasure scan (erasure-scan.ts) matches nothing by chance. */
const PRIVATE_USERS = Array.from({ length: 24 }, (_, i) => 500_001 + i);
/** Seen only in a group: named in audiences, never recipients. */
const GROUP_USERS = [510_001, 510_002];
/** Never seen: named in audiences, never recipients. */
const NEVER_SEEN = 599_999;
const GROUP_CHAT = -1008001;
/** The world acts (creates, cancels, users' acts) in this span; faults last a bit longer. */
const WORLD_MS = 40_000;
const FAULTS_MS = 70_000;
/** A run that has not drained by then failed. */
const LIMIT_MS = 40 * 60_000;
/** A stall lasts longer than the sender's lease and a claim's (30 s each). */
const STALL_MS = 31_000;
/** The Bot API client's own timeout (a timeout is an answer this late). */
const TIMEOUT_MS = 5000;

export interface BroadcastSimOptions {
  /** Broadcasts created per run (at most; at least 2). */
  broadcasts: number;
  /** Probability that a sender invocation crashes. */
  crashRate: number;
  /** Share of requests answered with something else than 200 while faults last. */
  failRate: number;
  debug?: (line: string) => void;
}

export interface BroadcastSimReport extends BroadcastStats {
  seed: number;
  rate: number;
  invocations: number;
  crashes: number;
  stalls: number;
  storeCalls: number;
  /** Simulated seconds to the end of the drain. */
  seconds: number;
  failures: string[];
}

type SimActor = Actor & { record: ActorRecord };

export async function runBroadcastSimulation(
  base: TestStore,
  seed: number,
  options: BroadcastSimOptions,
): Promise<BroadcastSimReport> {
  const random = seededRandom(seed);
  const world = seededRandom(seed ^ 0xb0ad);
  const telegram = seededRandom(seed ^ 0x7e1e);
  const latency = seededRandom(seed ^ 0x1a7e);
  const store = await base.freshTable();
  const scheduler = createStoreScheduler(store.endpoint);
  const ctx: StoreContext = { ...store, client: scheduler.client };
  const pick = <T>(r: () => number, list: readonly T[]) => list[Math.floor(r() * list.length)] as T;

  // --- the simulated clock --------------------------------------------------------------
  let clock = START;
  let timerNo = 0;
  const timers: { at: number; n: number; resolve: () => void }[] = [];
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      timers.push({ at: clock + Math.max(0, ms), n: ++timerNo, resolve });
    });
  /** A frozen (stalled) actor's sleeps and calls wait for its thaw. */
  const frozenUntil = new Map<Actor, number>();
  async function thaw() {
    const actor = scheduler.current();
    for (;;) {
      const until = actor ? frozenUntil.get(actor) : undefined;
      if (until === undefined || until <= clock) return;
      await wait(until - clock);
    }
  }
  const sleep = async (ms: number) => {
    await wait(ms);
    await thaw();
  };

  let seq = 0;
  let faults = true;
  let crashes = 0;
  let stalls = 0;
  let invocations = 0;
  const history: BroadcastHistory = {
    rate: pick(random, [4, 8, 25]),
    broadcasts: [],
    requests: [],
    writes: [],
    reads: [],
    ops: [],
    table: [],
    invariants: [],
  };
  const recordOf = (actor: Actor | undefined) => (actor as SimActor | undefined)?.record;

  // --- what landed in the store ---------------------------------------------------------
  scheduler.client.middlewareStack.add(
    (next, context) => async (args) => {
      const output = await next(args);
      const input = args.input as Record<string, unknown>;
      if (String(context.commandName) === 'UpdateCommand' || 'UpdateExpression' in input) {
        const write = classify(input);
        if (write)
          history.writes.push({
            ...write,
            seq: ++seq,
            at: clock,
            actor: recordOf(scheduler.current()),
          });
      }
      return output;
    },
    { step: 'initialize', name: 'bsimWrites', priority: 'low' },
  );

  function classify(input: Record<string, unknown>): Omit<WriteRecord, 'seq' | 'at'> | undefined {
    const k = input.Key as { pk?: string; sk?: string } | undefined;
    if (!k?.pk?.startsWith('BROADCAST#bc_')) return undefined;
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    const broadcastId = k.pk.slice('BROADCAST#'.length);
    const first = String(values[':v0'] ?? '');
    if (k.sk?.startsWith('R#')) {
      const userId = Number(k.sk.slice(2));
      if (names['#a0'] !== 'state') return { kind: 'other', broadcastId, userId };
      if (':queued' in values) return { kind: 'claim', broadcastId, userId, state: first };
      if (':token' in values) return { kind: 'settle', broadcastId, userId, state: first };
      if (':lease' in values) return { kind: 'expire', broadcastId, userId, state: first };
      return { kind: 'other', broadcastId, userId, state: first };
    }
    if (names['#a0'] === 'status' && first === 'cancelled') return { kind: 'cancel', broadcastId };
    if (names['#a0'] === 'status' && first === 'done') return { kind: 'finish', broadcastId };
    return undefined;
  }

  // --- Telegram -------------------------------------------------------------------------
  /** Users who blocked the bot, from when (clock ms). */
  const blockedAt = new Map<number, number>();
  const textToId = new Map<string, string>();
  let requestNo = 0;

  function answerFor(chatId: number): {
    kind: AnswerKind;
    delivered: boolean;
    retryAfter?: number;
  } {
    const blocked = blockedAt.get(chatId);
    if (blocked !== undefined && blocked <= clock) return { kind: 'blocked', delivered: false };
    const r = telegram();
    if (!faults || r >= options.failRate) return { kind: 'ok', delivered: true };
    const f = telegram();
    const maybe = telegram() < 0.5;
    if (f < 0.25)
      return { kind: 'rate-limited', delivered: false, retryAfter: 1 + Math.floor(telegram() * 3) };
    if (f < 0.45) return { kind: 'server-error', delivered: maybe };
    if (f < 0.65) return { kind: 'timeout', delivered: maybe };
    if (f < 0.85) return { kind: 'refused', delivered: false };
    if (f < 0.93) return { kind: 'bad-request', delivered: false };
    return { kind: 'deactivated', delivered: false };
  }

  function errorOf(kind: AnswerKind, retryAfter = 1): Error {
    const telegramError = (error_code: number, description: string, parameters?: object) =>
      toBotApiError(
        new TelegramError({
          ok: false,
          error_code,
          description,
          ...(parameters ? { parameters } : {}),
        } as never),
        'sendMessage',
      );
    switch (kind) {
      case 'rate-limited':
        return telegramError(429, `Too Many Requests: retry after ${retryAfter}`, {
          retry_after: retryAfter,
        });
      case 'blocked':
        return telegramError(403, 'Forbidden: bot was blocked by the user');
      case 'deactivated':
        return telegramError(403, 'Forbidden: user is deactivated');
      case 'bad-request':
        return telegramError(400, "Bad Request: can't parse entities");
      case 'server-error':
        return telegramError(502, 'Bad Gateway');
      case 'timeout': {
        // What node-fetch throws when the client's AbortSignal.timeout fires.
        const err = new Error('The operation was aborted.');
        err.name = 'AbortError';
        return toBotApiError(err, 'sendMessage');
      }
      default: {
        // node-fetch's FetchError for a connection never made.
        const err = Object.assign(new Error('request failed, reason: connect ECONNREFUSED'), {
          name: 'FetchError',
          code: 'ECONNREFUSED',
          type: 'system',
        });
        return toBotApiError(err, 'sendMessage');
      }
    }
  }

  const notHere = (method: string) => () => Promise.reject(new Error(`${method}: not simulated`));
  const botApi: BotApi = {
    hasToken: true,
    botId: 999,
    async call(method: string, payload: object = {}) {
      if (method !== 'sendMessage') throw new Error(`${method}: not simulated`);
      await thaw();
      const actor = scheduler.current();
      const p = payload as Record<string, unknown>;
      const request = await scheduler.step(async () => {
        const rec = recordOf(actor) as ActorRecord;
        const answer = answerFor(Number(p.chat_id));
        const r: RequestRecord = {
          n: ++requestNo,
          seq: ++seq,
          at: clock,
          actor: rec,
          stale: rec.stalledAt !== undefined,
          chatId: Number(p.chat_id),
          ...(textToId.has(String(p.text)) ? { broadcastId: textToId.get(String(p.text)) } : {}),
          payload: p,
          answer: answer.kind,
          delivered: answer.delivered,
          ...(answer.retryAfter !== undefined ? { retryAfterMs: answer.retryAfter * 1000 } : {}),
        };
        history.requests.push(r);
        return r;
      }, 'sendMessage');
      // The answer's way back: a timeout is the client's deadline.
      await sleep(request.answer === 'timeout' ? TIMEOUT_MS : 20 + Math.floor(latency() * 80));
      if (actor?.crashed) throw new Error('crashed while waiting');
      request.answeredAt = clock;
      if (request.answer === 'ok') {
        return {
          message_id: request.n,
          date: Math.floor(clock / 1000),
          chat: { id: request.chatId, type: 'private' },
          text: p.text,
        } as never;
      }
      throw errorOf(request.answer, (request.retryAfterMs ?? 1000) / 1000);
    },
    getMe: notHere('getMe'),
    getChatMember: notHere('getChatMember'),
    sendMessage: notHere('sendMessage'),
    setWebhook: notHere('setWebhook'),
    deleteWebhook: notHere('deleteWebhook'),
    getWebhookInfo: notHere('getWebhookInfo'),
    getUpdates: notHere('getUpdates'),
  } as BotApi;

  // --- actors ---------------------------------------------------------------------------
  const running = new Set<Promise<unknown>>();
  /** Where a stall hurts most: after a claim, after the eligibility read, after a request. */
  function stallRate(call: ScheduledCall): number {
    if (call.command === 'sendMessage') return 0.03;
    const text = JSON.stringify(call.input ?? {});
    if (call.command === 'UpdateItemCommand' && text.includes('":queued"')) return 0.02;
    if (call.command === 'QueryCommand' && text.includes('PROFILE')) return 0.02;
    return 0.002;
  }

  function start<T>(
    name: string,
    fn: () => Promise<T>,
    how: { sender?: string; crashable?: boolean } = {},
  ): Promise<T | undefined> {
    const { sender } = how;
    const rec: ActorRecord = { name, crashed: false, ...(sender ? { sender } : {}) };
    const crashRate = sender ? options.crashRate : how.crashable ? 0.15 : 0;
    const actor: SimActor = {
      name,
      calls: 0,
      crashed: false,
      record: rec,
      ...(faults && crashRate > 0 && random() < crashRate
        ? { crashAfter: 1 + Math.floor(random() ** 2 * (sender ? 80 : 12)) }
        : {}),
      afterCall: async (call) => {
        // A store call takes a few ms, now and then a hundred.
        const ms =
          latency() < 0.05 ? 40 + Math.floor(latency() * 80) : 2 + Math.floor(latency() * 10);
        if (call.command !== 'sendMessage') await wait(ms);
        if (sender && faults && rec.stalledAt === undefined && random() < stallRate(call)) {
          rec.stalledAt = clock;
          stalls++;
          const until = clock + STALL_MS + Math.floor(random() * 40_000);
          frozenUntil.set(actor, until);
          options.debug?.(
            `stall ${name} after ${call.command} at ${clock - START} until ${until - START}`,
          );
        }
        await thaw();
      },
    };
    const done = scheduler.run(actor, fn).then(
      (value) => value,
      (err: unknown) => {
        if (!actor.crashed) {
          history.invariants.push(
            `${name} failed: ${err instanceof Error ? err.stack : String(err)}`,
          );
        }
        return undefined;
      },
    );
    const tracked = done.finally(() => {
      running.delete(tracked);
      if (actor.crashed) {
        rec.crashed = true;
        crashes++;
      }
    });
    running.add(tracked);
    return tracked;
  }

  // --- the world ------------------------------------------------------------------------
  // Everyone wrote to the bot privately an hour before; two only in a group.
  for (const u of PRIVATE_USERS) {
    await record(store, privateMessage(person(u), START / 1000 - 3600), START / 1000 - 3600);
  }
  for (const u of GROUP_USERS) {
    await record(
      store,
      groupMessage(person(u), { chatId: GROUP_CHAT, date: START / 1000 - 3600 }),
      START / 1000 - 3600,
    );
  }

  /** An update recorded as the webhook does, retried until acknowledged. */
  async function deliverUpdate(name: string, update: unknown, date: number, op: UserOp) {
    for (;;) {
      const ok = await start(
        name,
        async () => {
          await record(ctx, update, date);
          return true;
        },
        { crashable: true },
      );
      if (ok) {
        op.ackSeq = ++seq;
        return;
      }
      await sleep(500 + Math.floor(world() * 3000));
    }
  }

  async function userLife(u: number) {
    const acts: UserOp['kind'][] = [];
    const r = world();
    if (r < 0.2) acts.push('stop');
    else if (r < 0.3) acts.push('stop', 'start');
    else if (r < 0.35) acts.push('start');
    if (world() < 0.15) acts.push('block');
    // Erased at any step of the broadcasts, and often back soon after (a new /start), while
    // broadcasts created before the erasure are still being sent.
    if (world() < 0.25) {
      acts.push('erase');
      if (world() < 0.6) acts.push('start');
    }
    if (acts.length === 0) return;
    await sleep(Math.floor(world() * WORLD_MS));
    for (const kind of acts) {
      const op: UserOp = { userId: u, kind, startSeq: ++seq };
      history.ops.push(op);
      const date = Math.floor(clock / 1000);
      if (kind === 'start' && history.ops.some((o) => o.userId === u && o.kind === 'erase')) {
        // Back after her erasure: she unblocked the bot to write to it.
        blockedAt.delete(u);
      }
      if (kind === 'stop' || kind === 'start') {
        await deliverUpdate(`${kind} ${u}`, privateMessage(person(u), date, `/${kind}`), date, op);
      } else if (kind === 'block') {
        op.blockedAt = clock;
        blockedAt.set(u, clock);
        // The my_chat_member update comes a little later, or never (lost).
        if (world() < 0.7) {
          await sleep(Math.floor(world() * 3000));
          await deliverUpdate(`block ${u}`, privateBotStatus(person(u), 'kicked', date), date, op);
        }
      } else {
        for (;;) {
          const ok = await start(
            `erase ${u}`,
            async () => {
              await eraseUser(ctx, u, Math.floor(clock / 1000) + 1);
              return true;
            },
            { crashable: true },
          );
          if (ok) break;
          await sleep(1000);
        }
        op.ackSeq = ++seq;
      }
      // Two seconds at least between a user's acts (dates are in seconds).
      await sleep(2000 + Math.floor(world() * 8000));
    }
  }

  let creating = 0;
  let bcNo = 0;
  async function createOne() {
    await sleep(Math.floor(world() * WORLD_MS * 0.5));
    creating++;
    // Small audiences too (one chat in several broadcasts within a second, across senders).
    const share = world() < 0.3 ? 0.08 : 0.6;
    const named = [...PRIVATE_USERS, ...GROUP_USERS, NEVER_SEEN].filter(() => world() < share);
    const text = `Sale ${seed}-${++bcNo}`;
    const id = await start(`create ${text}`, async () => {
      // As the create service: its time taken first, the audience resolved after it.
      const createdSeq = ++seq;
      const createdAt = clock;
      const { recipients } = await resolveAudience(ctx, { userIds: named });
      const id = newBroadcastId();
      textToId.set(text, id);
      await writeRecipients(ctx, id, recipients, expiryOf(createdAt), createdAt);
      history.broadcasts.push({ id, text, recipients, createdAt, createdSeq });
      await putBroadcast(ctx, {
        id,
        status: recipients.length === 0 ? 'done' : 'queued',
        total: recipients.length,
        message: { text, parseMode: null, disableNotification: world() < 0.5, buttons: [] },
        audience: { kind: 'users', count: named.length },
        keyId: 'sim',
        createdAt,
        ...(recipients.length === 0
          ? {
              finishedAt: clock,
              counts: { sent: 0, failed: 0, blocked: 0, skipped: 0, unknown: 0 },
            }
          : {}),
      });
      for (const g of GROUP_USERS) {
        if (recipients.includes(g)) history.invariants.push(`${id}: ${g} has no private chat`);
      }
      return id;
    });
    creating--;
    // Now and then an admin cancels it a little later.
    if (id && world() < 0.3) {
      await sleep(Math.floor(world() * 12_000));
      await start(`cancel ${id}`, () => cancelBroadcast(ctx, id, clock));
    }
  }

  /** A dispatcher container: invokes its sender for a slice at a time; crashed, a new one. */
  let drained = false;
  async function container(c: number) {
    let generation = 0;
    const newSender = () =>
      createBroadcastSender({
        store: ctx,
        botApi,
        rate: history.rate,
        concurrency: 1 + Math.floor(random() * 8),
        now: () => clock,
        sleep,
        eligibility: async (context, userId) => {
          const actor = recordOf(scheduler.current()) as ActorRecord;
          const at = ++seq;
          const result = await readEligibility(context, userId);
          history.reads.push({ actor, userId, seq: at, result });
          return result;
        },
        owner: `c${c}.${generation}`,
        ...(options.debug
          ? {
              log: (m: string, f: Record<string, unknown>) =>
                options.debug?.(`${clock - START} c${c}: ${m} ${JSON.stringify(f)}`),
            }
          : {}),
      });
    let sender = newSender();
    await sleep(Math.floor(random() * 2000));
    for (let k = 0; clock < START + LIMIT_MS; k++) {
      const budget = pick(random, [1000, 1000, 3000, 10_000, 45_000]);
      invocations++;
      // Drained only by what a run listed once everything was created: a run that stalled
      // from before a creation may end with its empty list long after.
      const quietAtStart = !faults && creating === 0;
      let crashed = false;
      const run = await start(`${sender.owner}#${k}`, () => sender.run(budget), {
        sender: sender.owner,
      }).then((value) => {
        if (value === undefined) crashed = true;
        return value;
      });
      if (crashed) {
        generation++;
        sender = newSender();
      }
      if (quietAtStart && run && !run.busy && run.pending === 0 && creating === 0) {
        drained = true;
        return;
      }
      if (drained && !faults) return;
      await sleep(Math.floor(random() * 1500));
    }
    history.invariants.push(`container ${c}: not drained after ${LIMIT_MS / 60_000} min`);
  }

  // --- run ------------------------------------------------------------------------------
  const lives: Promise<unknown>[] = [];
  const count = 3 + Math.floor(random() * (options.broadcasts - 2));
  for (let i = 0; i < count; i++) lives.push(createOne());
  for (const u of PRIVATE_USERS) lives.push(userLife(u));
  const containers = 2 + Math.floor(random() * 2);
  for (let c = 0; c < containers; c++) lives.push(container(c));
  void wait(FAULTS_MS).then(() => {
    faults = false;
  });
  let finished = false;
  const all = Promise.all(lives).then(() => {
    finished = true;
  });
  try {
    for (;;) {
      await scheduler.driveUntilIdle(random);
      if (finished) break;
      if (timers.length === 0) {
        history.invariants.push(
          `deadlock at ${clock - START} ms: ${running.size} actors wait on nothing`,
        );
        break;
      }
      timers.sort((a, b) => a.at - b.at || a.n - b.n);
      clock = Math.max(clock, (timers[0] as (typeof timers)[number]).at);
      const due = timers.filter((t) => t.at <= clock);
      timers.splice(0, due.length);
      for (const t of due) t.resolve();
    }
    if (finished) await all;
    // Stalled invocations still frozen finish now (nothing they do may break the model).
    while (running.size > 0 && timers.length > 0) {
      timers.sort((a, b) => a.at - b.at || a.n - b.n);
      clock = Math.max(clock, (timers[0] as (typeof timers)[number]).at);
      const due = timers.filter((t) => t.at <= clock);
      timers.splice(0, due.length);
      for (const t of due) t.resolve();
      await scheduler.driveUntilIdle(random);
    }
    history.table = await snapshot(
      store,
      history.broadcasts.map((b) => b.id),
    );
    history.invariants.push(...(await erasedTraces(store, history)));
    const { failures, stats } = checkBroadcastHistory(history);
    if (options.debug && failures.length > 0) dump(options.debug);
    return {
      seed,
      rate: history.rate,
      invocations,
      crashes,
      stalls,
      storeCalls: scheduler.calls,
      seconds: Math.round((clock - START) / 1000),
      ...stats,
      failures: failures.map((f) => `seed ${seed}: ${f}`),
    };
  } finally {
    scheduler.client.destroy();
  }

  function dump(debug: (line: string) => void) {
    for (const op of history.ops) debug(`op ${JSON.stringify(op)}`);
    for (const b of history.broadcasts) debug(`broadcast ${JSON.stringify(b)}`);
    for (const r of history.requests) {
      debug(
        `request ${r.n} seq=${r.seq} t=${r.at - START} ${r.actor.name}${r.stale ? ' stale' : ''}${r.actor.crashed ? ' crashed' : ''} ${r.broadcastId} -> ${r.chatId} ${r.answer}${r.delivered ? ' delivered' : ''}`,
      );
    }
    for (const w of history.writes) {
      debug(
        `write seq=${w.seq} t=${w.at - START} ${w.actor?.name} ${w.kind} ${w.broadcastId} ${w.userId ?? ''} ${w.state ?? ''}`,
      );
    }
  }
}

/**
 * Once quiet, the whole table holds nothing of an erased person but her tombstone
 * (erasure-scan.ts): no recipient, no sender lease entry, nothing of her profile. One who came
 * back holds her new life only: her own partition, and recipients of broadcasts created after
 * her erasure was done.
 */
async function erasedTraces(store: TestStore, h: BroadcastHistory): Promise<string[]> {
  const problems: string[] = [];
  const erased = [...new Set(h.ops.filter((o) => o.kind === 'erase').map((o) => o.userId))];
  for (const u of erased) {
    const erasures = h.ops.filter((o) => o.userId === u && o.kind === 'erase');
    const done = Math.max(...erasures.map((o) => o.ackSeq ?? Number.POSITIVE_INFINITY));
    const back = h.ops.some((o) => o.userId === u && o.kind === 'start' && o.startSeq > done);
    const later = new Set(
      h.broadcasts.filter((b) => b.createdSeq > done).map((b) => `BROADCAST#${b.id}`),
    );
    for (const t of await tracesOf(store, { id: u, names: [`P${u}`] })) {
      if (back && (t.pk === `USER#${u}` || (later.has(t.pk) && t.sk === `R#${u}`))) continue;
      problems.push(`erased ${u} still in ${t.pk} ${t.sk} ${t.path} (${t.what})`);
    }
  }
  return problems;
}

/** The broadcasts and their recipients as stored, and whether each is still listed. */
async function snapshot(store: TestStore, ids: string[]) {
  const { Items = [] } = await store.client.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: GSI1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': PENDING_BROADCASTS_PK },
    }),
  );
  const listed = new Set(Items.map((item) => String(item.id)));
  const table = [];
  for (const id of ids) {
    const b = await getBroadcast(store, id, true);
    const recipients = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await readRecipients(store, id, {
        limit: 500,
        ...(startKey ? { startKey } : {}),
      });
      recipients.push(...page.recipients.map((r) => ({ userId: r.userId, state: r.state })));
      startKey = page.lastKey;
    } while (startKey);
    table.push({
      id,
      status: b?.status ?? 'missing',
      ...(b?.counts ? { counts: { ...b.counts } } : {}),
      ...(b?.startedAt !== undefined ? { startedAt: b.startedAt } : {}),
      ...(b?.finishedAt !== undefined ? { finishedAt: b.finishedAt } : {}),
      recipients,
      listed: listed.has(id),
    });
  }
  return table;
}
