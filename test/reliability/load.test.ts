/**
 * The load test in small (`npm run loadtest` is the full one): 300 updates, 20 in flight,
 * through the local server, then every count checked through the lookup API.
 */

import { describe, expect, it } from 'vitest';
import { formatResult, runLoadTest } from '../../scripts/loadtest-run.ts';
import { rateLimitEnv, useLocalStack } from '../helpers/local-stack.ts';

const stack = useLocalStack({
  env: { TELEGRAM_BOT_USERNAME: 'loadtest_bot', ...rateLimitEnv(100000) },
});

describe('load', () => {
  it('counts each of 300 updates posted 20 at a time exactly once, redeliveries included', async () => {
    const options = {
      url: stack.url,
      webhookSecret: stack.webhookSecret,
      apiKey: stack.devApiKey,
      updates: 300,
      concurrency: 20,
      users: 40,
      chats: 5,
      redeliveries: 0.1,
    };
    const result = await runLoadTest(options);
    if (process.env.RELIABILITY_REPORT) console.log(formatResult(result, options));
    expect(result.mismatches).toEqual([]);
    expect(result.requests).toBeGreaterThan(300);
    expect(result.statuses).toEqual({ 200: result.requests });
    expect(result.checked.chats).toBe(5);
    expect(result.checked.contacts).toBeGreaterThan(30);
    expect(result.checked.activityDays).toBeGreaterThan(20);
  }, 60_000);
});
