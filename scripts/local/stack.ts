/**
 * The local stack: embedded store (or DYNAMODB_ENDPOINT), table, and the real handlers
 * behind a small HTTP server, on the same paths as deployed. Used by `npm start`, the
 * load test and the tests that start the server.
 *
 * On a data directory it keeps its secrets there (stable across restarts, see local-state.ts)
 * and, while it runs, says where it is, so the other commands find it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler as createLookupHandler } from '../../functions/lookup.ts';
import { createHandler as createWebhookHandler } from '../../functions/webhook.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { sendWebhook } from '../../lib/events/send-webhook.ts';
import { BODY_TOO_LARGE } from '../../lib/http/event.ts';
import { jsonResponse, problemResponse } from '../../lib/http/http-error.ts';
import { buildLookupDeps } from '../../lib/lookup/lookup-deps.ts';
import { broadcastSenderFromConfig } from '../../lib/messaging/broadcast-deps.ts';
import { createBroadcastRunner } from '../../lib/messaging/broadcast-runner.ts';
import { createDocumentClient, type StoreContext } from '../../lib/store/client.ts';
import { ensureTable } from '../../lib/store/table-setup.ts';
import { verifyWebhookSecret } from '../../lib/telegram/webhook-secret.ts';
import { buildWebhookDeps, type WebhookDeps } from '../../lib/webhook/webhook-deps.ts';
import { SECRET_HEADER } from '../../lib/webhook/webhook-request.ts';
import { keepOneDevKey } from './dev-key.ts';
import { type EmbeddedStore, startEmbeddedStore } from './embedded-store.ts';
import { BodyTooLargeError, dropRest, readBody, sendResult, toEvent } from './http-event.ts';
import { startLocalDispatcher } from './local-dispatcher.ts';
import { localBotIdentity } from './local-identity.ts';
import {
  dataDirectoryOf,
  type LocalSecrets,
  loadLocalSecrets,
  newLocalSecrets,
  removeStackState,
  writeStackState,
} from './local-state.ts';
import { type BelowMark, belowQueueMark } from './queue-mark.ts';
import { describeUpdate, type RequestLogEntry } from './request-log.ts';

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalStackOptions {
  env?: Record<string, string | undefined>;
  /** Overrides HOST / PORT (0 picks a free port). */
  host?: string;
  port?: number;
  /**
   * Called after each delivery attempt of a subscriber event, with the dispatcher's log line
   * (its message and fields, as the deployed function logs them; npm start prints it).
   */
  onDelivery?: (message: string, fields: Record<string, unknown>) => void;
  /** Called when a broadcast starts, pauses, stops or finishes (npm start prints it). */
  onBroadcast?: (message: string, fields: Record<string, unknown>) => void;
  /** Called when a pass of the local dispatcher fails (it tries again on the next). */
  onDispatchError?: (err: unknown) => void;
  /**
   * Called when a webhook update's id was below its chat queue's mark, so its chat counters
   * did not count it (queue-mark.ts; npm start prints it). Costs a read per update: only set
   * it where a person reads the output.
   */
  onBelowMark?: (below: BelowMark) => void;
  /** Called after each request is answered (npm start prints it on a terminal). */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface LocalStack {
  url: string;
  webhookSecret: string;
  devApiKey: string;
  /** Where the data lives: a directory, `memory`, or the external endpoint. */
  storeLocation: string;
  /** True when the secrets come from the data directory (kept across restarts). */
  secretsKept: boolean;
  /** The DynamoDB endpoint in use (the embedded store's, for `DYNAMODB_ENDPOINT=... npm run apikey`). */
  dynamoEndpoint: string;
  /** `@username`, or undefined when unknown (no TELEGRAM_BOT_USERNAME, no working getMe). */
  botUsername: string | undefined;
  config: Config;
  store: StoreContext;
  webhookDeps: WebhookDeps;
  /** Stops accepting requests, waits for those in flight, then closes the store. */
  close(): Promise<void>;
}

