/**
 * Fault injection for DynamoDB: an AWS SDK middleware that fails chosen calls before they
 * reach the store, the way throttling, timeouts and 500s look to our code.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/store/client.ts';

export type FaultKind = 'throttle' | 'timeout' | 'server';

export function faultError(kind: FaultKind): Error {
  const names: Record<FaultKind, string> = {
    throttle: 'ProvisionedThroughputExceededException',
    timeout: 'TimeoutError',
    server: 'InternalServerError',
  };
  const err = new Error(`injected ${kind}`);
  err.name = names[kind];
  return err;
}

export interface FaultyClient {
  client: DynamoDBDocumentClient;
  /** Calls seen, by command name (e.g. UpdateItemCommand). */
  calls: string[];
  /** Decides per call whether to fail it. */
  decide: (command: string, index: number) => FaultKind | undefined;
}

/** A client on `endpoint` whose calls pass through `decide` (retries off: faults surface). */
export function faultyClient(
  endpoint: string,
  decide: FaultyClient['decide'] = () => undefined,
): FaultyClient {
  const client = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  const state: FaultyClient = { client, calls: [], decide };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const index = state.calls.push(command) - 1;
      const fault = state.decide(command, index);
      if (fault) throw faultError(fault);
      return next(args);
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  return state;
}
