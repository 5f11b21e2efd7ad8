/**
 * Every log line of an invocation carries the Lambda request id and the cold-start flag
 * (Powertools `addContext`), and no request's API key id reaches another's lines: the local
 * stack runs every function in one process, so the dispatcher's lines follow lookups'.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { logger } from '../../../lib/logger.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { httpEvent, webhookEvent } from '../../helpers/events.ts';
import { captureLogs } from '../../helpers/log-capture.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();

function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'telegram-contacts-test-lookup',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:telegram-contacts-test',
    memoryLimitInMB: '1024',
    callbackWaitsForEmptyEventLoop: true,
    logGroupName: '/aws/lambda/telegram-contacts-test',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The JSON lines `call` logged. */
async function linesOf(call: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const capture = captureLogs();
  try {
    await call();
  } finally {
    capture.stop();
  }
  return capture.entries();
}

describe('log context of an invocation', () => {
  it("stamps the lookup's lines with the request id, and drops the previous caller's keys", async () => {
    const api = await stack.lookup();
    const authorized = httpEvent({
      method: 'GET',
      path: '/v1/contacts/1',
      headers: { authorization: `Bearer ${api.readKey}` },
    });
    const [first] = (await linesOf(() => api.handler(authorized, lambdaContext('req-one')))).filter(
      (line) => line.message === 'lookup failed',
    );
    expect(first).toMatchObject({
      function_request_id: 'req-one',
      cold_start: expect.any(Boolean),
      operation: 'getContact',
      keyId: expect.stringMatching(/^key_/),
      status: 404,
    });

    // The next request names no key: its line must not carry the first caller's.
    const anonymous = httpEvent({ method: 'GET', path: '/v1/contacts/1' });
    const [second] = (await linesOf(() => api.handler(anonymous, lambdaContext('req-two')))).filter(
      (line) => line.message === 'lookup failed',
    );
    expect(second).toMatchObject({ function_request_id: 'req-two', status: 401 });
    expect(second).not.toHaveProperty('keyId');

    // A line logged after them, as the dispatcher's are locally, names no request's key.
    const [after] = await linesOf(async () => logger.info('sweep', { events: 0 }));
    expect(after).not.toHaveProperty('keyId');
    expect(after).not.toHaveProperty('operation');
  });

  it("stamps the webhook's lines with the request id", async () => {
    const webhook = await stack.webhook();
    const lines = await linesOf(() =>
      webhook(webhookEvent(loadUpdate('group-message')), lambdaContext('req-hook')),
    );
    const handled = lines.find((line) => line.message === 'update handled');
    expect(handled).toMatchObject({ function_request_id: 'req-hook', kind: expect.any(String) });
  });
});
