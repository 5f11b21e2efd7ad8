/**
 * The local stack (`npm start`'s code over HTTP, an in-memory table) for the tests of one file,
 * started in `beforeAll` and closed in `afterAll`.
 */
import { expect } from 'vitest';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../scripts/local/stack.ts';
import { WEBHOOK_SECRET } from './events.ts';
import { useStarted } from './stack-fixture.ts';
import { TEST_RETENTION_DAYS } from './store.ts';

/**
 * Registers `beforeAll` (start a local stack on a free port, its table in memory, the tests'
 * retention, plus `options.env`) and `afterAll` (close it). Returns the stack; its members may
 * be used from the scope's `beforeAll` on.
 */
export function useLocalStack(options: LocalStackOptions = {}): LocalStack {
  const env = {
    LOCAL_DB_PATH: 'memory',
    RETENTION_DAYS: String(TEST_RETENTION_DAYS),
    ...options.env,
  };
  return useStarted(() => startLocalStack({ port: 0, ...options, env }), 'useLocalStack');
}

/** The lookup's per-key rate limit as the stack's environment: `rps` a second, bursts of `burst`. */
export const rateLimitEnv = (rps: number, burst = rps) => ({
  RATE_LIMIT_RPS: String(rps),
  RATE_LIMIT_BURST: String(burst),
});

/** Posts each update to the stack's webhook with the secret; expects 200 for each. */
export async function postToWebhook(stack: LocalStack, ...updates: unknown[]): Promise<void> {
  for (const update of updates) {
    const response = await fetch(`${stack.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
      body: JSON.stringify(update),
    });
    expect(response.status).toBe(200);
  }
}
