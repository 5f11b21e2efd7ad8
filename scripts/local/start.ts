/**
 * `npm start`: the local stack. `npm start -- --poll` also pulls updates from Telegram with
 * getUpdates using TELEGRAM_BOT_TOKEN. Stops cleanly on SIGINT/SIGTERM: requests in flight
 * finish, the store is closed (flushed to .data/) before the process exits.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { logger } from '../../lib/logger.ts';
import { ALLOWED_UPDATES } from '../../lib/telegram/allowed-updates.ts';
import { createBotApi } from '../../lib/telegram/bot-api.ts';
import { type Poller, startPolling } from './poller.ts';
import { startLocalStack } from './stack.ts';

async function main(): Promise<void> {
  const poll = process.argv.includes('--poll');
  if (poll && !process.env.TELEGRAM_BOT_TOKEN) {
    console.error('npm start -- --poll needs TELEGRAM_BOT_TOKEN (the token BotFather gave you).');
    process.exit(2);
  }
  const stack = await startLocalStack();
  let poller: Poller | undefined;
  if (poll) {
    const botApi = createBotApi({
      token: stack.config.TELEGRAM_BOT_TOKEN,
      apiRoot: stack.config.TELEGRAM_API_ROOT,
    });
    poller = startPolling({
      botApi,
      processor: stack.webhookDeps.processor,
      // Same list as setWebhook: without it Telegram never sends chat_member updates.
      allowedUpdates: [...ALLOWED_UPDATES],
    });
  }
  const lines = [
    `telegram-contacts local stack listening on ${stack.url}`,
    `  store:          ${stack.storeLocation} (table ${stack.config.TABLE_NAME})`,
    `  DynamoDB:       ${stack.dynamoEndpoint} (e.g. DYNAMODB_ENDPOINT=${stack.dynamoEndpoint} npm run apikey -- list)`,
    `  webhook:        POST ${stack.url}/telegram/webhook`,
    `  webhook secret: ${stack.webhookSecret}`,
    `  dev API key:    ${stack.devApiKey} (admin scope)`,
    `  lookup API:     ${stack.url}/v1/...`,
    `  health:         ${stack.url}/health`,
    poll ? '  polling Telegram with getUpdates (webhook deleted)' : undefined,
    'Press Ctrl+C to stop.',
  ];
  console.log(lines.filter(Boolean).join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received: finishing requests in flight, closing the store...`);
    await poller?.stop();
    await stack.close();
    console.log('stopped cleanly.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  logger.error('local stack failed to start', { error: message });
  console.error(`npm start failed: ${message}`);
  process.exit(1);
});
