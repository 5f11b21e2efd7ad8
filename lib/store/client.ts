/** DynamoDB clients, created once per cold start. */
import { createHmac } from 'node:crypto';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.ts';

export interface StoreContext {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** How long events and per-day activity are kept (RETENTION_DAYS); 400 when absent. */
  retentionDays?: number;
  /**
   * The key of the phone hashes an erasure leaves behind (`phoneKeyFrom`, derived
   * from the bot token, which every function has); a fixed local key when absent.
   */
  phoneKey?: string;
}

export interface ClientOptions {
  region: string;
  /** A DynamoDB-compatible endpoint (local store); AWS's own when absent. */
  endpoint?: string;
  maxAttempts?: number;
}

/** A DocumentClient that drops undefined values and keeps numbers as JS numbers. */
export function createDocumentClient(options: ClientOptions): DynamoDBDocumentClient {
  const config: DynamoDBClientConfig = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 3,
  };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    // The embedded store accepts any credentials; never look for real ones locally.
    config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * The table the configuration names, through a client created for it. `secrets.botToken`
 * keys the phone hashes of erasures (phone-floor.ts): every function that erases or records
 * passes it, so that they agree.
 */
export function storeFromConfig(
  config: Config,
  secrets: { botToken?: string | undefined } = {},
): StoreContext {
  const phoneKey = phoneKeyFrom(secrets.botToken);
  return {
    client: createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
    tableName: config.TABLE_NAME,
    retentionDays: config.RETENTION_DAYS,
    ...(phoneKey ? { phoneKey } : {}),
  };
}

/**
 * The phone-hash key of a deployment: an HMAC of a fixed label under the bot token (so the
 * token itself is never the key of anything stored). Undefined without a token.
 */
export function phoneKeyFrom(botToken: string | undefined): string | undefined {
  if (!botToken) return undefined;
  return createHmac('sha256', botToken).update('telegram-contacts phone floor v1').digest('hex');
}
