/**
 * The bot's "Saved N" answer against what the store keeps: whichever shape Telegram (or a
 * serializer) used for shared users, the number in the reply is the number /me then reports.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../functions/webhook.ts';
import { corpusUpdate, SHARED_USER_SHAPES } from '../../fixtures/corpus.ts';
import { webhookEvent } from '../../helpers/events.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();
let webhook: WebhookHandler;

beforeEach(async () => {
  webhook = await stack.webhook();
});

/** Posts `update` and returns the text of the answer in the response body. */
async function replyTo(update: unknown): Promise<string> {
  const response = await webhook(webhookEvent(update));
  expect(response.statusCode).toBe(200);
  return (JSON.parse(response.body ?? '{}') as { text?: string }).text ?? '';
}

/** What /me says the user shared, by posting /me in their private chat. */
async function sharedCount(userId: number): Promise<number> {
  const me = corpusUpdate('text-in-private');
  me.update_id = 29999;
  Object.assign(me.message as object, {
    from: { id: userId, is_bot: false, first_name: 'Owner' },
    chat: { id: userId, type: 'private', first_name: 'Owner' },
    text: '/me',
    entities: [{ offset: 0, length: 3, type: 'bot_command' }],
  });
  const match = /Contacts you shared: (\d+)/.exec(await replyTo(me));
  return Number(match?.[1]);
}

describe('the webhook answer to shared users', () => {
  it.each(SHARED_USER_SHAPES)(
    'says Saved N for N stored entries when users arrive as %s',
    async (_shape, name, count) => {
      // Prepare
      const update = corpusUpdate(name);
      const owner = (update.message as { from: { id: number } }).from.id;

      // Act
      const reply = await replyTo(update);

      // Assess
      expect(reply).toBe(
        count === 1 ? 'Saved 1 shared contact.' : `Saved ${count} shared contacts.`,
      );
      expect(await sharedCount(owner)).toBe(count);
    },
  );
});
