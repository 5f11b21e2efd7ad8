/**
 * What must never leak: the secrets the security suite uses and the phone numbers in its
 * updates. Every security test file captures its logs from start to end and checks them
 * with `expectNothingSensitive`; every error answer goes through `expectSafeProblem`.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { WEBHOOK_SECRET } from '../helpers/events.ts';
import { captureLogs, type LogCapture } from '../helpers/log-capture.ts';
import { lateBound } from '../helpers/stack-fixture.ts';
import { TEST_BOT_TOKEN } from '../helpers/webhook.ts';

export const DEV_API_KEY = 'dev_security-suite-admin-key_0123456789abcdef';
export const READ_API_KEY = 'read_security-suite-key_0123456789abcdef';
/** The local stack's environment in the security files: the webhook secret and the admin key. */
export const SECURITY_ENV = {
  TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
  TELEGRAM_BOT_USERNAME: 'contacts_test_bot',
  DEV_API_KEY,
};
export const WRITE_API_KEY = 'write_security-suite-key_0123456789abcdef';

/** Phone numbers of the fixtures, as sent and as stored. */
export const PHONES = ['15551234567', '+15551234567', '+44 20 7946 0958', '442079460958'];

export const SECRETS: readonly string[] = [
  TEST_BOT_TOKEN,
  TEST_BOT_TOKEN.split(':')[1] as string,
  WEBHOOK_SECRET,
  DEV_API_KEY,
  READ_API_KEY,
  WRITE_API_KEY,
];

function expectAbsent(text: string, values: readonly string[]): void {
  for (const value of values) {
    if (value.length > 0) expect(text.includes(value), `leaked: ${value}`).toBe(false);
  }
}

/** No secret in `text` (for answers that may carry phone numbers by design). */
export function expectNoSecrets(text: string, extra: readonly string[] = []): void {
  expectAbsent(text, [...SECRETS, ...extra]);
}

/** No secret and no phone number in `text` (logs, error answers). */
export function expectNothingSensitive(text: string, extra: readonly string[] = []): void {
  expectAbsent(text, [...SECRETS, ...PHONES, ...extra]);
}

/** An error answer: RFC 9457 problem+json with exactly its four members, no internals. */
export function expectSafeProblem(
  response: { statusCode?: number; headers?: Record<string, unknown>; body?: string },
  status: number,
): void {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers?.['content-type'])).toBe('application/problem+json');
  const body = JSON.parse(response.body ?? '') as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['detail', 'status', 'title', 'type']);
  expect(body.status).toBe(status);
  expect(response.body).not.toMatch(
    /\bat .+:\d+|node_modules|\/work\/|\.ts\b|Exception|\w+Error\b|\bstack\b|dynamo|\btable\b|USER#|CHAT#/,
  );
  expectNothingSensitive(response.body ?? '');
}

/**
 * Registers `beforeAll` (capture every log line) and `afterAll` (stop, then
 * `expectNothingSensitive` with `extra()`) in the current scope. Call it before starting
 * stacks so the capture spans them. Returns the capture.
 */
export function useLogCheck(extra: () => readonly string[] = () => []): LogCapture {
  let logs: LogCapture | undefined;
  beforeAll(() => {
    logs = captureLogs();
  });
  afterAll(() => {
    logs?.stop();
    expectNothingSensitive(logs?.text() ?? '', extra());
  });
  return lateBound(() => {
    if (logs === undefined) throw new Error('useLogCheck: used before its beforeAll ran');
    return logs;
  });
}
