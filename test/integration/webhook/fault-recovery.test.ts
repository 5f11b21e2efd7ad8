import { describe, expect, it } from 'vitest';
import { loadUpdate } from '../../fixtures/updates.ts';
import { webhookEvent } from '../../helpers/events.ts';
import { faultyClient } from '../../helpers/faults.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import { tableSnapshot } from '../../helpers/webhook.ts';

const STREAM = [
  'group-message',
  'contact-own',
  'new-chat-members',
  'users-shared',
  'chat-member-restricted',
  'edited-message',
  'contact-other',
].map((name) => loadUpdate(name));

const stack = useStack();

/** Delivers the stream like Telegram: each update again until it gets a 2xx. */
async function deliver(decide: Parameters<typeof faultyClient>[1]) {
  const table = await stack.freshTable();
  const faulty = faultyClient(table.endpoint, decide);
  const store = { client: faulty.client, tableName: table.tableName };
  const webhook = await stack.webhook({ store });
  let failures = 0;
  for (const update of STREAM) {
    for (let attempt = 0; ; attempt++) {
      const response = await webhook(webhookEvent(update));
      if (response.statusCode === 200) break;
      expect(response.statusCode).toBe(500);
      failures++;
      if (attempt > 5) throw new Error('update never accepted');
    }
  }
  return { snapshot: await tableSnapshot(table), failures, calls: faulty.calls.length };
}

describe('storage fault mid-update', () => {
  it('reaches the state of a clean run after redelivery, whichever call fails', {
    timeout: 90_000,
  }, async () => {
    const clean = await deliver(() => undefined);
    expect(clean.failures).toBe(0);
    for (let faultAt = 0; faultAt < clean.calls; faultAt++) {
      const faulted = await deliver((command, index) =>
        index === faultAt && command !== 'CreateTableCommand' ? 'throttle' : undefined,
      );
      expect(faulted.failures, `fault at call ${faultAt}`).toBe(1);
      expect(faulted.snapshot, `fault at call ${faultAt}`).toEqual(clean.snapshot);
    }
  });
});
