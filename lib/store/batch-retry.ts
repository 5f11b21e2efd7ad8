/** Batch requests DynamoDB may leave partly unprocessed (throttling): retried with backoff. */

const MAX_ATTEMPTS = 8;

/**
 * Sends `requests`, then whatever `send` returns as unprocessed, with exponential backoff
 * (50 ms, 100 ms, ...) until nothing is left; throws after MAX_ATTEMPTS sends.
 */
export async function sendUntilProcessed<T>(
  requests: T[],
  send: (batch: T[]) => Promise<T[]>,
  what: string,
): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new Error(`unprocessed ${what} after retries`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    pending = await send(pending);
  }
}
