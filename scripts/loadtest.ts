/**
 * `npm run loadtest`: posts updates to the webhook, many in flight, then checks through the
 * lookup API that each was counted exactly once; prints throughput and latency percentiles.
 * Without --url it starts the local stack in this process (in-memory store, free port).
 *
 *   npm run loadtest -- [--updates 5000] [--concurrency 50]
 *   npm run loadtest -- --url http://127.0.0.1:3000 [--secret S --api-key K]
 */
import { intOption, parseCliOrExit, UsageError } from './cli.ts';
import { findRunningStack } from './local/local-state.ts';
import { createProgress, progressWanted } from './progress.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// One INFO line per update would measure the terminal, not the service.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const USAGE = `usage: npm run loadtest -- [options]

  Posts updates to a webhook, many in flight (redelivering some, like Telegram), then checks
  through the lookup API that every update was counted exactly once.

options:
  --updates N        distinct updates to post (default 5000)
  --concurrency N    requests in flight (default 50)
  --url URL          a running stack instead of one started in this process (in memory);
                     the secret and key of a running npm start are found by themselves
  --secret S         its webhook secret (default TELEGRAM_WEBHOOK_SECRET)
  --api-key K        its lookup API key (default DEV_API_KEY)
  --help             show this text

Progress goes to stderr on a terminal (not in CI); the result to stdout.`;

const options = parseCliOrExit(
  {
    name: 'loadtest',
    usage: USAGE,
    options: {
      updates: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '50' },
      url: { type: 'string' },
      secret: { type: 'string' },
      'api-key': { type: 'string' },
    },
  },
  ({ values }) => {
    const url = typeof values.url === 'string' ? values.url.replace(/\/+$/, '') : undefined;
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) {
      throw new UsageError(`--url must be an http(s) URL, not ${url}`);
    }
    // A running npm start on this URL knows its own secret and dev key.
    const running = url ? findRunningStack(process.env) : undefined;
    const local = running?.url === url ? running : undefined;
    const secret = values.secret || process.env.TELEGRAM_WEBHOOK_SECRET || local?.webhookSecret;
    const apiKey = values['api-key'] || process.env.DEV_API_KEY || local?.devApiKey;
    if (url && !(secret && apiKey)) {
      throw new UsageError(
        'with --url of a stack that is not npm start on this data directory, give --secret and --api-key',
      );
    }
    return {
      updates: intOption('updates', values.updates as string, 1, 1_000_000),
      concurrency: intOption('concurrency', values.concurrency as string, 1, 1000),
      url,
      secret,
      apiKey,
    };
  },
);

const progress = createProgress({
  name: 'loadtest',
  enabled: progressWanted(process.env, process.stderr),
});
const { formatResult, runLoadTest } = await import('./loadtest-run.ts');
const { startLocalStack } = await import('./local/stack.ts');

if (!options.url) progress.phase('starting a local stack in memory');
const stack = options.url
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
const run = {
  url: options.url ?? (stack?.url as string),
  webhookSecret: (stack ? stack.webhookSecret : options.secret) ?? '',
  apiKey: (stack ? stack.devApiKey : options.apiKey) ?? '',
  updates: options.updates,
  concurrency: options.concurrency,
  progress,
};
try {
  const result = await runLoadTest(run);
  console.log(formatResult(result, run));
  process.exitCode = result.mismatches.length === 0 ? 0 : 1;
} finally {
  await stack?.close();
}
