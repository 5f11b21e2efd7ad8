/**
 * `npm start`: the local stack. `npm start -- --poll` also pulls updates from Telegram with
 * getUpdates using TELEGRAM_BOT_TOKEN. Stops cleanly on SIGINT/SIGTERM: requests in flight
 * finish, the store is closed (flushed to .data/) before the process exits.
 */
import { parseCliOrExit } from '../cli.ts';
import { logFormatOf } from './request-log.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage: npm start [-- --poll]

  The local stack: an embedded DynamoDB and both functions behind one HTTP server
  (http://127.0.0.1:3000 by default), the same paths as deployed.

options:
  --poll    also pull updates from Telegram with getUpdates (needs TELEGRAM_BOT_TOKEN);
            deletes the bot's webhook first
  --help    show this text

environment (all optional):
  LOCAL_DB_PATH            data directory (default .data/dynamodb); memory keeps nothing on disk
  DYNAMODB_ENDPOINT        another DynamoDB-compatible store instead of the embedded one
  TABLE_NAME               table (default telegram-contacts-local)
  HOST, PORT               address (default 127.0.0.1 and 3000; PORT=0 picks a free port)
  TELEGRAM_WEBHOOK_SECRET  webhook secret (default: kept in the data directory)
  DEV_API_KEY              admin key of the lookup API (default: kept in the data directory)
  TELEGRAM_BOT_TOKEN       the bot token, for --poll, replies beyond the first, live checks
  TELEGRAM_BOT_USERNAME    the bot's username, so /command@bot routes in groups
  LOG_FORMAT               json: JSON log lines (default on a terminal: one line per request)`;

const { poll } = parseCliOrExit(
  { name: 'start', usage: USAGE, options: { poll: { type: 'boolean', default: false } } },
  ({ values }) => ({ poll: values.poll === true }),
);
const format = logFormatOf(process.env, process.stdout.isTTY === true);
// On a terminal the request lines replace the functions' INFO lines; warnings still show.
if (format === 'human') process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const { AppError } = await import('../../lib/errors.ts');
const { ALLOWED_UPDATES } = await import('../../lib/telegram/allowed-updates.ts');
const { createBotApi } = await import('../../lib/telegram/bot-api.ts');
const { startPolling } = await import('./poller.ts');
const { formatBroadcastLine, formatDeliveryLine, formatRequestLine } = await import(
  './request-log.ts'
);
const { describeError } = await import('../../lib/http/lazy-deps.ts');
const { logger } = await import('../../lib/logger.ts');
const { startLocalStack } = await import('./stack.ts');
const { belowMarkLine } = await import('./queue-mark.ts');

if (poll && !process.env.TELEGRAM_BOT_TOKEN) {
  console.error('npm start -- --poll needs TELEGRAM_BOT_TOKEN (the token BotFather gave you).');
  process.exit(2);
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    // JSON: the dispatcher's lines as the deployed function logs them (the handlers log theirs).
    ...(format === 'human'
      ? {
          onRequest: (entry) => console.log(formatRequestLine(entry)),
          onDelivery: (_message, fields) => console.log(formatDeliveryLine(fields)),
          onBroadcast: (message, fields) => console.log(formatBroadcastLine(message, fields)),
        }
      : {
          onDelivery: (message, fields) => logger.info(message, fields),
          onBroadcast: (message, fields) => logger.info(message, fields),
        }),
    onBelowMark: (below) =>
      format === 'human'
        ? console.log(belowMarkLine(below))
        : logger.warn('update below its queue mark', { ...below }),
    onDispatchError: (err) =>
      console.error(`events: a dispatcher pass failed (${describeError(err).error}); retrying`),
  });
  const poller = poll
    ? startPolling({
        botApi: createBotApi({
          token: stack.config.TELEGRAM_BOT_TOKEN,
          apiRoot: stack.config.TELEGRAM_API_ROOT,
        }),
        processor: stack.webhookDeps.processor,
        // Same list as setWebhook: without it Telegram never sends chat_member updates.
        allowedUpdates: [...ALLOWED_UPDATES],
        onWebhookDeleted: () => console.log('polling: webhook deleted; waiting for updates'),
      })
    : undefined;
  // Where each value comes from: the environment, the data directory, or made for this run.
  const origin = (variable: string) =>
    process.env[variable]
      ? `from ${variable}`
      : stack.secretsKept
        ? `kept in ${stack.storeLocation}/local-secrets.json`
        : 'new at every start';
  const lines = [
    `telegram-contacts local stack listening on ${stack.url}`,
    `  store:          ${stack.storeLocation} (table ${stack.config.TABLE_NAME})`,
    stack.secretsKept
      ? `  DynamoDB:       ${stack.dynamoEndpoint} (npm run apikey, demo and loadtest find it themselves)`
      : `  DynamoDB:       ${stack.dynamoEndpoint} (e.g. DYNAMODB_ENDPOINT=${stack.dynamoEndpoint} npm run apikey -- list)`,
    `  webhook:        POST ${stack.url}/telegram/webhook`,
    `  webhook secret: ${stack.webhookSecret} (${origin('TELEGRAM_WEBHOOK_SECRET')})`,
    `  dev API key:    ${stack.devApiKey} (admin scope; ${origin('DEV_API_KEY')})`,
    `  lookup API:     ${stack.url}/v1/...`,
    `  health:         ${stack.url}/health`,
    '  events:         POST /v1/subscriptions, delivered from this process (docs/events.md)',
    stack.botUsername
      ? `  bot:            ${stack.botUsername}`
      : '  bot:            identity unknown: set TELEGRAM_BOT_USERNAME=<the bot username> so /command@bot routes in groups',
    poll ? '  polling:        deleting the webhook, then getUpdates' : undefined,
    format === 'human'
      ? '  logs:           one line per request (LOG_FORMAT=json for JSON lines)'
      : undefined,
    stack.secretsKept
      ? '  try it:         npm run demo (in another terminal)'
      : `  try it:         npm run demo -- --url ${stack.url} --secret ${stack.webhookSecret} --api-key ${stack.devApiKey}`,
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
  // What the user can fix is one line; anything else is one line too, with the error's name.
  if (err instanceof AppError) console.error(`npm start: ${err.message}`);
  else if (err instanceof Error) console.error(`npm start failed: ${err.name}: ${err.message}`);
  else console.error(`npm start failed: ${String(err)}`);
  process.exit(1);
});
