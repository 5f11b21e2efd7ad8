/**
 * Lookup API keys. Only the SHA-256 of a key is stored (as the item's key), never the key:
 * a leaked table does not leak usable keys, and lookup by hash needs no secret comparison.
 * This module is what the lookup function needs (one GetItem); creating, listing and
 * revoking keys live in api-key-admin.ts, so the function's bundle holds no key writes.
 */
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../store/client.ts';
import { toStoreError } from '../store/dynamo-errors.ts';
import { apiKeyKey } from '../store/service-keys.ts';

/** Scopes in rising order: each grants what the ones before it grant. */
export const API_SCOPES = ['read', 'write', 'admin'] as const;
/** `read` reads; `write` also sets tags and notes and sends messages; `admin` also erases. */
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  scope: ApiScope;
  /**
   * The `phones` permission: answers may carry phone numbers. Admin keys always have it; a
   * key stored before the permission existed (no `phones` attribute) has it, so no deployed
   * client loses what it reads; a key created since has it only when asked for (`--phones`).
   */
  phones: boolean;
  createdAt: string;
  revokedAt?: string;
}

export const API_KEY_PREFIX = 'tck_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Whether a key item has the `phones` permission: admin keys always; others unless the item
 * says `phones: false` (written for every non-admin key created without the permission). An
 * item without the attribute predates the permission and keeps seeing phones.
 */
export function itemHasPhones(item: Record<string, unknown>, scope: ApiScope): boolean {
  return scope === 'admin' || item.phones !== false;
}

/** An API key item as a record: never the hash. */
export function toApiKeyRecord(item: Record<string, unknown>): ApiKeyRecord {
  const scope = API_SCOPES.includes(item.scope as ApiScope) ? (item.scope as ApiScope) : 'read';
  return {
    id: String(item.id),
    name: String(item.name ?? ''),
    scope,
    phones: itemHasPhones(item, scope),
    createdAt: String(item.createdAt),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
  };
}

/** The key stored under `hash`, revoked or not; null when there is none. One GetItem. */
export async function findApiKey(ctx: StoreContext, hash: string): Promise<ApiKeyRecord | null> {
  try {
    const { Item } = await ctx.client.send(
      new GetCommand({ TableName: ctx.tableName, Key: apiKeyKey(hash) }),
    );
    return Item ? toApiKeyRecord(Item) : null;
  } catch (err: unknown) {
    throw toStoreError(err, 'api key read');
  }
}
