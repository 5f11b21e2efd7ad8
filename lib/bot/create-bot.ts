/**
 * The bot's behaviours (telegraf): /start, /stop, the share-contact flow, /me and /forget.
 * Recording what updates say is not done here (see directory/record/recorder.ts); this
 * only answers. Answers go through the update's ReplySink, so the first one rides in the
 * webhook response. Storage errors propagate (the webhook answers 5xx and Telegram retries);
 * any other handler error is logged and the update still counts as handled. telegraf sees the
 * update without `null` fields (without-nulls.ts), as Telegram itself would have sent it.
 */
import { Telegraf } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { eraseUser } from '../directory/erasure/erasure.ts';
import { countUserItems, getContact } from '../directory/read/profiles.ts';
import { StoreError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { StoreContext } from '../store/client.ts';
import { MEMBERSHIP_PREFIX, SHARED_PREFIX } from '../store/keys.ts';
import type { BotIdentity } from '../telegram/bot-identity.ts';
import * as text from './messages.ts';
import type { ReplySink } from './reply-sink.ts';
import { shareReply } from './share-reply.ts';
import { withoutNulls } from './without-nulls.ts';

export interface BotRunner {
  /** Runs the behaviours for one update; answers go to `sink`. */
  handle(update: Update, sink: ReplySink): Promise<void>;
}

export function botInfoFrom(identity: BotIdentity): UserFromGetMe {
  return {
    id: identity.id ?? 0,
    is_bot: true,
    first_name: identity.firstName ?? identity.username,
    username: identity.username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  } as UserFromGetMe;
}

export function createBot(options: { store: StoreContext; identity: BotIdentity }): BotRunner {
  const { store } = options;
  const botId = options.identity.id;
  const sinks = new WeakMap<object, ReplySink>();
  // No token here: outbound calls go through the ReplySink's BotApi, never through telegraf.
  const bot = new Telegraf('', { handlerTimeout: 20_000 });
  bot.botInfo = botInfoFrom(options.identity);
  const sinkOf = (update: object) => sinks.get(update) as ReplySink;

  bot.catch((err, ctx) => {
    if (err instanceof StoreError) throw err;
    const name = err instanceof Error ? err.name : 'Error';
    logger.error('bot handler failed', { updateId: ctx.update.update_id, error: name });
  });

  bot.start(async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    await sinkOf(ctx.update).send('sendMessage', {
      chat_id: ctx.chat.id,
      text: text.START_TEXT,
      reply_markup: text.START_KEYBOARD,
    });
  });

  // A contact card or users shared through the request_users button: the reply counts what
  // the store records (share-reply.ts). Only in private chats, where the share buttons are.
  bot.on('message', async (ctx, next) => {
    const reply = ctx.chat?.type === 'private' ? shareReply(ctx.update, botId) : undefined;
    if (reply === undefined) return next();
    await sinkOf(ctx.update).send('sendMessage', {
      chat_id: ctx.chat.id,
      text: reply,
      reply_markup: text.REMOVE_KEYBOARD,
    });
  });

  bot.command('me', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    const [contact, chats, shared] = await Promise.all([
      getContact(store, ctx.from.id),
      countUserItems(store, ctx.from.id, MEMBERSHIP_PREFIX),
      countUserItems(store, ctx.from.id, SHARED_PREFIX),
    ]);
    await sinkOf(ctx.update).send('sendMessage', {
      chat_id: ctx.chat.id,
      text: text.meText(contact, chats, shared),
    });
  });

  // The opt-out itself is recorded with the update's facts (telegram/update/preference-facts.ts).
  bot.command('stop', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    await sinkOf(ctx.update).send('sendMessage', { chat_id: ctx.chat.id, text: text.STOP_TEXT });
  });

  bot.command('forget', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    await sinkOf(ctx.update).send('sendMessage', {
      chat_id: ctx.chat.id,
      text: text.FORGET_PROMPT,
      reply_markup: text.FORGET_KEYBOARD,
    });
  });

  bot.action(/^forget:(confirm|cancel)$/, async (ctx) => {
    const confirmed = ctx.match[1] === 'confirm';
    if (confirmed) await eraseUser(store, ctx.from.id);
    const done = confirmed ? text.FORGET_DONE : text.FORGET_CANCELLED;
    const sink = sinkOf(ctx.update);
    await sink.send('answerCallbackQuery', { callback_query_id: ctx.callbackQuery.id, text: done });
    const origin = ctx.callbackQuery.message;
    if (origin && 'chat' in origin) {
      await sink.send('editMessageText', {
        chat_id: origin.chat.id,
        message_id: origin.message_id,
        text: done,
      });
    }
  });

  return {
    async handle(update, sink) {
      const clean = withoutNulls(update);
      sinks.set(clean, sink);
      await bot.handleUpdate(clean);
    },
  };
}
