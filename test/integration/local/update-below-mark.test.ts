/**
 * Hand-made updates and the demo's share a chat's queue: `npm start` says, in one line, when an
 * update's id is below what the chat's queue applied (its chat counters skip it, by design),
 * and the README's curl numbers its update on the demo's scale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GROUP, demoStory } from '../../../scripts/demo-story.ts';
import type { BelowMark } from '../../../scripts/local/queue-mark.ts';
import { type LocalStack, startLocalStack } from '../../../scripts/local/stack.ts';
import { ROOT } from '../../helpers/local-process.ts';

const notices: BelowMark[] = [];
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    env: { LOCAL_DB_PATH: 'memory', TABLE_NAME: 'below-mark', TELEGRAM_BOT_USERNAME: 'demo_bot' },
    port: 0,
    onBelowMark: (below) => notices.push(below),
  });
}, 30_000);
afterAll(() => stack.close());

function groupMessage(updateId: number, date: number) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId % 1_000_000,
      date,
      text: 'hello',
      from: { id: 1001, is_bot: false, first_name: 'Alice' },
      chat: DEMO_GROUP,
    },
  };
}

async function post(update: unknown): Promise<number> {
  const response = await fetch(`${stack.url}/telegram/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': stack.webhookSecret,
    },
    body: JSON.stringify(update),
  });
  await response.text();
  return response.status;
}

describe("an update below its chat queue's mark", () => {
  it('is named in one notice; a redelivery and a later id are not', async () => {
    const nowMs = Date.now();
    const date = Math.floor(nowMs / 1000);
    const demoId = (demoStory(nowMs)[0] as { update_id: number }).update_id;

    expect(await post(groupMessage(demoId, date))).toBe(200);
    expect(await post(groupMessage(date, date))).toBe(200); // a seconds-scale id: below
    expect(await post(groupMessage(demoId, date))).toBe(200); // a redelivery: not below
    expect(await post(groupMessage(demoId + 1, date))).toBe(200);

    expect(notices).toEqual([{ updateId: date, chatId: DEMO_GROUP.id, mark: demoId }]);
  });

  it("README's curl numbers its update on the demo's scale: a later one is above the demo's", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const curl = /"update_id":'"\$\(date \+%s\)(\d*)"'/.exec(readme);
    expect(curl, 'the README curl takes its update_id from the clock').not.toBeNull();
    const readmeId = (seconds: number) => Number(`${seconds}${curl?.[1] ?? ''}`);
    const nowMs = Date.now();
    const seconds = Math.floor(nowMs / 1000);
    const demo = demoStory(nowMs).map((u) => u.update_id);

    // The next second's curl is above this second's demo, and the next second's demo above
    // this second's curl: whichever runs later counts.
    expect(readmeId(seconds + 1)).toBeGreaterThan(Math.max(...demo));
    expect(Math.min(...demoStory(nowMs + 1000).map((u) => u.update_id))).toBeGreaterThan(
      readmeId(seconds),
    );
  });
});
