/**
 * The local stack's secrets and state, in this process: stable across restarts of one data
 * directory, random in memory, explicit values winning; one dev key; the state file the other
 * commands read; a held directory refused; request lines for the terminal.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listApiKeys } from '../../../lib/access/api-key-admin.ts';
import { DataDirectoryInUseError } from '../../../scripts/local/data-lock.ts';
import { DEV_KEY_NAME } from '../../../scripts/local/dev-key.ts';
import { findRunningStack, readStackState } from '../../../scripts/local/local-state.ts';
import type { RequestLogEntry } from '../../../scripts/local/request-log.ts';
import { startLocalStack } from '../../../scripts/local/stack.ts';
import { loadUpdate } from '../../fixtures/updates.ts';

const root = mkdtempSync(join(tmpdir(), 'tc-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The environment of a stack on `dir`, with nothing inherited that would fix a secret. */
const envOn = (dir: string, extra: Record<string, string> = {}) => ({
  LOCAL_DB_PATH: dir,
  TABLE_NAME: 'secrets-test',
  TELEGRAM_BOT_USERNAME: 'secrets_test_bot',
  ...extra,
});

describe('local stack secrets', () => {
  it('keeps the webhook secret, cursor secret and dev key of a data directory across restarts', async () => {
    const dir = join(root, 'stable');
    const first = await startLocalStack({ env: envOn(dir), port: 0 });
    const cursorSecret = first.config.CURSOR_SECRET;
    await first.close();
    const second = await startLocalStack({ env: envOn(dir), port: 0 });
    try {
      expect(second.secretsKept).toBe(true);
      expect(second.webhookSecret).toBe(first.webhookSecret);
      expect(second.devApiKey).toBe(first.devApiKey);
      expect(second.config.CURSOR_SECRET).toBe(cursorSecret);
      expect(cursorSecret).not.toBe(first.webhookSecret);
      const keys = await listApiKeys(second.store);
      expect(keys.filter((k) => k.name === DEV_KEY_NAME)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('lets TELEGRAM_WEBHOOK_SECRET and DEV_API_KEY win, and keeps exactly one dev key valid', async () => {
    const dir = join(root, 'explicit');
    const kept = await startLocalStack({ env: envOn(dir), port: 0 });
    await kept.close();
    const explicit = await startLocalStack({
      env: envOn(dir, {
        TELEGRAM_WEBHOOK_SECRET: 'explicit_secret',
        DEV_API_KEY: 'dev_explicit_0123456789',
      }),
      port: 0,
    });
    try {
      expect(explicit.webhookSecret).toBe('explicit_secret');
      expect(explicit.devApiKey).toBe('dev_explicit_0123456789');
      const dev = (await listApiKeys(explicit.store)).filter((k) => k.name === DEV_KEY_NAME);
      expect(dev.filter((k) => !k.revokedAt)).toHaveLength(1);
      expect(dev.filter((k) => k.revokedAt)).toHaveLength(1);
      const old = await fetch(`${explicit.url}/v1/contacts/1`, {
        headers: { authorization: `Bearer ${kept.devApiKey}` },
      });
      expect(old.status).toBe(401);
    } finally {
      await explicit.close();
    }
    // Without them, the kept ones are back.
    const again = await startLocalStack({ env: envOn(dir), port: 0 });
    expect(again.webhookSecret).toBe(kept.webhookSecret);
    await again.close();
  });

  it('makes new random secrets at every start in memory, and writes no file', async () => {
    const env = { ...envOn('memory'), TELEGRAM_BOT_USERNAME: 'x_bot' };
    const first = await startLocalStack({ env, port: 0 });
    await first.close();
    const second = await startLocalStack({ env, port: 0 });
    await second.close();
    expect(second.secretsKept).toBe(false);
    expect(second.webhookSecret).not.toBe(first.webhookSecret);
    expect(second.devApiKey).not.toBe(first.devApiKey);
    expect(existsSync('memory')).toBe(false);
  });
});

describe('local stack state', () => {
  it('says where it runs while it runs, and refuses a second store on its directory', async () => {
    const dir = join(root, 'state');
    const stack = await startLocalStack({ env: envOn(dir), port: 0 });
    try {
      const state = readStackState(dir);
      expect(state).toMatchObject({
        pid: process.pid,
        url: stack.url,
        dynamoEndpoint: stack.dynamoEndpoint,
        tableName: 'secrets-test',
        webhookSecret: stack.webhookSecret,
        devApiKey: stack.devApiKey,
      });
      expect(findRunningStack({ LOCAL_DB_PATH: dir })?.url).toBe(stack.url);
      const second = startLocalStack({ env: envOn(dir), port: 0 });
      await expect(second).rejects.toThrow(DataDirectoryInUseError);
      await expect(second).rejects.toThrow(`in use by another npm start (${stack.url}`);
    } finally {
      await stack.close();
    }
    expect(readStackState(dir)).toBeUndefined();
  });

  it('names PORT when it is not a port, before opening anything', async () => {
    const dir = join(root, 'port');
    await expect(startLocalStack({ env: { ...envOn(dir), PORT: 'abc' } })).rejects.toThrow(
      'PORT must be an integer from 0 to 65535, not "abc"',
    );
    expect(existsSync(dir)).toBe(false);
  });
});

describe('local stack request lines', () => {
  it('reports method, path, status, time and the update kind of each request', async () => {
    const entries: RequestLogEntry[] = [];
    const stack = await startLocalStack({
      env: envOn('memory'),
      port: 0,
      onRequest: (entry) => entries.push(entry),
    });
    try {
      const headers = { 'x-telegram-bot-api-secret-token': stack.webhookSecret };
      await fetch(`${stack.url}/telegram/webhook`, {
        method: 'POST',
        headers,
        body: JSON.stringify(loadUpdate('start-command')),
      });
      await fetch(`${stack.url}/v1/contacts?phone=%2B15551234567`, {
        headers: { authorization: `Bearer ${stack.devApiKey}` },
      });
      await fetch(`${stack.url}/v1/contacts/1`);
    } finally {
      await stack.close();
    }
    expect(entries.map(({ ms: _ms, ...rest }) => rest)).toEqual([
      { method: 'POST', path: '/telegram/webhook', status: 200, update: 'message /start' },
      { method: 'GET', path: '/v1/contacts', status: 200 },
      { method: 'GET', path: '/v1/contacts/1', status: 401 },
    ]);
    expect(entries.every((e) => e.ms >= 0)).toBe(true);
  });
});
