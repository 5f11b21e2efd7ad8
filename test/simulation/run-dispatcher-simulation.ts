/**
 * One seeded run of the dispatcher's simulation: the real dispatcher (lib/events/dispatcher.ts,
 * lib/events/store/deliveries.ts) over the embedded store, posting with the real send-webhook.ts to a
 * receiver on 127.0.0.1 that fails a seeded share of requests (5xx, no answer before the
 * sender's deadline, a reset connection, now and then a 410, sometimes an outage of hours).
 *
 * Each round the clock moves on (seconds, minutes, now and then hours: up to about 30 h), new
 * outbox events are written with the recorder's own write (outbox.ts `outboxUpdate`, the floor
 * condition record-plan.ts adds, and the recorder's settling of an event older than its
 * owner's erasure) and some are written again (a redelivered update), users are
 * erased (erasure.ts), stopped subscriptions are re-enabled as the PATCH route does, and
 * dispatchers run at once: stream invocations (`dispatchEvents` of the keys new in the outbox,
 * retried when one fails, sometimes delivered twice, sometimes lost to the dead-letter queue)
 * and schedule invocations (`sweep`). Every store call and every POST goes through the seeded
 * scheduler (store-scheduler.ts), and an invocation may crash after any of them. Then the
 * faults stop, everything is swept to the end, and dispatcher-model.ts judges the history.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { eraseUser } from '../../lib/directory/erasure/erasure.ts';
import { actorRef } from '../../lib/directory/record/event-plan.ts';
import { readOwnerFloor } from '../../lib/directory/record/owner-floor.ts';
import { FLOOR } from '../../lib/directory/record/registers.ts';
import { settleItem } from '../../lib/directory/record/settle.ts';
import { createDispatcher } from '../../lib/events/dispatcher.ts';
import type { EventType } from '../../lib/events/event-types.ts';
import { sendWebhook } from '../../lib/events/send-webhook.ts';
import { resumeDeliveries } from '../../lib/events/store/deliveries.ts';
import { eventIdOf, type OutboxEvent, outboxUpdate } from '../../lib/events/store/outbox.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  updateSubscription,
} from '../../lib/events/store/subscriptions.ts';
import { isConditionalCheckFailed } from '../../lib/store/dynamo-errors.ts';
import { type Key, monthOf } from '../../lib/store/keys.ts';
import { PENDING_EVENTS_PK } from '../../lib/store/service-keys.ts';
import { GSI1 } from '../../lib/store/table.ts';
import { tracesOf } from '../helpers/erasure-scan.ts';
import { seededRandom } from '../helpers/faults.ts';
import type { TestStore } from '../helpers/store.ts';
import { tableSnapshot } from '../helpers/webhook.ts';
import {
  type ActorRecord,
  checkDispatcherHistory,
  type DeletionRecord,
  type DispatcherHistory,
  type DispatcherStats,
  type PostRecord,
  type SimEventRecord,
  type SimSubscription,
} from './dispatcher-model.ts';
import { startSimReceiver } from './sim-receiver.ts';
import { type Actor, createStoreScheduler, type ScheduledCall } from './store-scheduler.ts';

/** 2026-03-31T20:00:00Z: runs cross a month boundary (floors are read by month). */
const START = 1774987200;
/** Ids of seven digits: the erasure scan (erasure-scan.ts) matches them and nothing else. */
const USERS = [3000001, 3000002, 3000003, 3000004] as const;
const CHATS = [-1007001, -1007002] as const;
/** Runs stop moving the clock by hours after this long. */
const SPAN_SECONDS = 30 * 3600;
/** The sender's deadline (5 s deployed): a receiver that does not answer is a timeout. */
const SEND_TIMEOUT_MS = 60;
const POST_HEADER = 'x-sim-post';
/** The history's record of a `contact.erased` outbox item (its data names the erased user). */
function erasedEventOf(item: Record<string, unknown>): SimEventRecord {
  return {
    eventId: String(item.eventId),
    type: 'contact.erased',
    at: Number(item.at),
    users: [],
    versions: [item.data as Record<string, unknown>],
    erasedUser: Number((item.data as { userId?: unknown } | undefined)?.userId),
  };
}

