/**
 * `npm run demo`: tells the running local stack a short story (demo-story.ts) through its
 * webhook, as Telegram would, checks through the lookup API that it was recorded, and prints
 * the curl lines to try next. Finds `npm start` by itself (its state file in the data
 * directory); `--url`, `--secret` and `--api-key` name another stack.
 */
import { parseCliOrExit, UsageError } from './cli.ts';
import { DANA, DANA_PHONE_E164, demoStory, nextSteps } from './demo-story.ts';
import { DEFAULT_DB_PATH, findRunningStack } from './local/local-state.ts';

const USAGE = `usage: npm run demo [-- options]

  Posts a short story to the local webhook, the way Telegram does: a private /start, a shared
  own contact (a verified phone), a join, group messages from two people, a leave. Each run
  uses new update ids and today's date. Then prints curl lines to try the lookup API.

  With npm start running in another terminal, no option is needed: the demo finds its URL,
  webhook secret and dev API key in the data directory (LOCAL_DB_PATH, default ${DEFAULT_DB_PATH}).

options:
  --url URL       another stack's base URL, e.g. http://127.0.0.1:3000
  --secret S      its webhook secret (default TELEGRAM_WEBHOOK_SECRET)
  --api-key K     its lookup API key (default DEV_API_KEY)
  --help          show this text`;

const target = parseCliOrExit(
  {
    name: 'demo',
    usage: USAGE,
    options: { url: { type: 'string' }, secret: { type: 'string' }, 'api-key': { type: 'string' } },
  },
  ({ values }) => {
    const running = findRunningStack(process.env);
    const url = (values.url as string | undefined)?.replace(/\/+$/, '') ?? running?.url;
    if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) {
      throw new UsageError(`--url must be an http(s) URL, not ${url}`);
    }
    const same = running && running.url === url ? running : undefined;
    return {
      url,
      secret: values.secret || process.env.TELEGRAM_WEBHOOK_SECRET || same?.webhookSecret,
      apiKey: values['api-key'] || process.env.DEV_API_KEY || same?.devApiKey,
    };
  },
);

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(1);
}

const { url, secret, apiKey } = target;
if (!url) {
  fail(
    `no running npm start found in ${process.env.LOCAL_DB_PATH || DEFAULT_DB_PATH}: start it ` +
      'with npm start in another terminal, or give --url, --secret and --api-key',
  );
}
if (!secret || !apiKey) fail('give --secret and --api-key for a stack that is not npm start');

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${url}${path}`, init);
  } catch (err: unknown) {
    const reason = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    return fail(`cannot reach ${url} (${reason || 'connection failed'}): is npm start running?`);
  }
}

const now = Date.now();
const story = demoStory(now);
let answered = '';
for (const update of story) {
  const response = await request('/telegram/webhook', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-telegram-bot-api-secret-token': secret,
    },
    body: JSON.stringify(update),
  });
  const body = await response.text();
  if (response.status === 401) fail(`${url} refused the webhook secret (401): give --secret`);
  if (response.status !== 200) fail(`update ${update.update_id} answered ${response.status}`);
  if (update === story[0] && body)
    answered = (JSON.parse(body) as { method?: string }).method ?? '';
}

const contact = await request(`/v1/contacts/${DANA.id}`, {
  headers: { authorization: `Bearer ${apiKey}` },
});
if (contact.status === 401) fail(`${url} refused the API key (401): give --api-key`);
if (contact.status !== 200) fail(`the lookup API answered ${contact.status} for Dana`);
const dana = (await contact.json()) as { phoneNumber?: string; messageCount?: number };

console.log(
  [
    `demo: posted ${story.length} updates to ${url}/telegram/webhook (ids ${story[0]?.update_id}..${story.at(-1)?.update_id})`,
    `  /start was answered in the webhook response${answered ? ` (${answered} with the share-contact keyboard)` : ''}`,
    `  Dana: ${dana.phoneNumber === DANA_PHONE_E164 ? 'verified phone stored' : 'no verified phone'}, ${dana.messageCount ?? 0} messages counted so far`,
    '  Eli: joined, wrote, left',
    '',
    'Try the lookup API:',
    '',
    ...nextSteps(url, apiKey, now),
  ].join('\n'),
);
