/**
 * The local stack: embedded store (or DYNAMODB_ENDPOINT), table, and the real handlers
 * behind a small HTTP server, on the same paths as deployed. Used by `npm start`, the
 * load test and the tests that start the server.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler as createLookupHandler } from '../../functions/lookup.ts';
import { createHandler as createWebhookHandler } from '../../functions/webhook.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import { jsonResponse, problemResponse } from '../../lib/http/http-error.ts';
import { buildLookupDeps } from '../../lib/lookup/lookup-deps.ts';
import { registerApiKey } from '../../lib/store/api-key-admin.ts';
import { createDocumentClient, type StoreContext } from '../../lib/store/client.ts';
import { ensureTable } from '../../lib/store/table-setup.ts';
import { generateWebhookSecret } from '../../lib/telegram/webhook-secret.ts';
import { buildWebhookDeps, type WebhookDeps } from '../../lib/webhook/webhook-deps.ts';
import { type EmbeddedStore, startEmbeddedStore } from './embedded-store.ts';
import { BodyTooLargeError, readBody, sendResult, toEvent } from './http-event.ts';

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalStackOptions {
  env?: Record<string, string | undefined>;
  /** Overrides HOST / PORT (0 picks a free port). */
  host?: string;
  port?: number;
}

export interface LocalStack {
  url: string;
  webhookSecret: string;
  devApiKey: string;
  /** Where the data lives: a directory, `memory`, or the external endpoint. */
  storeLocation: string;
  /** The DynamoDB endpoint in use (the embedded store's, for `DYNAMODB_ENDPOINT=... npm run apikey`). */
  dynamoEndpoint: string;
  config: Config;
  store: StoreContext;
  webhookDeps: WebhookDeps;
  /** Stops accepting requests, waits for those in flight, then closes the store. */
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = { ...(options.env ?? process.env) };
  const webhookSecret = env.TELEGRAM_WEBHOOK_SECRET || generateWebhookSecret();
  const devApiKey = env.DEV_API_KEY || `dev_${randomBytes(24).toString('base64url')}`;
  let embedded: EmbeddedStore | undefined;
  let storeLocation = env.DYNAMODB_ENDPOINT ?? '';
  if (!env.DYNAMODB_ENDPOINT) {
    const path = env.LOCAL_DB_PATH || '.data/dynamodb';
    embedded = await startEmbeddedStore({ path });
    env.DYNAMODB_ENDPOINT = embedded.endpoint;
    storeLocation = path;
  }
  const config = loadConfig({ ...env, TELEGRAM_WEBHOOK_SECRET: webhookSecret });
  const client = createDocumentClient({
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
  });
  const store: StoreContext = { client, tableName: config.TABLE_NAME };
  await ensureTable(client, config.TABLE_NAME);

  const secrets = {
    webhookSecret,
    botToken: config.TELEGRAM_BOT_TOKEN,
    cursorSecret: config.CURSOR_SECRET,
  };
  const webhookDeps = await buildWebhookDeps(config, secrets, { store });
  await registerApiKey(store, { key: devApiKey, name: 'dev (npm start)', scope: 'admin' });
  const lookupDeps = buildLookupDeps(config, secrets, { store });
  const routes: { match: (path: string) => boolean; handler: Handler }[] = [
    { match: (p) => p === '/telegram/webhook', handler: createWebhookHandler(webhookDeps) },
    { match: (p) => p.startsWith('/v1/'), handler: createLookupHandler(lookupDeps) },
  ];

  let inFlight = 0;
  let drained: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/health') {
        sendResult(res, jsonResponse(200, { ok: true }));
        return;
      }
      const route = routes.find((r) => r.match(path));
      if (!route) {
        sendResult(res, problemResponse(404, `no route for ${path}`));
        return;
      }
      const body = await readBody(req);
      sendResult(res, await route.handler(toEvent(req, body)));
    } catch (err: unknown) {
      const status = err instanceof BodyTooLargeError ? 413 : 500;
      if (!res.headersSent) sendResult(res, problemResponse(status, 'request failed'));
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  });
  // Empty means unset: an empty HOST must not bind every interface.
  const host = options.host ?? (env.HOST || '127.0.0.1');
  const port = options.port ?? Number(env.PORT || 3000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${shownHost}:${address.port}`,
    webhookSecret,
    devApiKey,
    storeLocation,
    dynamoEndpoint: config.DYNAMODB_ENDPOINT ?? '',
    config,
    store,
    webhookDeps,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        server.closeAllConnections();
        await closed;
        client.destroy();
        await embedded?.close();
      })();
      return closing;
    },
  };
}