/**
 * Probability that an invocation stalls after a call: most often where others acting meanwhile
 * matters (after it read a subscription's status, above all a stopped one's, claimed a delivery
 * or sent it).
 */
function stallRate(call: ScheduledCall, stopped: Set<string>): number {
  if (call.command === 'POST') return 0.04;
  const text = JSON.stringify(call.input ?? {});
  if (/"SUBS"|"sk":"SUB"/.test(text) && /Get|Query/.test(call.command)) {
    return [...stopped].some((id) => text.includes(`SUB#${id}`)) ? 0.3 : 0.06;
  }
  if (
    call.command === 'UpdateItemCommand' &&
    /"ReturnValues":"ALL_NEW"/.test(text) &&
    text.includes('DELIVERY#')
  ) {
    return 0.03;
  }
  return 0.003;
}

const SUBSCRIPTIONS: Omit<SimSubscription, 'id' | 'path' | 'secret'>[] = [
  { events: ['*'], includePhone: true },
  { events: ['member.joined', 'member.left', 'contact.erased'], includePhone: false },
  {
    events: ['contact.created', 'contact.phone_verified', 'contact.shared', 'chat.created'],
    includePhone: false,
  },
];

/** What the erasure scan looks for of a simulated user. */
const personOf = (user: number) => ({ id: user, names: [`User${user}`], phones: [`+1555${user}`] });

export interface DispatcherSimOptions {
  rounds: number;
  /** Share of requests the receiver fails (5xx, timeouts, resets). */
  failRate: number;
  /** Probability that an invocation (dispatcher, erasure, re-enable) crashes. */
  crashRate: number;
  /** Receives a line per round, and the history on failure. */
  debug?: (line: string) => void;
}

export interface DispatcherSimReport extends DispatcherStats {
  seed: number;
  rounds: number;
  /** Simulated hours from the first round to the end of the drain. */
  hours: number;
  crashes: number;
  /** Invocations that stalled after a call for a round or more. */
  stalls: number;
  storeCalls: number;
  failures: string[];
}

