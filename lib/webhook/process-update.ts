/**
 * One update, end to end: duplicate check, record the facts, let the bot answer, mark done.
 * See store/update-recorder.ts for the exactly-once protocol this follows.
 */
import type { Update } from 'telegraf/types';
import type { BotRunner } from '../bot/create-bot.ts';
import { createReplySink, type WebhookReply } from '../bot/reply-sink.ts';
import {
  isUpdateDone,
  markUpdateDone,
  type RecorderContext,
  recordFacts,
} from '../store/update-recorder.ts';
import type { BotApi } from '../telegram/bot-api.ts';
import { extractFacts } from '../telegram/update-facts.ts';

export interface UpdateProcessorDeps {
  store: RecorderContext;
  botApi: BotApi;
  bot: BotRunner;
  botId?: number;
  /** False when updates come from getUpdates: every answer is then an outbound call. */
  webhookReply?: boolean;
}

export interface ProcessResult {
  duplicate: boolean;
  kind?: string;
  /** The answer to put in the webhook response body. */
  reply?: WebhookReply;
}

export async function processUpdate(
  deps: UpdateProcessorDeps,
  update: Update,
  receivedAt = Math.floor(Date.now() / 1000),
): Promise<ProcessResult> {
  if (await isUpdateDone(deps.store, update.update_id)) return { duplicate: true };
  const facts = extractFacts(update, { receivedAt, botId: deps.botId });
  await recordFacts(deps.store, facts);
  const sink = createReplySink({ botApi: deps.botApi, webhookReply: deps.webhookReply });
  await deps.bot.handle(update, sink);
  await markUpdateDone(deps.store, update.update_id);
  return { duplicate: false, kind: facts.kind, reply: sink.webhookReply };
}
