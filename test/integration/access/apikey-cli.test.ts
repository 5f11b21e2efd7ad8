import { beforeAll, describe, expect, it } from 'vitest';
import { listApiKeys } from '../../../lib/access/api-key-admin.ts';
import { hashApiKey } from '../../../lib/access/api-keys.ts';
import { runApiKeyCli } from '../../../scripts/apikey-cli.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { runScript } from '../../helpers/cli-process.ts';
import { ALICE, post, type TestLookup } from '../../helpers/lookup.ts';
import { useStack } from '../../helpers/stack-fixture.ts';
import type { TestStore } from '../../helpers/store.ts';

const stack = useStack();
let store: TestStore;
let api: TestLookup;

beforeAll(async () => {
  store = await stack.freshTable();
  api = await stack.lookup({
    store,
    env: { API_KEY_CACHE_SECONDS: '0' },
  });
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runApiKeyCli(argv, {
    env: {},
    store,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `npm run apikey` as a child process (async: the store answers from this process). */
const runCommand = (tableName: string, ...args: string[]) =>
  runScript('scripts/apikey.ts', args, {
    DYNAMODB_ENDPOINT: store.endpoint,
    TABLE_NAME: tableName,
  });

const status = async (key: string) => (await api.call({ path: '/v1/contacts/1', key })).status;

describe('npm run apikey', () => {
  it('creates a key, prints it once and stores only its hash', async () => {
    const result = await cli('create', '--name', 'reporting app', '--scope', 'read');
    expect(result.code).toBe(0);
    const key = result.out.split('\n').at(-1) as string;
    expect(key).toMatch(/^tck_[A-Za-z0-9_-]{43}$/);
    expect(await status(key)).toBe(404);
    const erase = await api.call({ method: 'DELETE', path: '/v1/contacts/1', key });
    expect(erase.status).toBe(403);
    const stored = JSON.stringify(await listApiKeys(store));
    expect(stored).not.toContain(key);
  });

  it('creates a write key: it patches tags and notes, it does not erase', async () => {
    const result = await cli('create', '--name', 'crm', '--scope', 'write');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^created key_[0-9a-f]{12} \(write, no phones\) "crm"$/m);
    const key = result.out.split('\n').at(-1) as string;
    const patched = await api.call({
      method: 'PATCH',
      path: '/v1/contacts/1',
      key,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{"tags":["vip"]}',
    });
    // Scope granted: the answer is about the contact (never seen here), not the key.
    expect(patched.status).toBe(404);
    expect((await api.call({ method: 'DELETE', path: '/v1/contacts/1', key })).status).toBe(403);
  });

  it('lists id, name, scope, phones, created and revoked, never a key or a hash', async () => {
    const created = await cli('create', '--name', 'ops', '--scope', 'admin');
    expect(created.out).toMatch(/^created key_[0-9a-f]{12} \(admin, phones\) "ops"$/m);
    const key = created.out.split('\n').at(-1) as string;
    await cli('create', '--name', 'dashboard', '--scope', 'read');
    const list = await cli('list');
    expect(list.code).toBe(0);
    const [heading, ...rows] = list.out.split('\n');
    expect(heading?.split(/\s+/)).toEqual(['id', 'name', 'scope', 'phones', 'created', 'revoked']);
    expect(rows.find((row) => row.includes('ops'))).toMatch(
      /^key_[0-9a-f]{12}\s+ops\s+admin\s+yes\s+\d{4}-\d\d-\d\dT\S+Z\s+-$/,
    );
    expect(rows.find((row) => row.includes('dashboard'))).toMatch(/\sdashboard\s+read\s+no\s/);
    expect(list.out).not.toContain(key);
    expect(list.out).not.toContain(hashApiKey(key));
  });

  it('revokes a key by id: it stays listed and stops working', async () => {
    const created = await cli('create', '--name', 'old app', '--scope', 'read');
    const key = created.out.split('\n').at(-1) as string;
    const id = /created (key_[0-9a-f]+)/.exec(created.out)?.[1] as string;
    expect(await status(key)).toBe(404);
    const revoked = await cli('revoke', '--id', id);
    expect(revoked.code).toBe(0);
    // When it bites: warm lookup instances trust their key cache that long.
    expect(revoked.out.split('\n')).toEqual([
      `revoked ${id}`,
      expect.stringMatching(
        /refuse it now; a warm one may still accept it for up to API_KEY_CACHE_SECONDS \(60 s/,
      ),
    ]);
    expect(await status(key)).toBe(401);
    const row = (await cli('list')).out.split('\n').find((line) => line.startsWith(id));
    expect(row).toMatch(/\d{4}-\d\d-\d\dT\S+Z$/);
    expect(await cli('revoke', '--id', id)).toMatchObject({
      code: 0,
      out: `${id} was already revoked`,
    });
    expect(await cli('revoke', '--id', 'key_000000000000')).toMatchObject({
      code: 1,
      err: 'no API key with id key_000000000000',
    });
  });

  it('creates a read key without phones unless --phones is given; admin keys always have them', async () => {
    const webhook = await stack.webhook({ store });
    await post(webhook, loadUpdate('contact-own'));
    const phoneOf = async (key: string) =>
      (await api.call({ path: `/v1/contacts/${ALICE}`, key })).body.phoneNumber;
    const keyOf = (out: string) => out.split('\n').at(-1) as string;

    const plain = await cli('create', '--name', 'no phones', '--scope', 'read');
    expect(plain.out).toMatch(/^created key_[0-9a-f]{12} \(read, no phones\) "no phones"$/m);
    expect(await phoneOf(keyOf(plain.out))).toBeUndefined();

    const phones = await cli('create', '--name', 'with phones', '--scope', 'read', '--phones');
    expect(phones.out).toMatch(/^created key_[0-9a-f]{12} \(read, phones\) "with phones"$/m);
    expect(await phoneOf(keyOf(phones.out))).toBe('+15551234567');

    const admin = await cli('create', '--name', 'admin', '--scope', 'admin');
    expect(await phoneOf(keyOf(admin.out))).toBe('+15551234567');
  });

  it('documents --phones in --help', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('create --name NAME --scope SCOPE [--phones]');
    expect(help.out).toMatch(/--phones {2}answers to this key may carry phone numbers/);
  });

  it.each([
    [[], /missing command/],
    [['rotate'], /unknown command: rotate/],
    [['create', '--scope', 'read'], /create needs --name/],
    [['create', '--name', 'x'], /create needs --scope/],
    [
      ['create', '--name', 'x', '--scope', 'owner'],
      /--scope must be read, write or admin, not owner/,
    ],
    [['list', '--id', 'key_1'], /list takes no --id/],
    [['revoke', '--id', 'key_1', '--phones'], /revoke takes no --phones/],
    [['revoke'], /revoke needs --id/],
    [['list', 'extra'], /unexpected argument: extra/],
    [['list', '--verbose'], /unknown option --verbose/],
  ])('exits 2 with the usage for %j', async (argv, message) => {
    const result = await cli(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toContain('usage: npm run apikey -- <command>');
  });

  it('runs as a command against DYNAMODB_ENDPOINT and TABLE_NAME, exit codes included', async () => {
    const created = await runCommand(
      store.tableName,
      'create',
      '--name',
      'shell',
      '--scope',
      'read',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^tck_/m);
    const phones = await runCommand(
      store.tableName,
      'create',
      '--name',
      'shell phones',
      '--scope',
      'read',
      '--phones',
    );
    expect(phones.code).toBe(0);
    expect(phones.stdout).toMatch(/\(read, phones\) "shell phones"/);
    const listed = await runCommand(store.tableName, 'list');
    expect(listed.stdout).toMatch(/shell phones\s+read\s+yes\s/);
    expect(listed.stdout).toMatch(/shell\s+read\s+no\s/);
    const bad = await runCommand(store.tableName, 'create', '--name', 'x', '--scope', 'root');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: npm run apikey');
    const missing = await runCommand('no-such-table', 'list');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/list failed on table no-such-table: ResourceNotFoundException/);
  });
});
