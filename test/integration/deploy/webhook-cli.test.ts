import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ALLOWED_UPDATES } from '../../../lib/telegram/allowed-updates.ts';
import { ROOT } from '../../../scripts/build/bundle.ts';
import { runWebhookCli } from '../../../scripts/webhook-cli.ts';
import { WEBHOOK_SECRET } from '../../helpers/events.ts';
import { closedLoopbackUrl, telegramError } from '../../helpers/fake-bot-api.ts';
import { startFakeSsm } from '../../helpers/fake-ssm.ts';
import { useFakeBotApi } from '../../helpers/stack-fixture.ts';
import { TEST_BOT_TOKEN } from '../../helpers/webhook.ts';

const run = promisify(execFile);
const HOOK_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/telegram/webhook';

describe('npm run webhook', () => {
  const fake = useFakeBotApi({ resetEach: true });

  async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runWebhookCli(argv, {
      env: {
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
        TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
        ...env,
      },
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    const text = [...out, ...err].join('\n');
    expect(text).not.toContain(TEST_BOT_TOKEN);
    expect(text).not.toContain(TEST_BOT_TOKEN.split(':')[1]);
    expect(text).not.toContain(WEBHOOK_SECRET);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  describe('set', () => {
    it('registers the HOOK_URL with the secret, the allowed updates and 40 connections', async () => {
      const { code, out } = await cli(['set', '--url', HOOK_URL]);

      expect(code).toBe(0);
      expect(fake.calls).toEqual([
        {
          method: 'setWebhook',
          token: TEST_BOT_TOKEN,
          payload: {
            url: HOOK_URL,
            secret_token: WEBHOOK_SECRET,
            allowed_updates: [...ALLOWED_UPDATES],
            max_connections: 40,
            drop_pending_updates: false,
          },
        },
      ]);
      expect(out).toContain(`webhook set: ${HOOK_URL}`);
      expect(out).toContain('chat_member');
    });

    it('passes --drop-pending and --max-connections', async () => {
      const { code } = await cli([
        'set',
        '--url',
        HOOK_URL,
        '--drop-pending',
        '--max-connections',
        '10',
      ]);

      expect(code).toBe(0);
      expect(fake.calls[0]?.payload).toMatchObject({
        max_connections: 10,
        drop_pending_updates: true,
      });
    });

    it.each([
      [['set', '--url', 'http://example.com/hook'], 'must be https'],
      [['set', '--url', 'https://example.com:8080/hook'], 'port 8080'],
      [['set', '--url', 'not a url'], 'not a URL'],
      [['set', '--url', 'https://user:pw@example.com/hook'], 'credentials'],
      [['set'], 'set needs --url'],
      [['set', '--url', HOOK_URL, '--max-connections', '0'], 'from 1 to 100'],
      [['set', '--url', HOOK_URL, '--max-connections', '101'], 'from 1 to 100'],
      [['set', '--url', HOOK_URL, '--max-connections', 'many'], 'from 1 to 100'],
      [[], 'missing command'],
      [['register'], 'unknown command: register'],
      [['info', '--url', HOOK_URL], 'info takes no --url'],
      [['set', '--url', HOOK_URL, 'extra'], 'unexpected argument'],
      [['set', '--url', HOOK_URL, '--secret', 'x'], 'unknown option --secret'],
    ])('refuses %j before calling Telegram (exit 2, usage)', async (argv, reason) => {
      const { code, err } = await cli(argv);

      expect(code).toBe(2);
      expect(err).toContain(reason);
      expect(err).toContain('usage: npm run webhook');
      expect(fake.calls).toEqual([]);
    });

    it('says Telegram rejected the bot token on 401', async () => {
      fake.respond('setWebhook', () => telegramError(401, 'Unauthorized'));

      const { code, err } = await cli(['set', '--url', HOOK_URL]);

      expect(code).toBe(1);
      expect(err).toContain('Telegram rejected the bot token');
    });

    it("shows Telegram's description when it refuses the HOOK_URL", async () => {
      fake.respond('setWebhook', () =>
        telegramError(
          400,
          'Bad Request: bad webhook: Failed to resolve host: Name or service not known',
        ),
      );

      const { code, err } = await cli(['set', '--url', HOOK_URL]);

      expect(code).toBe(1);
      expect(err).toContain(
        'Telegram refused setWebhook: Bad Request: bad webhook: Failed to resolve host',
      );
    });

    it('needs a token, and a valid webhook secret', async () => {
      const noToken = await cli(['set', '--url', HOOK_URL], { TELEGRAM_BOT_TOKEN: undefined });
      const noSecret = await cli(['set', '--url', HOOK_URL], {
        TELEGRAM_WEBHOOK_SECRET: undefined,
      });

      expect(noToken).toMatchObject({ code: 1, err: expect.stringContaining('no bot token') });
      expect(noSecret).toMatchObject({ code: 1, err: expect.stringContaining('webhook secret') });
      expect(fake.calls).toEqual([]);
    });

    it('reports an unreachable Bot API', async () => {
      const { code, err } = await cli(['set', '--url', HOOK_URL], {
        TELEGRAM_API_ROOT: await closedLoopbackUrl(),
      });

      expect(code).toBe(1);
      expect(err).toContain('could not reach the Bot API');
    });
  });

  describe('info', () => {
    it("prints Telegram's view and notes allowed updates that differ", async () => {
      fake.respond('getWebhookInfo', () => ({
        url: HOOK_URL,
        has_custom_certificate: false,
        pending_update_count: 3,
        max_connections: 40,
        last_error_date: 1764000000,
        last_error_message: 'Wrong response from the webhook: 500 Internal Server Error',
        allowed_updates: ['message'],
      }));

      const { code, out } = await cli(['info'], { TELEGRAM_WEBHOOK_SECRET: undefined });

      expect(code).toBe(0);
      expect(out).toContain(HOOK_URL);
      expect(out).toMatch(/pending updates:\s+3/);
      expect(out).toContain('2025-11-24T16:00:00.000Z Wrong response from the webhook: 500');
      expect(out).toContain('run `set` again');
      expect(fake.calls.map((c) => c.method)).toEqual(['getWebhookInfo']);
    });

    it('says when no webhook is set', async () => {
      const { code, out } = await cli(['info']);

      expect(code).toBe(0);
      expect(out).toContain('(none: no webhook set)');
      expect(out).not.toContain('run `set` again');
    });
  });

  describe('delete', () => {
    it('deletes the webhook, dropping pending updates when asked', async () => {
      const kept = await cli(['delete']);
      const dropped = await cli(['delete', '--drop-pending']);

      expect([kept.code, dropped.code]).toEqual([0, 0]);
      expect(fake.calls.map((c) => c.payload)).toEqual([
        { drop_pending_updates: false },
        { drop_pending_updates: true },
      ]);
    });
  });

  it('runs as `npm run webhook` with the token and secret read from SSM', async () => {
    const ssm = await startFakeSsm({
      '/telegram-contacts/prod/bot-token': TEST_BOT_TOKEN,
      '/telegram-contacts/prod/webhook-secret': WEBHOOK_SECRET,
    });
    try {
      const env = {
        PATH: process.env.PATH,
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_BOT_TOKEN_PARAM: '/telegram-contacts/prod/bot-token',
        TELEGRAM_WEBHOOK_SECRET_PARAM: '/telegram-contacts/prod/webhook-secret',
        AWS_ENDPOINT_URL_SSM: ssm.url,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      };
      const tsx = join(ROOT, 'node_modules/.bin/tsx');
      const { stdout, stderr } = await run(tsx, ['scripts/webhook.ts', 'set', '--url', HOOK_URL], {
        cwd: ROOT,
        env,
      });
      const usage = await run(tsx, ['scripts/webhook.ts', 'set'], { cwd: ROOT, env }).then(
        () => ({ code: 0 }),
        (err: { code: number }) => err,
      );

      expect(stdout).toContain(`webhook set: ${HOOK_URL}`);
      expect(`${stdout}${stderr}`).not.toContain(TEST_BOT_TOKEN);
      expect(`${stdout}${stderr}`).not.toContain(WEBHOOK_SECRET);
      expect(fake.calls).toEqual([
        expect.objectContaining({
          method: 'setWebhook',
          token: TEST_BOT_TOKEN,
          payload: expect.objectContaining({ secret_token: WEBHOOK_SECRET }),
        }),
      ]);
      expect(ssm.requests.every((r) => r.body.WithDecryption === true)).toBe(true);
      expect(usage.code).toBe(2);
    } finally {
      await ssm.close();
    }
  });
});
