/** A fresh in-memory table on an embedded dynalite for a test file. */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, type StoreContext } from '../../lib/store/client.ts';
import { ensureTable } from '../../lib/store/table-setup.ts';
import { startEmbeddedStore } from '../../scripts/local/embedded-store.ts';

/**
 * Retention of test tables (RETENTION_DAYS as the store applies it). The fixtures are dated
 * from November 2025: with the production default (400 days) their events and months would
 * expire as the calendar moves on (events from 29 December 2026, months from 5 January 2027)
 * and every test reading them would fail. Tests of retention set their own
 * (`createTestWebhook` / `createTestLookup` with `env: { RETENTION_DAYS }`).
 */
export const TEST_RETENTION_DAYS = 36_500;

export interface TestStore extends StoreContext {
  endpoint: string;
  client: DynamoDBDocumentClient;
  /** A new empty table on the same store; returns its context. */
  freshTable(): Promise<TestStore>;
  close(): Promise<void>;
}

export async function startTestStore(): Promise<TestStore> {
  const store = await startEmbeddedStore({ path: 'memory' });
  const client = createDocumentClient({
    region: 'us-east-1',
    endpoint: store.endpoint,
    maxAttempts: 1,
  });
  const make = async (): Promise<TestStore> => {
    const tableName = `t-${randomUUID().slice(0, 8)}`;
    await ensureTable(client, tableName);
    return {
      endpoint: store.endpoint,
      client,
      tableName,
      retentionDays: TEST_RETENTION_DAYS,
      freshTable: make,
      close: async () => {
        client.destroy();
        await store.close();
      },
    };
  };
  return make();
}
