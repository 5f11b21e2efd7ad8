/**
 * Log levels of the functions' answers: a 4xx is the client's ordinary mistake (INFO), a wrong
 * webhook secret is worth a warning (a misconfigured webhook, or a stranger), a 5xx is an error.
 */
import { describe, expect, it } from 'vitest';
import { levelForStatus } from '../../../lib/logger.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { webhookEvent } from '../../helpers/events.ts';
import { captureLogs } from '../../helpers/log-capture.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();

/** [level, status] of each line `message` that `call` logged. */
async function answerLevels(call: () => Promise<unknown>, message: string): Promise<unknown[]> {
  const capture = captureLogs();
  try {
    await call();
  } finally {
    capture.stop();
  }
  return capture
    .entries()
    .filter((entry) => entry.message === message)
    .map((entry) => [entry.level, entry.status]);
}

describe('log levels of answers', () => {
  it('maps statuses to levels', () => {
    expect(levelForStatus(404)).toBe('info');
    expect(levelForStatus(401, [401])).toBe('warn');
    expect(levelForStatus(503)).toBe('error');
  });

  it('logs the lookup API 4xx answers at INFO', async () => {
    const api = await stack.lookup();
    for (const [request, status] of [
      [{ path: '/v1/contacts/1' }, 404],
      [{ path: '/v1/contacts/x' }, 400],
      [{ path: '/v1/contacts/1', key: null }, 401],
      [{ path: '/v1/contacts/1', method: 'DELETE' }, 403],
    ] as const) {
      expect(await answerLevels(() => api.call(request), 'lookup failed')).toEqual([
        ['INFO', status],
      ]);
    }
  });

  it('logs a bad webhook request at INFO and a wrong secret at WARN', async () => {
    const webhook = await stack.webhook();
    const update = loadUpdate('group-message');
    expect(
      await answerLevels(() => webhook(webhookEvent(update, { method: 'GET' })), 'update rejected'),
    ).toEqual([['INFO', 405]]);
    expect(
      await answerLevels(
        () => webhook(webhookEvent(update, { secret: 'wrong' })),
        'update rejected',
      ),
    ).toEqual([['WARN', 401]]);
  });
});
