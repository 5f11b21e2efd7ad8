/**
 * `npm run loadtest --url` against a stack with its ordinary per-key rate limit: the check
 * waits out the 429s together (not one retry storm per worker) and says it did, with what to
 * change.
 */

import { describe, expect, it } from 'vitest';
import { formatResult, runLoadTest } from '../../../scripts/loadtest-run.ts';
import { rateLimitEnv, useLocalStack } from '../../helpers/local-stack.ts';

const stack = useLocalStack({
  env: { TELEGRAM_BOT_USERNAME: 'loadtest_bot', ...rateLimitEnv(20, 4) },
});

describe('npm run loadtest against a rate-limited lookup API', () => {
  it('counts and reports the 429s of its check, waiting them out together', async () => {
    const phases: string[] = [];
    const options = {
      url: stack.url,
      webhookSecret: stack.webhookSecret,
      apiKey: stack.devApiKey,
      updates: 60,
      concurrency: 10,
      users: 12,
      chats: 3,
      progress: { phase: (text: string) => phases.push(text), count() {} },
    };

    const result = await runLoadTest(options);

    expect(result.mismatches).toEqual([]);
    const lookups = result.checked.contacts + result.checked.chats * 2;
    expect(result.rateLimited).toBeGreaterThan(0);
    // Waited out together: far fewer 429s than a retry per worker per refusal would give.
    expect(result.rateLimited).toBeLessThan(lookups);
    expect(phases.filter((p) => p.includes('429'))).toHaveLength(1);
    const report = formatResult(result, options);
    expect(report).toMatch(
      new RegExp(`rate limited: the check got ${result.rateLimited} answers 429`),
    );
    expect(report).toContain('RATE_LIMIT_RPS=1000');
  }, 60_000);
});
