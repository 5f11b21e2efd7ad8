/**
 * One update, end to end: read it once (telegram/update/read-update.ts), record its facts
 * exactly once (directory/record/recorder.ts: the protocol and the delivery model it relies
 * on), then let the bot answer (bot/create-bot.ts).
 *
 * The bot runs on every delivery, a redelivery included: an attempt may have recorded
 * everything and died before the bot acted, and what the bot does must happen (a confirmed
 * /forget erases; erasing twice is harmless). A redelivered command may be answered twice.
 */
import type { Update } from 'telegraf/types';
import type { BotRunner } from '../bot/create-bot.ts';
import { createReplySink, type WebhookReply } from '../bot/reply-sink.ts';
import { recordUpdate } from '../directory/record/recorder.ts';
import type { StoreContext } from '../store/client.ts';
import type { BotApi } from '../telegram/bot-api.ts';
import { readUpdate } from '../telegram/update/read-update.ts';

export interface UpdateProcessorDeps {
  store: StoreContext;
  botApi: BotApi;
  bot: BotRunner;
  botId?: number;
  /** The bot's username: `/stop@name` for another bot is not this bot's command. */
  botUsername?: string;
  /** False when updates come from getUpdates: every answer is then an outbound call. */
  webhookReply?: boolean;
}

export interface ProcessResult {
  /** Recorded before (a redelivery): nothing changed. */
  duplicate: boolean;
  /** Dated before an erasure of a user it concerns: nothing of that user kept. */
  stale?: boolean;
  kind?: string;
  /** The answer to put in the webhook response body. */
  reply?: WebhookReply;
}

export async function processUpdate(
  deps: UpdateProcessorDeps,
  update: Update,
  receivedAt = Math.floor(Date.now() / 1000),
): Promise<ProcessResult> {
  const view = readUpdate(update, {
    receivedAt,
    botId: deps.botId,
    ...(deps.botUsername !== undefined ? { botUsername: deps.botUsername } : {}),
  });
  const { duplicate, stale } = await recordUpdate(deps.store, view.facts, view.queue, {
    now: receivedAt,
    sentFrom: view.sentFrom,
  });
  const sink = createReplySink({ botApi: deps.botApi, webhookReply: deps.webhookReply });
  await deps.bot.handle(update, sink);
  return { duplicate, ...(stale ? { stale } : {}), kind: view.kind, reply: sink.webhookReply };
}
