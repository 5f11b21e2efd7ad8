/** Lookup API (API Gateway HTTP API, payload v2): route, authenticate, validate, answer. */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { ApiCaller } from '../lib/access/api-key-auth.ts';
import { loadConfig } from '../lib/config.ts';
import { method } from '../lib/http/event.ts';
import { errorToResponse } from '../lib/http/http-error.ts';
import { DEPS_MAX_AGE_MS, describeError, memoizeDeps } from '../lib/http/lazy-deps.ts';
import { beginInvocation, levelForStatus, logger } from '../lib/logger.ts';
import { buildLookupDeps, type LookupDeps } from '../lib/lookup/lookup-deps.ts';
import { mayCarryPhones } from '../lib/lookup/phone-filter.ts';
import { parseRouteBody } from '../lib/lookup/route-body.ts';
import { matchRoute, parseRouteInput, requestPath, routeResponse } from '../lib/lookup/router.ts';
import { LOOKUP_ROUTES } from '../lib/lookup/routes.ts';
import { loadSecrets } from '../lib/secrets.ts';

export type LookupHandler = (
  event: APIGatewayProxyEventV2,
  lambdaContext?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export function createHandler(
  deps: LookupDeps | ((previous: LookupDeps | undefined) => Promise<LookupDeps>),
): LookupHandler {
  const getDeps = memoizeDeps(deps, { maxAgeMs: DEPS_MAX_AGE_MS });
  return async (event, lambdaContext) => {
    const started = Date.now();
    beginInvocation(lambdaContext);
    // Named on the handler's own lines, not appended to the logger: the local stack serves
    // requests and runs the dispatcher concurrently in one process, where appended keys would
    // stamp one request's key on another's lines (services name the key themselves).
    const keys: { operation?: string; keyId?: string } = {};
    try {
      const { context, auth, limiter } = await getDeps();
      const match = matchRoute(LOOKUP_ROUTES, method(event), requestPath(event));
      keys.operation = match.route.operationId;
      let caller: ApiCaller | undefined;
      if (match.route.scope !== 'public') {
        caller = await auth.authenticate(event, match.route.scope);
        keys.keyId = caller.keyId;
        limiter.enforce(caller.keyId);
      }
      const input = {
        ...parseRouteInput(match, event.queryStringParameters, event.headers),
        body: parseRouteBody(match.route, event),
      };
      const result = await match.route.run({ ...context, ...(caller ? { caller } : {}) }, input);
      const response = routeResponse(match.route, result, { phones: mayCarryPhones(caller) });
      logger.info('lookup', { ...keys, status: response.statusCode, ms: Date.now() - started });
      return response;
    } catch (err: unknown) {
      const response = errorToResponse(err);
      const status = response.statusCode ?? 500;
      logger[levelForStatus(status)]('lookup failed', { ...keys, status, ...describeError(err) });
      return response;
    }
  };
}

export const handler = createHandler(async (previous) => {
  const config = loadConfig();
  // Kept across the periodic rebuild: the client, the key cache and the rate buckets.
  const kept = previous
    ? { store: previous.context.store, auth: previous.auth, limiter: previous.limiter }
    : {};
  return buildLookupDeps(config, await loadSecrets(config), kept);
});
