/**
 * Delivers a stream of updates the way Telegram does: several in flight, each one again
 * until it gets a 2xx. A non-2xx other than 5xx (or a thrown error other than a connection
 * failure) is a test failure, not something to retry.
 *
 * Order: Telegram redelivers an update until it is acknowledged and sends up to
 * `max_connections` at once. With `ordered: true` the driver keeps the order of updates that
 * touch a common user or chat (an update starts only when every earlier update sharing one of
 * its users or chats has been acknowledged), so last-writer-wins fields (names, status) end
 * as in a sequential run and the final state can be compared item by item. With
 * `ordered: false` any update may overtake any other; only order-independent state
 * (counters) is then comparable. A group migration moves the memberships of every member,
 * so in ordered mode it waits for all earlier updates and all later ones wait for it (an
 * erasure racing a migration can otherwise see the copy of its membership land after it:
 * see docs/reliability.md, limits).
 */
import { extractFacts } from '../../lib/telegram/update/read-update.ts';
import type { Update } from './stream.ts';

export type Post = (update: Update) => Promise<number>;

export interface DeliveryOptions {
  concurrency: number;
  ordered: boolean;
  /** Give up (and fail) after this many attempts of one update. */
  maxAttempts?: number;
  /** Wait before a redelivery, in ms (Telegram backs off; tests keep it short). */
  retryDelayMs?: number;
}

export interface DeliveryReport {
  updates: number;
  /** Requests made, redeliveries included. */
  deliveries: number;
  /** Answers by status code. */
  statuses: Record<number, number>;
  /** Most attempts one update needed. */
  maxAttempts: number;
  /** Milliseconds per request, in completion order. */
  latencies: number[];
  elapsedMs: number;
}

const EVERYTHING = '*';

/** The users and chats an update touches (its ordering keys). */
export function touchedKeys(update: Update): Set<string> {
  const facts = extractFacts(update, { receivedAt: 0, botId: 999 });
  const keys = new Set<string>();
  for (const person of facts.people) keys.add(`U${person.id}`);
  for (const chat of facts.chats) keys.add(`C${chat.id}`);
  for (const m of facts.memberships) keys.add(`U${m.userId}`).add(`C${m.chatId}`);
  for (const s of facts.sharedContacts) {
    keys.add(`U${s.ownerId}`);
    if (s.userId !== undefined) keys.add(`U${s.userId}`);
  }
  if (facts.message) keys.add(`C${facts.message.chatId}`);
  if (facts.botStatus) keys.add(`C${facts.botStatus.chatId}`);
  // A migration moves every member of the chat: it is ordered against everything.
  if (facts.migration) keys.add(EVERYTHING);
  return keys;
}

export async function deliverLikeTelegram(
  stream: readonly Update[],
  post: Post,
  options: DeliveryOptions,
): Promise<DeliveryReport> {
  const maxAttempts = options.maxAttempts ?? 500;
  const report: DeliveryReport = {
    updates: stream.length,
    deliveries: 0,
    statuses: {},
    maxAttempts: 0,
    latencies: [],
    elapsedMs: 0,
  };
  const started = performance.now();
  const keys = options.ordered ? stream.map(touchedKeys) : [];
  const done = new Array<boolean>(stream.length).fill(false);
  const running = new Set<number>();
  let next = 0;

  const deliver = async (index: number) => {
    const update = stream[index] as Update;
    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      const status = await post(update);
      report.latencies.push(performance.now() - t0);
      report.deliveries++;
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        report.maxAttempts = Math.max(report.maxAttempts, attempt);
        return;
      }
      if (status < 500) throw new Error(`update ${String(update.update_id)} answered ${status}`);
      if (attempt >= maxAttempts) {
        throw new Error(
          `update ${String(update.update_id)} not accepted after ${attempt} attempts`,
        );
      }
      if (options.retryDelayMs) await new Promise((r) => setTimeout(r, options.retryDelayMs));
    }
  };

  /** The earliest waiting update allowed to start now, or -1. */
  const startable = (): number => {
    if (!options.ordered) return next < stream.length ? next++ : -1;
    const blocked = new Set<string>();
    for (let i = 0; i < stream.length; i++) {
      if (done[i]) continue;
      const mine = keys[i] as Set<string>;
      const free =
        !running.has(i) &&
        !blocked.has(EVERYTHING) &&
        (mine.has(EVERYTHING) ? blocked.size === 0 : ![...mine].some((key) => blocked.has(key)));
      if (free) return i;
      for (const key of mine) blocked.add(key);
    }
    return -1;
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (running.size === 0 && done.every(Boolean)) {
        resolve();
        return;
      }
      while (running.size < options.concurrency) {
        const index = startable();
        if (index < 0) break;
        running.add(index);
        deliver(index).then(
          () => {
            running.delete(index);
            done[index] = true;
            pump();
          },
          (err: unknown) => {
            failed = true;
            reject(err);
          },
        );
      }
    };
    pump();
  });
  report.elapsedMs = Math.round(performance.now() - started);
  return report;
}

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
