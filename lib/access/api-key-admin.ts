/**
 * Administration of lookup API keys (the `npm run apikey` CLI and the local stack): create,
 * register a chosen key, list, revoke. Items are listed through GSI1 (`APIKEYS`, by creation
 * time); a revoked key keeps its item with `revokedAt`, so `list` shows it and it can never
 * be used again. Every key written here stores `phones` (true or false) explicitly: only
 * items written before the permission existed lack it, and those keep seeing phones
 * (api-keys.ts `itemHasPhones`).
 */
import { randomBytes } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getItems, tableKeys } from '../store/batch-get.ts';
import type { StoreContext } from '../store/client.ts';
import { isConditionalCheckFailed, toStoreError } from '../store/dynamo-errors.ts';
import { queryAll } from '../store/query.ts';
import { API_KEYS_INDEX_PK, apiKeyIndexKeys, apiKeyKey } from '../store/service-keys.ts';
import { GSI1 } from '../store/table.ts';
import {
  API_KEY_PREFIX,
  type ApiKeyRecord,
  type ApiScope,
  hashApiKey,
  toApiKeyRecord,
} from './api-keys.ts';

/** A new key: prefix plus 256 random bits, base64url. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

const newKeyId = () => `key_${randomBytes(6).toString('hex')}`;

/** What a new or registered key is: `phones` asks for the phones permission (admin: always). */
export interface ApiKeyInput {
  name: string;
  scope: ApiScope;
  /** Answers may carry phone numbers; default false (admin keys have it whatever is given). */
  phones?: boolean;
}

/** The stored `phones` attribute of a key: true for admin keys, else what was asked. */
const phonesOf = (input: ApiKeyInput): boolean => input.scope === 'admin' || input.phones === true;

/** Stores a new random key; returns it (shown once, never stored) and its record. */
export async function createApiKey(
  ctx: StoreContext,
  input: ApiKeyInput,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = generateApiKey();
  const record: ApiKeyRecord = {
    id: newKeyId(),
    name: input.name,
    scope: input.scope,
    phones: phonesOf(input),
    createdAt: new Date().toISOString(),
  };
  try {
    await ctx.client.send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: {
          ...apiKeyKey(hashApiKey(key)),
          ...apiKeyIndexKeys(record.createdAt, record.id),
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'api key create');
  }
  return { key, record };
}

/**
 * Registers a key chosen by the caller (the local stack's DEV_API_KEY). Idempotent: a key
 * already there keeps its id and creation time, and gets `scope`, `phones` and a lifted
 * revocation.
 */
export async function registerApiKey(
  ctx: StoreContext,
  input: ApiKeyInput & { key: string },
): Promise<ApiKeyRecord> {
  const createdAt = new Date().toISOString();
  const id = newKeyId();
  try {
    const { Attributes } = await ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: apiKeyKey(hashApiKey(input.key)),
        UpdateExpression:
          'SET #id = if_not_exists(#id, :id), #name = if_not_exists(#name, :name), ' +
          '#created = if_not_exists(#created, :created), #scope = :scope, #phones = :phones, ' +
          '#gpk = :gpk, #gsk = if_not_exists(#gsk, :gsk) REMOVE #revoked',
        ExpressionAttributeNames: {
          '#id': 'id',
          '#name': 'name',
          '#created': 'createdAt',
          '#scope': 'scope',
          '#phones': 'phones',
          '#gpk': GSI1.partitionKey,
          '#gsk': GSI1.sortKey,
          '#revoked': 'revokedAt',
        },
        ExpressionAttributeValues: {
          ':id': id,
          ':name': input.name,
          ':created': createdAt,
          ':scope': input.scope,
          ':phones': phonesOf(input),
          ':gpk': API_KEYS_INDEX_PK,
          ':gsk': apiKeyIndexKeys(createdAt, id).gsi1sk,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toApiKeyRecord(Attributes ?? {});
  } catch (err: unknown) {
    throw toStoreError(err, 'api key register');
  }
}

/** The index entries of every key (keys only: `gsi1sk` is `<created>#<id>`), oldest first. */
function keyEntries(ctx: StoreContext): Promise<Record<string, unknown>[]> {
  return queryAll(ctx, {
    IndexName: GSI1.name,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': API_KEYS_INDEX_PK },
  });
}

/** Every key, oldest first; records carry no key and no hash. */
export async function listApiKeys(ctx: StoreContext): Promise<ApiKeyRecord[]> {
  try {
    return (await getItems(ctx, tableKeys(await keyEntries(ctx)))).map(toApiKeyRecord);
  } catch (err: unknown) {
    throw toStoreError(err, 'api key list');
  }
}

export type RevokeResult = 'revoked' | 'already-revoked' | 'not-found';

/** Marks the key with this id revoked; the item stays so the key can never come back. */
export async function revokeApiKey(ctx: StoreContext, id: string): Promise<RevokeResult> {
  try {
    const entry = (await keyEntries(ctx)).find((e) => String(e.gsi1sk).endsWith(`#${id}`));
    const [item] = entry ? await getItems(ctx, tableKeys([entry]), { consistent: true }) : [];
    if (!item) return 'not-found';
    if (typeof item.revokedAt === 'string') return 'already-revoked';
    await ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: { pk: String(item.pk), sk: String(item.sk) },
        UpdateExpression: 'SET revokedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
    return 'revoked';
  } catch (err: unknown) {
    if (isConditionalCheckFailed(err)) return 'already-revoked';
    throw toStoreError(err, 'api key revoke');
  }
}
