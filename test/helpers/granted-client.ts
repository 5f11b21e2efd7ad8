/**
 * A store client held to one function's declared grants (lib/store/grants/), as its deployed
 * role holds it: a request the role would refuse fails with AccessDeniedException before it
 * reaches the store, so a test that runs a function's code through it fails on a key kind the
 * declaration (and so serverless.yml) does not grant. DynamoDB's own check is on the request's
 * partition keys (`dynamodb:LeadingKeys`): the Key or Item of a single-item request, every
 * item's of a batch, the partition key value of a Query's key condition.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type FunctionGrants,
  permits,
  type TableAction,
  type Target,
} from '../../lib/store/grants/grants.ts';
import { GSI1, GSI2, PARTITION_KEY } from '../../lib/store/table.ts';

const ACTIONS: Record<string, TableAction> = {
  GetCommand: 'GetItem',
  BatchGetCommand: 'BatchGetItem',
  QueryCommand: 'Query',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  BatchWriteCommand: 'BatchWriteItem',
};

type Input = Record<string, unknown> & {
  Key?: Record<string, unknown>;
  Item?: Record<string, unknown>;
  RequestItems?: Record<string, unknown>;
  IndexName?: string;
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
};

export interface DynamoRequest {
  action: string;
  target: Target;
  leadingKeys: string[];
}

const pkOf = (item: Record<string, unknown> | undefined) =>
  item?.[PARTITION_KEY] === undefined ? [] : [String(item[PARTITION_KEY])];

/** The value the key condition gives `attribute` (`attr = :v`, names resolved). */
function conditionValue(input: Input, attribute: string): string[] {
  const names = input.ExpressionAttributeNames ?? {};
  for (const [, left, right] of (input.KeyConditionExpression ?? '').matchAll(
    /([#\w]+)\s*=\s*(:\w+)/g,
  )) {
    const name = left?.startsWith('#') ? names[left] : left;
    const value = input.ExpressionAttributeValues?.[right ?? ''];
    if (name === attribute && value !== undefined) return [String(value)];
  }
  return [];
}

/** What IAM sees of a command: its action, the table or index, its partition keys. */
export function requestOf(command: { constructor: { name: string }; input: unknown }) {
  const name = command.constructor.name;
  const input = command.input as Input;
  const action = ACTIONS[name] ?? name.replace(/Command$/, '');
  if (action === 'Query') {
    const target: Target =
      input.IndexName === GSI1.name ? 'gsi1' : input.IndexName === GSI2.name ? 'gsi2' : 'table';
    const attribute =
      target === 'gsi1' ? GSI1.partitionKey : target === 'gsi2' ? GSI2.partitionKey : PARTITION_KEY;
    return { action, target, leadingKeys: conditionValue(input, attribute) };
  }
  const batch = Object.values(input.RequestItems ?? {}) as unknown[];
  const leadingKeys =
    action === 'BatchGetItem'
      ? batch.flatMap((entry) => (entry as { Keys: Record<string, unknown>[] }).Keys.flatMap(pkOf))
      : action === 'BatchWriteItem'
        ? batch.flatMap((entry) =>
            (entry as { PutRequest?: { Item: never }; DeleteRequest?: { Key: never } }[]).flatMap(
              (w) => pkOf(w.PutRequest?.Item ?? w.DeleteRequest?.Key),
            ),
          )
        : pkOf(input.Key ?? input.Item);
  return { action, target: 'table' as Target, leadingKeys };
}

export class AccessDeniedError extends Error {
  override name = 'AccessDeniedException';
}

/**
 * `client` as seen through `grants`: every request is checked first; `denied` (if given)
 * collects what was refused, for a test to report all of it at once.
 */
export function grantedClient(
  client: DynamoDBDocumentClient,
  grants: FunctionGrants,
  denied: DynamoRequest[] = [],
): DynamoDBDocumentClient {
  const send = (command: { constructor: { name: string }; input: unknown }) => {
    const request = requestOf(command);
    if (!permits(grants, request.action as TableAction, request.target, request.leadingKeys)) {
      denied.push(request);
      return Promise.reject(
        new AccessDeniedError(
          `not granted: ${request.action} on ${request.target} for ${request.leadingKeys.join(', ') || 'no leading key'}`,
        ),
      );
    }
    return (client.send as (c: unknown) => Promise<unknown>)(command);
  };
  return new Proxy(client, {
    get: (target, property, receiver) =>
      property === 'send' ? send : Reflect.get(target, property, receiver),
  });
}
