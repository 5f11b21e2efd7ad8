/**
 * The first hour of a new user, with real processes: `npm start` on a data directory, a second
 * one refused with one line, `npm run apikey` and `npm run demo` finding the running stack by
 * themselves, and a restart keeping the secrets and exactly one dev key.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DANA, DANA_PHONE_E164, DEMO_GROUP, ELI } from '../../../scripts/demo-story.ts';
import { readStackState } from '../../../scripts/local/local-state.ts';
import { runScript } from '../../helpers/cli-process.ts';
import { type LocalProcess, startLocalProcess } from '../../helpers/local-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'tc-first-hour-'));
/** The environment of every command: this data directory, and nothing that names a store. */
const env = {
  LOCAL_DB_PATH: dataDir,
  TABLE_NAME: 'first-hour',
  DYNAMODB_ENDPOINT: '',
  TELEGRAM_WEBHOOK_SECRET: '',
  DEV_API_KEY: '',
};
let stack: LocalProcess | undefined;
/** Each test starts processes: room for a loaded 2-core machine. */
const PROCESSES_MS = 60_000;
afterAll(async () => {
  if (stack?.child.exitCode === null) await stack.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function lookup(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const running = stack as LocalProcess;
  const response = await fetch(`${running.url}/v1${path}`, {
    headers: { authorization: `Bearer ${running.devApiKey}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the first hour with npm start', () => {
  it(
    'refuses a second npm start on the same data directory with one line naming the first',
    async () => {
      stack = await startLocalProcess(env);

      const second = await runScript('scripts/local/start.ts', [], { ...env, PORT: '0' });

      expect(second.code).toBe(1);
      expect(second.ms).toBeLessThan(15_000);
      const lines = `${second.stdout}${second.stderr}`.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`data directory ${dataDir} is in use`);
      expect(lines[0]).toContain(stack.url);
      expect(lines[0]).toContain('LOCAL_DB_PATH=<another directory>');
      expect(lines[0]).toContain('LOCAL_DB_PATH=memory');
      // The first one still serves.
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    },
    PROCESSES_MS,
  );

  it(
    'lets npm run apikey find the running stack without DYNAMODB_ENDPOINT',
    async () => {
      const listed = await runScript('scripts/apikey.ts', ['list'], env);

      expect(listed.code).toBe(0);
      expect(listed.stderr).toContain("using npm start's store");
      expect(listed.stdout).toMatch(/dev \(npm start\)\s+admin/);
      expect(listed.stdout).not.toContain(stack?.devApiKey);
    },
    PROCESSES_MS,
  );

  it(
    'tells the demo story to the running stack; the lookup API returns its contacts',
    async () => {
      const demo = await runScript('scripts/demo.ts', [], env);

      expect(demo.stderr).toBe('');
      expect(demo.code).toBe(0);
      expect(demo.stdout).toContain(`API=${stack?.url}/v1`);
      expect(demo.stdout).toContain(`Bearer ${stack?.devApiKey}`);
      for (const path of [
        '/contacts?username=',
        '/contacts?phone=',
        '/chats',
        '/members',
        '/activity',
      ]) {
        expect(demo.stdout).toContain(path);
      }
      const byPhone = await lookup(`/contacts?phone=${encodeURIComponent(DANA_PHONE_E164)}`);
      expect(byPhone.body.items).toEqual([
        expect.objectContaining({ id: DANA.id, phoneNumber: DANA_PHONE_E164 }),
      ]);
      const byName = await lookup(`/contacts?username=${ELI.username.toUpperCase()}`);
      expect(byName.body.items).toEqual([expect.objectContaining({ id: ELI.id })]);
      const members = await lookup(`/chats/${DEMO_GROUP.id}/members`);
      const status = Object.fromEntries(
        (members.body.items as { userId: number; status: string }[]).map((m) => [
          m.userId,
          m.status,
        ]),
      );
      expect(status).toEqual({ [DANA.id]: 'member', [ELI.id]: 'left' });
      const chats = await lookup(`/contacts/${DANA.id}/chats`);
      expect(chats.body.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ chatId: DEMO_GROUP.id, isMember: true }),
        ]),
      );
      const today = new Date().toISOString().slice(0, 10);
      const activity = await lookup(`/chats/${DEMO_GROUP.id}/activity?from=${today}&to=${today}`);
      expect(activity.body.days).toEqual([expect.objectContaining({ date: today, messages: 3 })]);

      // A rerun is a new story (new update ids), not a redelivery: it counts again.
      const before = (await lookup(`/contacts/${DANA.id}`)).body.messageCount as number;
      expect((await runScript('scripts/demo.ts', [], env)).code).toBe(0);
      expect((await lookup(`/contacts/${DANA.id}`)).body.messageCount).toBe(before + 4);
    },
    PROCESSES_MS,
  );

  it(
    'keeps the webhook secret and the dev key across a restart, and one dev key valid',
    async () => {
      const first = stack as LocalProcess;
      expect(readStackState(dataDir)?.url).toBe(first.url);
      expect(await first.stop('SIGTERM')).toBe(0);
      expect(readStackState(dataDir)).toBeUndefined();
      expect(statSync(join(dataDir, 'local-secrets.json')).mode & 0o777).toBe(0o600);

      stack = await startLocalProcess(env);

      expect(stack.webhookSecret).toBe(first.webhookSecret);
      expect(stack.devApiKey).toBe(first.devApiKey);
      expect(statSync(join(dataDir, 'local-stack.json')).mode & 0o777).toBe(0o600);
      expect((await lookup(`/contacts/${DANA.id}`)).status).toBe(200);
      const listed = await runScript('scripts/apikey.ts', ['list'], env);
      const valid = listed.stdout.split('\n').filter((line) => /dev \(npm start\).*-$/.test(line));
      expect(valid).toHaveLength(1);
    },
    PROCESSES_MS,
  );

  it(
    'says what to start when no stack is running',
    async () => {
      await stack?.stop('SIGTERM');
      const demo = await runScript('scripts/demo.ts', [], env);

      expect(demo.code).toBe(1);
      expect(demo.stderr.trim()).toBe(
        `demo: no running npm start found in ${dataDir}: start it with npm start in another ` +
          'terminal, or give --url, --secret and --api-key',
      );
    },
    PROCESSES_MS,
  );
});
