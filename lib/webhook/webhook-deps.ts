/** Builds what the webhook handler needs from config and secrets, once per cold start. */

import { createBot } from '../bot/create-bot.ts';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { Secrets } from '../secrets.ts';
import { type StoreContext, storeFromConfig } from '../store/client.ts';
import { type BotApi, botApiFromConfig } from '../telegram/bot-api.ts';
import { type BotIdentity, resolveBotIdentity } from '../telegram/bot-identity.ts';
import { isValidSecretFormat } from '../telegram/webhook-secret.ts';
import type { UpdateProcessorDeps } from './process-update.ts';

export interface WebhookDeps {
  webhookSecret: string;
  processor: UpdateProcessorDeps;
}

export interface WebhookDepsOverrides {
  store?: StoreContext;
  botApi?: BotApi;
}

/** Identity for command routing; without a token or username it falls back to a placeholder. */
async function identityOf(config: Config, botApi: BotApi): Promise<BotIdentity> {
  try {
    return await resolveBotIdentity({ username: config.TELEGRAM_BOT_USERNAME, botApi });
  } catch (err: unknown) {
    logger.warn('bot identity unknown (set TELEGRAM_BOT_USERNAME); /command@bot may not match', {
      error: err instanceof Error ? err.name : 'Error',
    });
    return { username: 'bot', ...(botApi.botId ? { id: botApi.botId } : {}) };
  }
}

export async function buildWebhookDeps(
  config: Config,
  secrets: Secrets,
  overrides: WebhookDepsOverrides = {},
): Promise<WebhookDeps> {
  const webhookSecret = secrets.webhookSecret;
  if (!webhookSecret || !isValidSecretFormat(webhookSecret)) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET is missing or not 1-256 of A-Za-z0-9_-');
  }
  const store = overrides.store ?? storeFromConfig(config, secrets);
  const botApi = overrides.botApi ?? botApiFromConfig(config, secrets);
  const identity = await identityOf(config, botApi);
  return {
    webhookSecret,
    processor: {
      store,
      botApi,
      bot: createBot({ store, identity }),
      botId: identity.id,
      botUsername: identity.username,
    },
  };
}
