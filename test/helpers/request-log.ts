/**
 * Counts DynamoDB work: an AWS SDK middleware (like faults.ts's) that records every request a
 * client sends, with its command, the item keys it names or returns, and when it started and
 * ended. Used by the budget tests and `npm run bench`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/store/client.ts';

export interface ItemKey {
  pk: string;
  sk: string;
}

export interface RequestRecord {
  /** e.g. `GetItemCommand`. */
  command: string;
  /** `performance.now()` when the request was sent and when its answer (or error) came. */
  start: number;
  end: number;
  ok: boolean;
  /** Error name when it failed (`ConditionalCheckFailedException`, ...). */
  error?: string;
  consistentRead: boolean;
  /** Keys the request names (Key, Item, RequestItems). */
  keys: ItemKey[];
  /** Keys of the items it returned (Item, Items, Responses, Attributes). */
  returned: ItemKey[];
}

export interface RequestLog {
  records: RequestRecord[];
  reset(): void;
}

/** A string whether the value is a document value or a marshalled `{ S: ... }`. */
function plain(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { S?: unknown }).S === 'string') {
    return (value as { S: string }).S;
  }
  return undefined;
}

function keyOf(item: unknown): ItemKey[] {
  if (!item || typeof item !== 'object') return [];
  const { pk, sk } = item as Record<string, unknown>;
  const p = plain(pk);
  const s = plain(sk);
  return p !== undefined && s !== undefined ? [{ pk: p, sk: s }] : [];
}

function keysIn(value: unknown): ItemKey[] {
  if (!value || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  const keys = [...keyOf(v.Key), ...keyOf(v.Item), ...keyOf(v.Attributes)];
  for (const item of Array.isArray(v.Items) ? v.Items : []) keys.push(...keyOf(item));
  for (const map of [v.RequestItems, v.Responses]) {
    for (const entry of Object.values((map ?? {}) as Record<string, unknown>)) {
      const list = Array.isArray(entry) ? entry : ((entry as { Keys?: unknown[] }).Keys ?? []);
      for (const item of list) keys.push(...keyOf(item), ...keysIn(item));
    }
  }
  return keys;
}

function consistent(input: Record<string, unknown>): boolean {
  if (input.ConsistentRead === true) return true;
  const batch = Object.values((input.RequestItems ?? {}) as Record<string, unknown>);
  return batch.some((entry) => (entry as { ConsistentRead?: boolean }).ConsistentRead === true);
}

/** Adds the recording middleware to `client` and returns its log. */
export function recordRequests(client: DynamoDBDocumentClient): RequestLog {
  const records: RequestRecord[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const record: RequestRecord = {
        command: String(context.commandName),
        start: performance.now(),
        end: 0,
        ok: true,
        consistentRead: consistent(input),
        keys: keysIn(input),
        returned: [],
      };
      records.push(record);
      try {
        const result = await next(args);
        record.returned = keysIn(result.output);
        return result;
      } catch (err: unknown) {
        record.ok = false;
        record.error = err instanceof Error ? err.name : 'Error';
        throw err;
      } finally {
        record.end = performance.now();
      }
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return {
    records,
    reset() {
      records.length = 0;
    },
  };
}

/** A client on `endpoint` (retries off, so each request is one round trip) and its log. */
export function recordingClient(endpoint: string): {
  client: DynamoDBDocumentClient;
  log: RequestLog;
} {
  const client = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  return { client, log: recordRequests(client) };
}

/**
 * Sequential round trips on the critical path: the longest chain of requests in which each
 * starts after the previous one ended. Requests sent together overlap and count once.
 */
export function criticalPath(records: readonly RequestRecord[]): number {
  const byEnd = [...records].sort((a, b) => a.end - b.end);
  const chain: number[] = [];
  byEnd.forEach((record, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) {
      const before = byEnd[j] as RequestRecord;
      if (before.end <= record.start) best = Math.max(best, chain[j] ?? 0);
    }
    chain.push(best + 1);
  });
  return Math.max(0, ...chain);
}

/** Requests by command, e.g. `{ GetItemCommand: 1, UpdateItemCommand: 3 }`. */
export function countByCommand(records: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { command } of records) counts[command] = (counts[command] ?? 0) + 1;
  return counts;
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
]);

/** Requests that write (PutItem, UpdateItem, DeleteItem, BatchWriteItem). */
export function isWrite(record: RequestRecord): boolean {
  return WRITES.has(record.command);
}
