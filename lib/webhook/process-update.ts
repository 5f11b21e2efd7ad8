/**
 * One update, end to end: record its facts exactly once, then let the bot answer.
 * See store/recorder.ts for the protocol and the delivery model it relies on.
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
import { extractFacts, sentNoEarlierThan } from '../telegram/update-facts.ts';
import { deliveryQueue } from '../telegram/update-queue.ts';

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
  const facts = extractFacts(update, {
    receivedAt,
    botId: deps.botId,
    ...(deps.botUsername !== undefined ? { botUsername: deps.botUsername } : {}),
  });
  const { duplicate, stale } = await recordUpdate(
    deps.store,
    facts,
    deliveryQueue(update, facts.kind),
    { now: receivedAt, sentFrom: sentNoEarlierThan(update, receivedAt) },
  );
  const sink = createReplySink({ botApi: deps.botApi, webhookReply: deps.webhookReply });
  await deps.bot.handle(update, sink);
  return { duplicate, ...(stale ? { stale } : {}), kind: facts.kind, reply: sink.webhookReply };
}
