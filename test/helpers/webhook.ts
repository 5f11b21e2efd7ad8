/** The real webhook handler wired to a test table and a loopback fake Bot API. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler, type WebhookHandler } from '../../functions/webhook.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import type { StoreContext } from '../../lib/store/client.ts';
import { WEBHOOK_GRANTS } from '../../lib/store/grants/webhook-grants.ts';
import { createBotApi } from '../../lib/telegram/bot-api.ts';
import { buildWebhookDeps } from '../../lib/webhook/webhook-deps.ts';
import { WEBHOOK_SECRET } from './events.ts';
import { grantedClient } from './granted-client.ts';

export const TEST_BOT_TOKEN = '999:AAtest-token-for-loopback-only_0123456789';

/**
 * The store a handler gets, as `storeFromConfig` makes it when deployed: an injected store
 * replaces the configured one, so a RETENTION_DAYS given in `env` is carried over to it.
 */
export function withConfiguredRetention(
  store: StoreContext,
  config: Config,
  env: Record<string, string> | undefined,
): StoreContext {
  return env?.RETENTION_DAYS === undefined
    ? store
    : { ...store, retentionDays: config.RETENTION_DAYS };
}

export async function createTestWebhook(options: {
  store: StoreContext;
  botApiUrl: string;
  token?: string | null;
  /** More environment (e.g. RETENTION_DAYS, which then applies to the store as deployed). */
  env?: Record<string, string>;
}): Promise<WebhookHandler> {
  const config = loadConfig({
    TELEGRAM_BOT_USERNAME: 'contacts_test_bot',
    TELEGRAM_API_ROOT: options.botApiUrl,
    TABLE_NAME: options.store.tableName,
    ...options.env,
  });
  const token = options.token === null ? undefined : (options.token ?? TEST_BOT_TOKEN);
  const store = withConfiguredRetention(options.store, config, options.env);
  const deps = await buildWebhookDeps(
    config,
    { webhookSecret: WEBHOOK_SECRET, botToken: token },
    {
      // Held to the webhook role's grants, as deployed: a key kind it does not grant fails.
      store: { ...store, client: grantedClient(store.client, WEBHOOK_GRANTS) },
      botApi: createBotApi({ token, apiRoot: options.botApiUrl }),
    },
  );
  return createHandler(deps);
}

/**
 * Every item of the table, sorted, without values that depend on the wall clock (TTL and
 * erasure floors: an erasure takes effect at the time it runs).
 */
export async function tableSnapshot(store: StoreContext): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await store.client.send(
      new ScanCommand({ TableName: store.tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items
    .map(({ expiresAt: _expires, floor: _floor, ...rest }) => rest)
    .sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}
