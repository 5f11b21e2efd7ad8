/** Telegram webhook (Lambda Function URL, payload v2 like an HTTP API): verify, record, answer. */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { loadConfig } from '../lib/config.ts';
import { emptyResponse, errorToResponse, jsonResponse } from '../lib/http/http-error.ts';
import { DEPS_MAX_AGE_MS, describeError, memoizeDeps } from '../lib/http/lazy-deps.ts';
import { beginInvocation, levelForStatus, logger } from '../lib/logger.ts';
import { loadSecrets } from '../lib/secrets.ts';
import { processUpdate } from '../lib/webhook/process-update.ts';
import { buildWebhookDeps, type WebhookDeps } from '../lib/webhook/webhook-deps.ts';
import { parseWebhookRequest } from '../lib/webhook/webhook-request.ts';

export type WebhookHandler = (
  event: APIGatewayProxyEventV2,
  lambdaContext?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export function createHandler(
  deps: WebhookDeps | ((previous: WebhookDeps | undefined) => Promise<WebhookDeps>),
): WebhookHandler {
  const getDeps = memoizeDeps(deps, { maxAgeMs: DEPS_MAX_AGE_MS });
  return async (event, lambdaContext) => {
    const started = Date.now();
    beginInvocation(lambdaContext);
    try {
      const { webhookSecret, processor } = await getDeps();
      const update = parseWebhookRequest(event, webhookSecret);
      const result = await processUpdate(processor, update);
      logger.info('update handled', {
        updateId: update.update_id,
        kind: result.kind,
        duplicate: result.duplicate,
        ms: Date.now() - started,
      });
      return result.reply ? jsonResponse(200, result.reply) : emptyResponse(200);
    } catch (err: unknown) {
      const response = errorToResponse(err);
      const status = response.statusCode ?? 500;
      // A wrong secret token means a misconfigured webhook or a stranger: worth a warning.
      logger[levelForStatus(status, [401])]('update rejected', { status, ...describeError(err) });
      return response;
    }
  };
}

export const handler = createHandler(async (previous) => {
  const config = loadConfig();
  const store = previous?.processor.store;
  return buildWebhookDeps(config, await loadSecrets(config), store ? { store } : {});
});
