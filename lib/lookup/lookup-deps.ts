/** Builds what the lookup handler needs from config and secrets, once per cold start. */

import { type ApiKeyAuth, createApiKeyAuth } from '../access/api-key-auth.ts';
import { findApiKey } from '../access/api-keys.ts';
import { createRateLimiter, type RateLimiter } from '../access/rate-limiter.ts';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { createCursorCodec } from '../http/cursor.ts';
import type { Secrets } from '../secrets.ts';
import { storeFromConfig } from '../store/client.ts';
import { botApiFromConfig } from '../telegram/bot-api.ts';
import type { LookupContext } from './context.ts';

export interface LookupDeps {
  context: LookupContext;
  auth: ApiKeyAuth;
  limiter: RateLimiter;
}

export interface LookupDepsOverrides extends Partial<Omit<LookupContext, 'cursors'>> {
  /** Milliseconds clock for the key cache, the rate limiter and cursor expiry (tests). */
  now?: () => number;
  /** An existing key cache and rate limiter (kept when dependencies are rebuilt). */
  auth?: ApiKeyAuth;
  limiter?: RateLimiter;
}

export function buildLookupDeps(
  config: Config,
  secrets: Secrets,
  overrides: LookupDepsOverrides = {},
): LookupDeps {
  // Locally the webhook secret doubles as the cursor key; deployed, CURSOR_SECRET_PARAM.
  const cursorSecret = secrets.cursorSecret ?? secrets.webhookSecret;
  if (!cursorSecret) {
    throw new ConfigError('CURSOR_SECRET (or CURSOR_SECRET_PARAM) is required to sign cursors');
  }
  const store = overrides.store ?? storeFromConfig(config, secrets);
  const botApi = overrides.botApi ?? botApiFromConfig(config, secrets);
  const now = overrides.now;
  return {
    context: {
      store,
      botApi,
      cursors: createCursorCodec(cursorSecret, now ? { now } : {}),
      ...(overrides.limits ? { limits: overrides.limits } : {}),
      eventsAllowLoopback: config.EVENTS_ALLOW_LOOPBACK,
      ...(now ? { now } : {}),
    },
    auth:
      overrides.auth ??
      createApiKeyAuth({
        find: (hash) => findApiKey(store, hash),
        cacheSeconds: config.API_KEY_CACHE_SECONDS,
        ...(now ? { now } : {}),
      }),
    limiter:
      overrides.limiter ??
      createRateLimiter({
        ratePerSecond: config.RATE_LIMIT_RPS,
        burst: config.RATE_LIMIT_BURST,
        ...(now ? { now } : {}),
      }),
  };
}
