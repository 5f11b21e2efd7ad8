/** Narrowing of DynamoDB SDK errors into domain results. */
import { StoreError } from '../errors.ts';

/** True for a failed ConditionExpression: a domain result, not a fault. */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** Wraps anything the store threw in a StoreError (the webhook answers 5xx for those). */
export function toStoreError(err: unknown, operation: string): StoreError {
  if (err instanceof StoreError) return err;
  const name = err instanceof Error ? err.name : 'Error';
  return new StoreError(`store ${operation} failed (${name})`, { cause: err });
}

/**
 * Runs writes concurrently and waits for all of them, so none is left running when one
 * fails; then throws the first failure as a StoreError.
 */
export async function settleAll<T>(operation: string, tasks: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw toStoreError(failed.reason, operation);
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
