/**
 * Lookup API authentication: `Authorization: Bearer <key>` or `x-api-key: <key>`.
 * The key is hashed (SHA-256) and looked up by its hash, so no secret is compared byte by
 * byte. Verified answers (found, revoked, or unknown) are cached in memory for
 * `cacheSeconds`, so a warm instance spends no read on auth: a revocation reaches warm
 * instances within that time. Unknown keys are cached too (keys are random: a key that did
 * not exist when tried is not about to be created), which bounds reads under a key-guessing flood.
 */

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { setBounded } from '../bounded-map.ts';
import { header } from '../http/event.ts';
import { HttpError } from '../http/http-error.ts';
import { API_SCOPES, type ApiKeyRecord, type ApiScope, hashApiKey } from './api-keys.ts';

/** Keys longer than this are refused without a lookup. */
const MAX_KEY_LENGTH = 256;

export interface ApiCaller {
  keyId: string;
  name: string;
  scope: ApiScope;
  /** The key's `phones` permission: without it no answer carries a phone number. */
  phones: boolean;
}

export interface ApiKeyAuthOptions {
  /** Reads the key stored under a hash (one GetItem). */
  find(hash: string): Promise<ApiKeyRecord | null>;
  cacheSeconds: number;
  /** Milliseconds clock (injected by tests). */
  now?: () => number;
  maxEntries?: number;
}

export interface ApiKeyAuth {
  /** The caller behind the request's key; 401 without a valid key, 403 without `scope`. */
  authenticate(event: APIGatewayProxyEventV2, scope: ApiScope): Promise<ApiCaller>;
}

const CHALLENGE = { 'www-authenticate': 'Bearer' };

/** The key the request presents, or undefined. A malformed Authorization header is a 401. */
export function presentedApiKey(event: APIGatewayProxyEventV2): string | undefined {
  const authorization = header(event, 'authorization')?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) {
      throw new HttpError(401, 'Authorization must be "Bearer <API key>"', { headers: CHALLENGE });
    }
    return match[1];
  }
  const key = header(event, 'x-api-key')?.trim();
  return key || undefined;
}

/** Whether a key with scope `granted` may call a route that needs `needed` (read < write < admin). */
export function hasScope(granted: ApiScope, needed: ApiScope): boolean {
  return API_SCOPES.indexOf(granted) >= API_SCOPES.indexOf(needed);
}

export function createApiKeyAuth(options: ApiKeyAuthOptions): ApiKeyAuth {
  const now = options.now ?? Date.now;
  const ttlMs = options.cacheSeconds * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { record: ApiKeyRecord | null; expires: number }>();

  async function lookup(hash: string): Promise<ApiKeyRecord | null> {
    const cached = cache.get(hash);
    if (cached && cached.expires > now()) return cached.record;
    cache.delete(hash);
    const record = await options.find(hash);
    if (ttlMs > 0) {
      setBounded(cache, hash, { record, expires: now() + ttlMs }, maxEntries);
    }
    return record;
  }

  return {
    async authenticate(event, scope) {
      const key = presentedApiKey(event);
      if (key === undefined) {
        throw new HttpError(
          401,
          'missing API key: send "Authorization: Bearer <key>" or "x-api-key"',
          {
            headers: CHALLENGE,
          },
        );
      }
      const record = key.length > MAX_KEY_LENGTH ? null : await lookup(hashApiKey(key));
      if (!record || record.revokedAt !== undefined) {
        throw new HttpError(401, 'unknown or revoked API key', { headers: CHALLENGE });
      }
      if (!hasScope(record.scope, scope)) {
        throw new HttpError(
          403,
          `this API key has the ${record.scope} scope; this route needs ${scope}`,
        );
      }
      return { keyId: record.id, name: record.name, scope: record.scope, phones: record.phones };
    },
  };
}