/** `PORT` as a TCP port (0 picks a free one); a ConfigError naming it otherwise. */
export function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65_535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, not "${raw}"`);
  }
  return port;
}

/** Explicit TELEGRAM_WEBHOOK_SECRET, CURSOR_SECRET and DEV_API_KEY win over kept ones. */
function secretsFor(env: Record<string, string | undefined>, kept: LocalSecrets): LocalSecrets {
  return {
    webhookSecret: env.TELEGRAM_WEBHOOK_SECRET || kept.webhookSecret,
    cursorSecret: env.CURSOR_SECRET || kept.cursorSecret,
    devApiKey: env.DEV_API_KEY || kept.devApiKey,
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = { ...(options.env ?? process.env) };
  // Empty means unset: an empty HOST must not bind every interface.
  const host = options.host ?? (env.HOST || '127.0.0.1');
  const port = options.port ?? parsePort(env.PORT);
  const dataDirectory = dataDirectoryOf(env);
  let embedded: EmbeddedStore | undefined;
  let storeLocation = env.DYNAMODB_ENDPOINT ?? '';
  if (!env.DYNAMODB_ENDPOINT) {
    embedded = await startEmbeddedStore({ path: dataDirectory ?? 'memory' });
    env.DYNAMODB_ENDPOINT = embedded.endpoint;
    storeLocation = dataDirectory ?? 'memory';
  }
  const secrets = secretsFor(
    env,
    dataDirectory ? loadLocalSecrets(dataDirectory) : newLocalSecrets(),
  );
  let config = loadConfig({
    ...env,
    TELEGRAM_WEBHOOK_SECRET: secrets.webhookSecret,
    CURSOR_SECRET: secrets.cursorSecret,
    // A developer receives events on their own machine (http://127.0.0.1:...) unless told not to.
    EVENTS_ALLOW_LOOPBACK: env.EVENTS_ALLOW_LOOPBACK || 'true',
  });
  const identity = await localBotIdentity(config);
  // Unknown: the placeholder the webhook would fall back to, so it does not warn again.
  config = Object.freeze({ ...config, TELEGRAM_BOT_USERNAME: identity?.username ?? 'bot' });
  const client = createDocumentClient({
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
  });
  const store: StoreContext = {
    client,
    tableName: config.TABLE_NAME,
    retentionDays: config.RETENTION_DAYS,
  };
  await ensureTable(client, config.TABLE_NAME);

  const handlerSecrets = {
    webhookSecret: secrets.webhookSecret,
    botToken: config.TELEGRAM_BOT_TOKEN,
    cursorSecret: secrets.cursorSecret,
  };
  const webhookDeps = await buildWebhookDeps(config, handlerSecrets, { store });
  await keepOneDevKey(store, secrets.devApiKey);
  const lookupDeps = buildLookupDeps(config, handlerSecrets, { store });
  const dispatcher = startLocalDispatcher(
    {
      store,
      post: (request) => sendWebhook({ ...request, allowLoopback: config.EVENTS_ALLOW_LOOPBACK }),
      ...(options.onDelivery ? { log: options.onDelivery } : {}),
      // Broadcasts go out a second's slice per pass, paced across passes (BROADCAST_RATE).
      broadcasts: createBroadcastRunner(store, async () =>
        broadcastSenderFromConfig(config, handlerSecrets, store, {
          ...(options.onBroadcast ? { log: options.onBroadcast } : {}),
        }),
      ),
    },
    { onError: (err) => options.onDispatchError?.(err) },
  );
  const routes: { match: (path: string) => boolean; handler: Handler; webhook?: true }[] = [
    {
      match: (p) => p === '/telegram/webhook',
      handler: createWebhookHandler(webhookDeps),
      webhook: true,
    },
    { match: (p) => p.startsWith('/v1/'), handler: createLookupHandler(lookupDeps) },
  ];

  const webhookMayPost = (req: IncomingMessage) => {
    const token = req.headers[SECRET_HEADER];
    return (
      req.method === 'POST' &&
      typeof token === 'string' &&
      verifyWebhookSecret(secrets.webhookSecret, token)
    );
  };

  let inFlight = 0;
  let drained: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    const started = performance.now();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let update: string | undefined;
    try {
      if (path === '/health') {
        sendResult(res, jsonResponse(200, { ok: true }));
        return;
      }
      const route = routes.find((r) => r.match(path));
      if (!route) {
        sendResult(res, problemResponse(404, `no route for ${path}`));
        return;
      }
      // The webhook answers 405 and 401 from the request line and headers alone, as deployed,
      // before any body: a stranger's body (however large) is discarded, never kept or parsed.
      const refused = route.webhook && !webhookMayPost(req);
      if (refused) await dropRest(req);
      const body = refused ? Buffer.alloc(0) : await readBody(req);
      if (route.webhook && options.onRequest) update = describeUpdate(body);
      const result = await route.handler(toEvent(req, body));
      sendResult(res, result);
      if (route.webhook && options.onBelowMark && result.statusCode === 200) {
        const below = await belowQueueMark(store, body).catch(() => undefined);
        if (below) options.onBelowMark(below);
      }
    } catch (err: unknown) {
      const answer =
        err instanceof BodyTooLargeError
          ? problemResponse(413, BODY_TOO_LARGE)
          : problemResponse(500, 'request failed');
      if (err instanceof BodyTooLargeError) await dropRest(req);
      if (!res.headersSent) sendResult(res, answer);
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
      options.onRequest?.({
        method: req.method ?? 'GET',
        path,
        status: res.statusCode,
        ms: performance.now() - started,
        ...(update ? { update } : {}),
      });
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err: unknown) {
    await dispatcher.stop();
    client.destroy();
    await embedded?.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ConfigError(
        `${host}:${port} is already in use: set PORT to another port (0 picks a free one)`,
      );
    }
    throw err;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  const dynamoEndpoint = config.DYNAMODB_ENDPOINT ?? '';
  if (dataDirectory) {
    writeStackState(dataDirectory, {
      pid: process.pid,
      url,
      dynamoEndpoint,
      tableName: config.TABLE_NAME,
      dataDirectory,
      webhookSecret: secrets.webhookSecret,
      devApiKey: secrets.devApiKey,
      startedAt: new Date().toISOString(),
    });
  }

  return {
    url,
    webhookSecret: secrets.webhookSecret,
    devApiKey: secrets.devApiKey,
    storeLocation,
    secretsKept: dataDirectory !== undefined,
    dynamoEndpoint,
    botUsername: identity ? `@${identity.username}` : undefined,
    config,
    store,
    webhookDeps,
    close() {
      closing ??= (async () => {
        if (dataDirectory) removeStackState(dataDirectory, process.pid);
        await dispatcher.stop();
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
