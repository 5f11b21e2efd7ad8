/**
 * The single source of truth for the table's key schema: used by the local stack to create
 * the table, by tests, and checked against serverless.yml's generated CloudFormation.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** Reverse lookups: members of a chat, shared entries naming a user, API keys. */
export const GSI1 = { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;
/** Exact-match lookups: usernames and verified phones (keys only, no range key). */
export const GSI2 = { name: 'gsi2', partitionKey: 'gsi2pk' } as const;
/** Epoch seconds after which DynamoDB TTL may delete an item (update markers). */
export const TTL_ATTRIBUTE = 'expiresAt';

export const KEY_SCHEMA = [
  { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
  { AttributeName: SORT_KEY, KeyType: 'RANGE' },
] as const;

export const ATTRIBUTE_DEFINITIONS = [
  { AttributeName: PARTITION_KEY, AttributeType: 'S' },
  { AttributeName: SORT_KEY, AttributeType: 'S' },
  { AttributeName: GSI1.partitionKey, AttributeType: 'S' },
  { AttributeName: GSI1.sortKey, AttributeType: 'S' },
  { AttributeName: GSI2.partitionKey, AttributeType: 'S' },
] as const;

export const GLOBAL_SECONDARY_INDEXES = [
  {
    IndexName: GSI1.name,
    KeySchema: [
      { AttributeName: GSI1.partitionKey, KeyType: 'HASH' },
      { AttributeName: GSI1.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  },
  {
    IndexName: GSI2.name,
    KeySchema: [{ AttributeName: GSI2.partitionKey, KeyType: 'HASH' }],
    Projection: { ProjectionType: 'KEYS_ONLY' },
  },
] as const;

/** CreateTable input for the local store and tests (on-demand, like the deployed table). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: KEY_SCHEMA.map((k) => ({ ...k })),
    AttributeDefinitions: ATTRIBUTE_DEFINITIONS.map((a) => ({ ...a })),
    GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => ({
      ...index,
      KeySchema: index.KeySchema.map((k) => ({ ...k })),
      Projection: { ...index.Projection },
    })),
  };
}
