/**
 * `npm start` stopped with SIGTERM in the middle of a load and started again on the same data
 * directory: everything acknowledged with 200 is still there, and after the unacknowledged
 * updates are delivered again (as Telegram would) every update is counted exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET } from '../helpers/events.ts';
import { type LocalProcess, startLocalProcess } from '../helpers/local-process.ts';

const API_KEY = 'dev_restart-test-key_0123456789abcdef';
const dataRoot = mkdtempSync(join(tmpdir(), 'tc-restart-'));
const envFor = (dir: string) => ({
  LOCAL_DB_PATH: join(dataRoot, dir),
  TABLE_NAME: 'restart-test',
  TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
  TELEGRAM_BOT_USERNAME: 'restart_test_bot',
  DEV_API_KEY: API_KEY,
  RATE_LIMIT_RPS: '100000',
  RATE_LIMIT_BURST: '100000',
});
let running: LocalProcess | undefined;
afterAll(async () => {
  if (running?.child.exitCode === null) await running.stop('SIGKILL');
  rmSync(dataRoot, { recursive: true, force: true });
});

const USERS = Array.from({ length: 20 }, (_, i) => 7_000_000 + i);
const CHATS = Array.from({ length: 8 }, (_, i) => -1_001_111_000_001 - i);
const UPDATES = Array.from({ length: 400 }, (_, k) => {
  const userId = USERS[k % USERS.length] as number;
  const chatId = CHATS[k % CHATS.length] as number;
  return {
    update_id: 500_000 + k,
    message: {
      message_id: k + 1,
      date: 1_764_000_000 + k,
      chat: { id: chatId, type: 'supergroup', title: `Restart ${chatId}` },
      from: { id: userId, is_bot: false, first_name: `User ${userId}` },
      text: `message ${k}`,
    },
  };
});
type TestUpdate = (typeof UPDATES)[number];

async function post(url: string, update: TestUpdate): Promise<boolean> {
  try {
    const response = await fetch(`${url}/telegram/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
      },
      body: JSON.stringify(update),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false; // refused or reset: the server is going away
  }
}

async function messageCounts(url: string, kind: 'contacts' | 'chats', ids: number[]) {
  const counts = new Map<number, number>();
  for (const id of ids) {
    const response = await fetch(`${url}/v1/${kind}/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const body = response.status === 404 ? { messageCount: 0 } : await response.json();
    counts.set(id, (body as { messageCount: number }).messageCount);
  }
  return counts;
}

const tally = (updates: TestUpdate[], key: (u: TestUpdate) => number) => {
  const counts = new Map<number, number>();
  for (const u of updates) counts.set(key(u), (counts.get(key(u)) ?? 0) + 1);
  return counts;
};
const byUser = (u: TestUpdate) => u.message.from.id;
const byChat = (u: TestUpdate) => u.message.chat.id;

describe('restart', () => {
  // SIGTERM is the contract (requests in flight finish, the store is closed); SIGKILL shows
  // that an acknowledged update is on disk before its 200 is sent, not only at close.
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'loses nothing acknowledged when stopped with %s mid-load',
    async (signal) => {
      const env = envFor(signal);
      // Prepare: load the first stack as Telegram delivers (one update in flight per chat,
      // a chat's next update only after the previous one got its 200: 8 in flight), and
      // stop it once 120 updates are in.
      running = await startLocalProcess(env);
      const first = running;
      const acked: TestUpdate[] = [];
      const unacked: TestUpdate[] = [];
      let stopping: Promise<number | null> | undefined;
      await Promise.all(
        CHATS.map(async (chatId) => {
          const queue = UPDATES.filter((u) => u.message.chat.id === chatId);
          let blocked = false;
          for (const update of queue) {
            // Once a chat's update went unanswered, the rest of its queue waits behind it.
            blocked = blocked || !(await post(first.url, update));
            (blocked ? unacked : acked).push(update);
            if (acked.length >= 120 && !stopping) stopping = first.stop(signal);
          }
        }),
      );
      if (signal === 'SIGTERM') {
        expect(await stopping).toBe(0);
        expect(first.output()).toContain('stopped cleanly');
      } else {
        expect(await stopping).toBeNull();
      }
      if (process.env.RELIABILITY_REPORT) {
        console.log(
          `${signal}: ${acked.length} acknowledged, ${unacked.length} not, of ${UPDATES.length}`,
        );
      }
      expect(acked.length).toBeGreaterThanOrEqual(120);
      expect(unacked.length).toBeGreaterThan(0);

      // Act: start again on the same directory.
      running = await startLocalProcess(env);
      const second = running;

      // Assess: nothing acknowledged is lost, nothing is counted twice.
      const ackedByUser = tally(acked, byUser);
      const sentByUser = tally(UPDATES, byUser);
      const afterRestart = await messageCounts(second.url, 'contacts', USERS);
      for (const id of USERS) {
        expect(afterRestart.get(id), `user ${id}`).toBeGreaterThanOrEqual(ackedByUser.get(id) ?? 0);
        expect(afterRestart.get(id), `user ${id}`).toBeLessThanOrEqual(sentByUser.get(id) ?? 0);
      }

      // Telegram delivers the unacknowledged updates again, in order, each until it gets a 200.
      for (const update of unacked.sort((a, b) => a.update_id - b.update_id)) {
        let delivered = false;
        for (let attempt = 0; !delivered && attempt < 5; attempt++) {
          delivered = await post(second.url, update);
        }
        expect(delivered, `update ${update.update_id}`).toBe(true);
      }
      expect(await messageCounts(second.url, 'contacts', USERS)).toEqual(sentByUser);
      expect(await messageCounts(second.url, 'chats', CHATS)).toEqual(tally(UPDATES, byChat));
      expect(await second.stop('SIGTERM')).toBe(0);
    },
    90_000,
  );
});
