/**
 * `npm run loadtest`: posts updates to the webhook, many in flight, then checks through the
 * lookup API that each was counted exactly once; prints throughput and latency percentiles.
 * Without --url it starts the local stack in this process (in-memory store, free port).
 *
 *   npm run loadtest -- [--updates 5000] [--concurrency 50]
 *   npm run loadtest -- --url http://127.0.0.1:3000 --secret S --api-key K
 */
import { parseArgs } from 'node:util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// One INFO line per update would measure the terminal, not the service.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const { values } = parseArgs({
  options: {
    updates: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '50' },
    url: { type: 'string' },
    secret: { type: 'string', default: process.env.TELEGRAM_WEBHOOK_SECRET },
    'api-key': { type: 'string', default: process.env.DEV_API_KEY },
  },
});
const updates = Number(values.updates);
const concurrency = Number(values.concurrency);
if (
  !Number.isInteger(updates) ||
  updates < 1 ||
  !Number.isInteger(concurrency) ||
  concurrency < 1
) {
  console.error(
    'usage: npm run loadtest -- [--updates N] [--concurrency N] [--url U --secret S --api-key K]',
  );
  process.exit(2);
}

const { formatResult, runLoadTest } = await import('./loadtest-run.ts');
const { startLocalStack } = await import('./local/stack.ts');

const stack = values.url
  ? undefined
  : await startLocalStack({
      env: {
        ...process.env,
        LOCAL_DB_PATH: 'memory',
        TABLE_NAME: 'telegram-contacts-loadtest',
        TELEGRAM_BOT_USERNAME: process.env.TELEGRAM_BOT_USERNAME ?? 'loadtest_bot',
        // The check reads hundreds of records at once: lift the per-key limit for this run.
        RATE_LIMIT_RPS: '100000',
        RATE_LIMIT_BURST: '100000',
      },
      port: 0,
    });
const options = {
  url: values.url ?? (stack?.url as string),
  webhookSecret: values.secret ?? stack?.webhookSecret ?? '',
  apiKey: values['api-key'] ?? stack?.devApiKey ?? '',
  updates,
  concurrency,
};
if (!options.webhookSecret || !options.apiKey) {
  console.error(
    'with --url, give --secret and --api-key (or TELEGRAM_WEBHOOK_SECRET and DEV_API_KEY)',
  );
  process.exit(2);
}
try {
  const result = await runLoadTest(options);
  console.log(formatResult(result, options));
  process.exitCode = result.mismatches.length === 0 ? 0 : 1;
} finally {
  await stack?.close();
}