export async function runDispatcherSimulation(
  base: TestStore,
  seed: number,
  options: DispatcherSimOptions,
): Promise<DispatcherSimReport> {
  const random = seededRandom(seed);
  const receiverRandom = seededRandom(seed ^ 0x5eed);
  const jitter = seededRandom(seed ^ 0x1177);
  const store = await base.freshTable();
  const scheduler = createStoreScheduler(store.endpoint);
  const ctx = { ...store, client: scheduler.client };
  const receiver = await startSimReceiver();
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;

  let now = START;
  let rounds = 0;
  /** Stalled invocations, and the round they go on in. */
  const sleepers: { wake: number; resolve: () => void }[] = [];
  let seq = 0;
  let faults = true;
  let crashes = 0;
  let stalls = 0;
  let posts = 0;
  const history: DispatcherHistory = {
    events: new Map(),
    subscriptions: [],
    posts: [],
    requests: [],
    erasures: [],
    stops: [],
    deletions: [],
    invariants: [],
    table: [],
  };

  // Subscriptions: the one with phone numbers and every event, and up to two narrower ones.
  const count = 1 + Math.floor(random() * SUBSCRIPTIONS.length);
  for (const [i, config] of SUBSCRIPTIONS.slice(0, count).entries()) {
    const path = `/hooks/${i}`;
    const created = await createSubscription(
      store,
      { url: `${receiver.url}${path}`, description: `sim ${i}`, ...config },
      () => (now + i) * 1000,
    );
    history.subscriptions.push({ ...config, id: created.id, path, secret: created.secret });
  }
  // Now and then one receiver is down for hours (long enough, its subscription goes failing).
  const outage =
    random() < 0.4
      ? {
          path: pick(history.subscriptions).path,
          from: START + Math.floor(random() * 4 * 3600),
          hours: 6 + Math.floor(random() * 21),
        }
      : undefined;

  receiver.decide = (request) => {
    if (!faults) return 200;
    const r = receiverRandom();
    if (outage && request.path === outage.path) {
      if (now >= outage.from && now < outage.from + outage.hours * 3600) {
        return r < 0.5 ? 503 : r < 0.75 ? 'timeout' : 'reset';
      }
    }
    if (r < 0.025) return 410;
    if (r >= options.failRate) return 200 + Math.floor(receiverRandom() * 3) * 2; // 200, 202, 204
    const kind = receiverRandom();
    if (kind < 0.4) return pick([500, 502, 503, 429]);
    return kind < 0.7 ? 'timeout' : 'reset';
  };

  const dispatcher = createDispatcher({
    store: ctx,
    now: () => now * 1000,
    random: jitter,
    post: async (request) => {
      const actor = scheduler.current() as (Actor & { record: ActorRecord }) | undefined;
      const n = ++posts;
      const webhookId = request.headers['webhook-id'] ?? '';
      const subscription = history.subscriptions.find((s) => request.url.endsWith(s.path));
      return scheduler.step(async () => {
        const post: PostRecord = {
          n,
          seq: ++seq,
          clock: now,
          actor: actor?.record,
          // This very call (an actor's calls count up once each is done).
          callIndex: (actor?.calls ?? 0) + 1,
          staleLease: (actor?.record.stalls ?? 0) > 0,
          eventId: webhookId,
          subscriptionId: subscription?.id ?? '?',
        };
        history.posts.push(post);
        if (actor) actor.record.lastPost = post;
        const result = await sendWebhook({
          ...request,
          headers: { ...request.headers, [POST_HEADER]: String(n) },
          allowLoopback: true,
          timeoutMs: SEND_TIMEOUT_MS,
        });
        post.result = result;
        return result;
      }, 'POST');
    },
  });

  // --- the world's writers ---------------------------------------------------------------
  let eventNo = 0;
  const written: OutboxEvent[] = [];
  /** Events of erased users that a late redelivery may write again. */
  const late: OutboxEvent[] = [];

  function drawEvent(): OutboxEvent {
    const user = pick(USERS);
    const chat = pick(CHATS);
    // Mostly just now; now and then a late report of something hours old (a redelivery).
    const at =
      now - (random() < 0.1 ? Math.floor(random() * 20 * 3600) : Math.floor(random() * 30));
    const eventId = eventIdOf('sim', seed, eventNo++);
    const contact = { id: user, isBot: false, firstName: `User${user}` };
    const phone = `+1555${user}${String(eventNo % 100).padStart(2, '0')}`;
    const r = random();
    const base = { eventId, at };
    if (r < 0.3) {
      const kind = pick(['join', 'leave', 'remove', 'change'] as const);
      const type: EventType =
        kind === 'join' ? 'member.joined' : kind === 'change' ? 'member.updated' : 'member.left';
      // Half of the changes are an admin's (another user): their erasure nulls the actor.
      const actor = random() < 0.5 ? pick(USERS.filter((u) => u !== user)) : user;
      return {
        ...base,
        type,
        userId: user,
        data: {
          chatId: chat,
          userId: user,
          kind,
          actorId: actor,
          user: contact,
          viaJoinRequest: false,
        },
        ...actorRef(user, actor),
        authoritative: random() < 0.5,
      };
    }
    if (r < 0.45) return { ...base, type: 'contact.created', userId: user, data: { contact } };
    if (r < 0.6) {
      return {
        ...base,
        type: 'contact.phone_verified',
        userId: user,
        data: { contact: { ...contact, phoneNumber: phone } },
      };
    }
    if (r < 0.72) {
      const other = pick(USERS.filter((u) => u !== user));
      return {
        ...base,
        type: 'contact.shared',
        userId: user,
        otherUserIds: [other],
        ref: { user: other },
        data: {
          sharedContact: {
            ownerId: user,
            userId: other,
            phoneNumber: `+1555${other}01`,
            firstName: `User${other}`,
          },
          owner: contact,
        },
      };
    }
    if (r < 0.8)
      return { ...base, type: 'chat.created', chatId: chat, data: { chat: { id: chat } } };
    if (r < 0.9) return { ...base, type: 'bot.blocked', userId: user, data: { contact } };
    const sub = pick(history.subscriptions);
    return { ...base, type: 'ping', subscriptionId: sub.id, data: { subscriptionId: sub.id } };
  }

  /**
   * The recorder's write of an outbox event (record-plan.ts): true when it landed. The floor
   * condition holds only while the item is there; the erasure deletes it, so, as the recorder
   * does when the user's gate month refuses an update (recorder.ts `checkOwner`), the owner's
   * floor is read afterwards and an event dated before it is settled away again. Without that
   * step a redelivery could recreate the event after a dispatcher dropped it and before that
   * dispatcher marked it fanned out, which would then mark the new copy and strand it.
   */
  async function writeEvent(event: OutboxEvent): Promise<boolean> {
    const update = outboxUpdate(event);
    if (event.userId !== undefined) {
      update.when(`attribute_not_exists(#{${FLOOR}}) OR #{${FLOOR}} <= :f`, { ':f': event.at });
    }
    try {
      await ctx.client.send(new UpdateCommand(update.toInput(ctx.tableName)));
    } catch (err: unknown) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
    if (event.userId === undefined) return true;
    const months = [monthOf(event.at), monthOf(now)];
    const floor = await readOwnerFloor(ctx, event.userId, months);
    if (floor === undefined || event.at >= floor) return true;
    await settleItem(ctx, update.key, floor);
    return false;
  }

  function remember(event: OutboxEvent) {
    const known = history.events.get(event.eventId);
    const record: SimEventRecord = known ?? {
      eventId: event.eventId,
      type: event.type,
      at: event.at,
      users: [...(event.userId !== undefined ? [event.userId] : []), ...(event.otherUserIds ?? [])],
      ...(event.subscriptionId ? { subscriptionId: event.subscriptionId } : {}),
      ...(event.ref && 'actor' in event.ref ? { actor: event.ref.actor } : {}),
      versions: [],
    };
    record.versions.push(event.data);
    history.events.set(event.eventId, record);
  }

  // --- the stream (new pending outbox items) -----------------------------------------------
  let pendingBefore = new Set<string>();
  const stream: Key[][] = [];

  async function pendingOutbox(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await store.client.send(
        new QueryCommand({
          TableName: store.tableName,
          IndexName: GSI1.name,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': PENDING_EVENTS_PK },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Items new on the pending list since the last look: the stream's INSERT records. */
  async function streamRecords() {
    const items = await pendingOutbox();
    const keys: Key[] = [];
    for (const item of items) {
      const id = `${item.pk}|${item.sk}`;
      if (!pendingBefore.has(id)) keys.push({ pk: String(item.pk), sk: String(item.sk) });
      if (item.type === 'contact.erased' && !history.events.has(String(item.eventId))) {
        history.events.set(String(item.eventId), erasedEventOf(item));
      }
    }
    pendingBefore = new Set(items.map((item) => `${item.pk}|${item.sk}`));
    for (let i = 0; i < keys.length; i += 3) stream.push(keys.slice(i, i + 3));
  }

  // --- actors ------------------------------------------------------------------------------
  const actors: { record: ActorRecord; done: Promise<unknown> }[] = [];
  function start(name: string, fn: () => Promise<unknown>, crashable = true) {
    const record: ActorRecord = { name, startSeq: ++seq, crashed: false };
    const actor: Actor & { record: ActorRecord } = {
      name,
      calls: 0,
      crashed: false,
      record,
      ...(crashable && faults && random() < options.crashRate
        ? { crashAfter: 1 + Math.floor(random() ** 2 * 30) }
        : {}),
      // Now and then it stalls after a call (a pause, a slow network) for a round or three:
      // leases run out, others act on what it read.
      ...(crashable
        ? {
            afterCall: async (call: ScheduledCall) => {
              if (!faults || record.paused || random() >= stallRate(call, stoppedNow)) return;
              record.stalls = (record.stalls ?? 0) + 1;
              stalls++;
              options.debug?.(
                `stall ${name} after ${call.command} ${JSON.stringify(call.input ?? {}).slice(0, 90)} in round ${rounds}`,
              );
              if (record.lastPost && record.lastPost.callIndex === actor.calls) {
                record.lastPost.stalled = true;
              }
              record.paused = true;
              const wake = rounds + 1 + Math.floor(random() * 3);
              await scheduler.pause(
                new Promise<void>((resolve) => sleepers.push({ wake, resolve })),
              );
              record.paused = false;
            },
          }
        : {}),
    };
    const done = scheduler
      .run(actor, fn)
      .then(
        () => true,
        () => false,
      )
      .then((ok) => {
        if (actor.crashed) {
          record.crashed = true;
          record.crashCall = actor.calls;
          crashes++;
        }
        record.endSeq = ++seq;
        return ok;
      });
    actors.push({ record, done });
    return done;
  }

  const erasing = new Set<number>();
  const reenabling = new Set<string>();
  const running = new Set<string>();
  const deleted = new Set<string>();
  /** Subscriptions seen stopped at the end of the last round. */
  const stoppedNow = new Set<string>();

  /**
   * An active subscription keeps nothing parked once every re-enable of it is done (a re-enable
   * resumes what was parked before it; a dispatcher that parks later sees it active).
   */
  async function checkParked() {
    // A stalled dispatcher may be between parking and looking again: judged when none is.
    if (actors.some((a) => a.record.paused)) return;
    for (const sub of history.subscriptions) {
      if (deleted.has(sub.id) || reenabling.has(sub.id)) continue;
      const current = await getSubscription(store, sub.id, { consistent: true });
      if (current?.status !== 'active') continue;
      const { Items = [] } = await store.client.send(
        new QueryCommand({
          TableName: store.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)',
          FilterExpression: '#s = :parked',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':pk': `SUB#${sub.id}`,
            ':d': 'DELIVERY#',
            ':parked': 'parked',
          },
          ConsistentRead: true,
        }),
      );
      for (const item of Items) {
        history.invariants.push(
          `round ${rounds}: ${String(item.sk)} parked under ${sub.path}, active since its re-enable`,
        );
      }
    }
  }

  async function observeSubscriptions() {
    for (const sub of history.subscriptions) {
      if (deleted.has(sub.id)) continue;
      const now = await getSubscription(store, sub.id, { consistent: true });
      if (now?.status === 'active') stoppedNow.delete(sub.id);
      if (!now || now.status === 'active') continue;
      stoppedNow.add(sub.id);
      const at = Date.parse(now.updatedAt) / 1000;
      const last = history.stops.filter((s) => s.subscriptionId === sub.id).at(-1);
      if (!last || last.at !== at || last.status !== now.status) {
        history.stops.push({
          subscriptionId: sub.id,
          status: now.status,
          at,
          reason: now.statusReason,
        });
      }
    }
  }

  async function round() {
    const events = faults ? Math.floor(random() * 3) : 0;
    for (let i = 0; i < events; i++) {
      const event = drawEvent();
      written.push(event);
      start(
        `write ${event.eventId}`,
        async () => {
          if (await writeEvent(event)) remember(event);
        },
        false,
      );
    }
    // A redelivered update writes its events again (a chat_member update may rewrite data).
    const lateOne = faults && late.length > 0 && random() < 0.5;
    if (faults && (lateOne || (written.length > 0 && random() < 0.3))) {
      const again = lateOne
        ? (late.splice(Math.floor(random() * late.length), 1)[0] as OutboxEvent)
        : pick(written.slice(-8));
      const rewrite: OutboxEvent = again.authoritative
        ? { ...again, data: { ...again.data, inviteLink: `https://t.me/+v${eventNo}` } }
        : again;
      start(
        `rewrite ${again.eventId}`,
        async () => {
          if (await writeEvent(rewrite)) remember(rewrite);
        },
        false,
      );
    }
    if (faults && random() < 0.08) erasing.add(pick(USERS));
    for (const user of erasing) {
      const erasure = {
        user,
        floor: now + 1,
        startSeq: seq + 1,
        at: now,
      } as DispatcherHistory['erasures'][number];
      history.erasures.push(erasure);
      void start(`erase ${user}`, () => eraseUser(ctx, user, now)).then((ok) => {
        if (ok) {
          erasure.doneSeq = seq;
          // Telegram may still redeliver an update of theirs from before (for a day): its
          // events are written again, into the partition the erasure just settled.
          late.push(...written.filter((e) => e.userId === user && e.at < erasure.floor).slice(-3));
          erasing.delete(user);
        }
      });
    }
    // An admin re-enables a stopped subscription (PATCH: the status, then the resume), and
    // asks again until it succeeds (a crash is a 5xx to them).
    for (const sub of history.subscriptions) {
      if (deleted.has(sub.id) || reenabling.has(sub.id)) continue;
      if (!history.stops.some((s) => s.subscriptionId === sub.id)) continue;
      const current = await getSubscription(store, sub.id, { consistent: true });
      if (current?.status !== 'active' && (!faults || random() < 0.5)) reenabling.add(sub.id);
    }
    for (const id of reenabling) {
      if (running.has(id)) continue;
      running.add(id);
      const sub = history.subscriptions.find((s) => s.id === id) as SimSubscription;
      void start(`re-enable ${sub.path}`, async () => {
        await updateSubscription(ctx, id, { status: 'active' }, () => now * 1000);
        const resumed = await resumeDeliveries(ctx, id, now);
        options.debug?.(`re-enabled ${sub.path} in round ${rounds}: ${resumed} resumed`);
      }).then((ok) => {
        running.delete(id);
        if (ok) reenabling.delete(id);
      });
    }
    // Now and then an admin deletes a subscription (not the one taking every event).
    const deletable = history.subscriptions.slice(1).filter((s) => !deleted.has(s.id));
    if (faults && deletable.length > 0 && random() < 0.008) {
      const sub = pick(deletable);
      const deletion = { subscriptionId: sub.id, startSeq: seq + 1 } as DeletionRecord;
      history.deletions.push(deletion);
      deleted.add(sub.id);
      reenabling.delete(sub.id);
      void start(`delete ${sub.path}`, () => deleteSubscription(ctx, sub.id), false).then(() => {
        deletion.doneSeq = seq;
      });
    }
    // Stream invocations: a batch each; a failed one is retried, or lost (its dead letters).
    const batches = stream.splice(0, faults ? 1 + Math.floor(random() * 2) : stream.length);
    for (const batch of batches) {
      const copies = faults && random() < 0.1 ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        void start(`stream ${batch.map((k) => k.sk.slice(7, 15)).join(',')}`, () =>
          dispatcher.dispatchEvents(batch),
        ).then((ok) => {
          if (!ok && c === 0 && (!faults || random() < 0.8)) stream.push(batch);
        });
      }
    }
    const sweeps = !faults ? 1 : random() < 0.15 ? 2 : random() < 0.5 ? 1 : 0;
    for (let i = 0; i < sweeps; i++) void start('sweep', () => dispatcher.sweep());
    for (const sleeper of sleepers.filter((s) => s.wake <= rounds || !faults)) {
      sleepers.splice(sleepers.indexOf(sleeper), 1);
      sleeper.resolve();
    }
    await scheduler.drive(random);
    const finished = actors.filter((a) => !a.record.paused);
    await Promise.all(finished.map((a) => a.done));
    for (const a of finished) actors.splice(actors.indexOf(a), 1);
    await streamRecords();
    await observeSubscriptions();
    await checkParked();
  }

  try {
    for (; rounds < options.rounds; rounds++) {
      const r = random();
      const late = now - START >= SPAN_SECONDS;
      now +=
        r < 0.6 || late
          ? 1 + Math.floor(random() * 30)
          : r < 0.92
            ? 60 + Math.floor(random() * 900)
            : 3600 + Math.floor(random() * 5 * 3600);
      await round();
      options.debug?.(
        `round ${rounds} now=${now} calls=${scheduler.calls} posts=${posts} events=${history.events.size} requests=${receiver.requests.length} erasing=${[...erasing]}`,
      );
    }
    // Drain: no more faults; every stopped subscription is re-enabled; the clock follows what
    // is due (and passes the leases of crashed attempts).
    faults = false;
    await drain();
    await observeSubscriptions();
    history.table = await tableSnapshot(store);
    // The system is quiet: nothing of a person erased during the run, dated before their last
    // erasure, is left anywhere (what is newer is their life since).
    const scanFailures = await scanErased();

    // contact.erased events fanned out before the stream emulation saw them pending.
    for (const item of history.table) {
      if (item.type !== 'contact.erased' || history.events.has(String(item.eventId))) continue;
      history.events.set(String(item.eventId), erasedEventOf(item));
    }
    history.requests = receiver.requests.map((request) => {
      const n = Number(request.headers[POST_HEADER]);
      return { ...request, post: history.posts.find((p) => p.n === n) };
    });
    const { failures, stats } = checkDispatcherHistory(history);
    failures.push(...scanFailures);
    // Then everyone is erased, and once quiet again nothing of anyone is left.
    for (const user of USERS) erasing.add(user);
    await drain();
    for (const user of USERS) {
      for (const trace of await tracesOf(store, personOf(user))) {
        failures.push(`after erasing everyone: ${user} in ${JSON.stringify(trace)}`);
      }
    }
    if (options.debug && failures.length > 0) dump(options.debug);
    return {
      seed,
      rounds,
      hours: Math.round(((now - START) / 3600) * 10) / 10,
      crashes,
      stalls,
      storeCalls: scheduler.calls,
      ...stats,
      failures: failures.map((f) => `seed ${seed}: ${f}`),
    };
  } finally {
    scheduler.client.destroy();
    await receiver.close();
  }

  async function drain() {
    for (let i = 0; i < 400; i++) {
      await round();
      const pending = await pendingOutbox();
      const due = await nextDue();
      const busy = erasing.size > 0 || reenabling.size > 0 || actors.length > 0;
      if (pending.length === 0 && due === undefined && !busy) break;
      now = Math.max(now + 61, Math.min(due ?? now, now + 3600));
    }
  }

  /**
   * Traces (erasure-scan.ts) of each user erased during the run in items dated before their
   * last erasure's floor: an event by its date, a delivery or a log line by its event's.
   */
  async function scanErased(): Promise<string[]> {
    const found: string[] = [];
    const items = new Map(history.table.map((item) => [`${item.pk}|${item.sk}`, item]));
    for (const user of USERS) {
      const floors = history.erasures
        .filter((e) => e.user === user && e.doneSeq !== undefined)
        .map((e) => e.floor);
      if (floors.length === 0) continue;
      const floor = Math.max(...floors);
      for (const trace of await tracesOf(store, personOf(user))) {
        const item = items.get(`${trace.pk}|${trace.sk}`) ?? {};
        const event = history.events.get(String(item.eventId));
        const at = typeof item.at === 'number' ? item.at : event?.at;
        if (at === undefined || at < floor) {
          found.push(`erased ${user} (floor ${floor}) still in ${JSON.stringify(trace)}`);
        }
      }
    }
    return found;
  }

  async function nextDue(): Promise<number | undefined> {
    const { Items = [] } = await store.client.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DUE' },
        Limit: 1,
      }),
    );
    const first = Items[0];
    return first ? Number(String(first.gsi1sk).split('#')[0]) : undefined;
  }

  function dump(debug: (line: string) => void) {
    for (const sub of history.subscriptions) debug(`sub ${sub.id} ${sub.path} ${sub.events}`);
    if (outage) debug(`outage ${JSON.stringify(outage)}`);
    for (const e of history.erasures) debug(`erasure ${JSON.stringify(e)}`);
    for (const s of history.stops) debug(`stop ${JSON.stringify(s)}`);
    for (const e of history.events.values()) debug(`event ${JSON.stringify(e)}`);
    const postLine = (p: PostRecord | undefined) =>
      p
        ? `post ${p.n} seq=${p.seq} clock=${p.clock} by ${p.actor?.name} (start ${p.actor?.startSeq}${p.actor?.crashed ? `, crashed after call ${p.actor.crashCall}` : ''}) call ${p.callIndex} result=${JSON.stringify(p.result)}${p.stalled ? ' stalled' : ''}${p.staleLease ? ' stale-lease' : ''}`
        : 'no post';
    for (const r of history.requests) {
      debug(`request ${r.path} ${String(r.headers['webhook-id'])} ${r.answer} ${postLine(r.post)}`);
    }
    for (const p of history.posts) debug(postLine(p));
    for (const item of history.table) debug(JSON.stringify(item));
  }
}
