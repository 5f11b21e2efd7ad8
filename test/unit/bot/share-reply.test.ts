import type { Update } from 'telegraf/types';
import { afterAll, describe, expect, it } from 'vitest';
import { createBot } from '../../../lib/bot/create-bot.ts';
import * as text from '../../../lib/bot/messages.ts';
import type { ReplySink, WebhookReply } from '../../../lib/bot/reply-sink.ts';
import { shareReply } from '../../../lib/bot/share-reply.ts';
import { createDocumentClient } from '../../../lib/store/client.ts';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';
import { corpusUpdate, SHARED_USER_SHAPES } from '../../fixtures/corpus.ts';

const BOT_ID = 999;

/** A store nobody listens on: the share replies must not need it (a call would fail the test). */
const client = createDocumentClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  maxAttempts: 1,
});
afterAll(() => client.destroy());
const bot = createBot({
  store: { client, tableName: 'unused' },
  identity: { id: BOT_ID, username: 'contacts_test_bot' },
});

/** Runs the bot on `update` and returns what it answered, in order. */
async function answers(update: Record<string, unknown>): Promise<WebhookReply[]> {
  const sent: WebhookReply[] = [];
  const sink: ReplySink = {
    async send(method, payload) {
      sent.push({ method, ...payload });
    },
    webhookReply: undefined,
    outboundCalls: 0,
  };
  await bot.handle(update as unknown as Update, sink);
  return sent;
}

const recorded = (update: unknown) =>
  extractFacts(update, { receivedAt: 0, botId: BOT_ID }).sharedContacts.length;

const SHAPES = SHARED_USER_SHAPES;

describe('the reply to shared users', () => {
  it.each(SHAPES)(
    'says how many entries the facts record when users arrive as %s (regression)',
    async (_shape, name, count) => {
      // Prepare
      const update = corpusUpdate(name);

      // Act
      const sent = await answers(update);

      // Assess
      expect(recorded(update)).toBe(count);
      expect(sent).toStrictEqual([
        {
          method: 'sendMessage',
          chat_id: (update.message as { chat: { id: number } }).chat.id,
          text: text.sharedText(count),
          reply_markup: text.REMOVE_KEYBOARD,
        },
      ]);
    },
  );

  it('says Saved 3, not 2, when users name two people and user_shared a third (regression)', async () => {
    const update = corpusUpdate('users-shared-both-shapes');
    const message = update.message as Record<string, unknown>;
    message.users_shared = { request_id: 1, users: [{ user_id: 1002 }, { user_id: 1003 }] };
    message.user_shared = { request_id: 1, user_id: 7300000001 };

    const sent = await answers(update);

    expect(recorded(update)).toBe(3);
    expect(sent.map((answer) => answer.text)).toStrictEqual([text.sharedText(3)]);
  });

  it.each(SHAPES)('shareReply counts the recorded entries for %s', (_shape, name) => {
    const update = corpusUpdate(name);

    expect(shareReply(update, BOT_ID)).toBe(text.sharedText(recorded(update)));
  });
});

describe('the reply to a contact card', () => {
  it.each([
    ['the sender own card', 'contact-own', text.OWN_CONTACT_TEXT],
    ['the own card with null fields', 'null-filled-contact', text.OWN_CONTACT_TEXT],
    ['a card of someone else', 'contact-of-someone-else', text.sharedText(1)],
    ['a card without a user id', 'contact-without-user-id', text.sharedText(1)],
    ['a card that stores nothing', 'contact-invalid-number', text.INVALID_PHONE_TEXT],
  ])('answers %s with what is recorded', async (_label, name, reply) => {
    const sent = await answers(corpusUpdate(name));

    expect(sent.map((answer) => answer.text)).toStrictEqual([reply]);
  });

  it('says nothing about a contact card posted in a group', async () => {
    expect(await answers(corpusUpdate('contact-in-group'))).toStrictEqual([]);
  });
});

describe('the bot with null-filled updates', () => {
  it('answers /start as usual when absent fields and other kinds are written as null', async () => {
    const update = corpusUpdate('text-in-private');
    Object.assign(update.message as object, {
      text: '/start',
      entities: [{ offset: 0, length: 6, type: 'bot_command' }],
      contact: null,
      users_shared: null,
      reply_to_message: null,
    });
    const nulls = { edited_message: null, callback_query: null, channel_post: null };

    const sent = await answers({ ...update, ...nulls });

    expect(sent).toMatchObject([{ method: 'sendMessage', chat_id: 1002, text: text.START_TEXT }]);
  });

  it('answers a callback query when the update writes "message": null before it', async () => {
    const update = corpusUpdate('null-kinds-around-callback-query');
    const query = update.callback_query as Record<string, unknown>;
    query.data = 'forget:cancel';

    const sent = await answers(update);

    expect(sent.map((answer) => answer.method)).toStrictEqual([
      'answerCallbackQuery',
      'editMessageText',
    ]);
    expect(sent[0]?.text).toBe(text.FORGET_CANCELLED);
  });
});
