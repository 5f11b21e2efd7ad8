import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dataDirectoryOf,
  loadLocalSecrets,
  readStackState,
  removeStackState,
  type StackState,
  storeEnvironment,
  writeStackState,
} from '../../../scripts/local/local-state.ts';

const root = mkdtempSync(join(tmpdir(), 'tc-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const state = (dir: string, pid: number): StackState => ({
  pid,
  url: 'http://127.0.0.1:3000',
  dynamoEndpoint: 'http://127.0.0.1:4567',
  tableName: 'state-test',
  dataDirectory: dir,
  webhookSecret: 'secret',
  devApiKey: 'dev_key',
  startedAt: new Date(0).toISOString(),
});

describe('local secrets', () => {
  it('are created once, mode 0600, and read back unchanged', () => {
    const dir = join(root, 'secrets');
    const first = loadLocalSecrets(dir);
    expect(statSync(join(dir, 'local-secrets.json')).mode & 0o777).toBe(0o600);
    expect(loadLocalSecrets(dir)).toEqual(first);
    expect(new Set(Object.values(first)).size).toBe(3);
  });

  it('are made anew when the file is damaged', () => {
    const dir = join(root, 'damaged');
    const first = loadLocalSecrets(dir);
    writeFileSync(join(dir, 'local-secrets.json'), '{"webhookSecret":"has spaces"}');
    const second = loadLocalSecrets(dir);
    expect(second.webhookSecret).not.toBe(first.webhookSecret);
    expect(JSON.parse(readFileSync(join(dir, 'local-secrets.json'), 'utf8'))).toEqual(second);
  });
});

describe('local stack state', () => {
  it('is found while its process lives, and ignored once it is gone', () => {
    const dir = join(root, 'alive');
    loadLocalSecrets(dir);
    writeStackState(dir, state(dir, process.pid));
    expect(readStackState(dir)?.url).toBe('http://127.0.0.1:3000');
    writeStackState(dir, state(dir, 2 ** 22 + 12_345)); // above Linux's pid_max: no such process
    expect(readStackState(dir)).toBeUndefined();
  });

  it('is removed only by the process it names', () => {
    const dir = join(root, 'owner');
    loadLocalSecrets(dir);
    writeStackState(dir, state(dir, process.pid));
    removeStackState(dir, process.pid + 1);
    expect(readStackState(dir)).toBeDefined();
    removeStackState(dir, process.pid);
    expect(readStackState(dir)).toBeUndefined();
  });

  it("points the store commands at npm start's store unless told otherwise", () => {
    const dir = join(root, 'store');
    loadLocalSecrets(dir);
    writeStackState(dir, state(dir, process.pid));
    expect(storeEnvironment({ LOCAL_DB_PATH: dir }).env).toMatchObject({
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567',
      TABLE_NAME: 'state-test',
    });
    const given = { LOCAL_DB_PATH: dir, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' };
    expect(storeEnvironment(given)).toEqual({ env: given });
    const aws = { LOCAL_DB_PATH: dir, TABLE_NAME: 'telegram-contacts-prod' };
    expect(storeEnvironment(aws)).toEqual({ env: aws });
    expect(dataDirectoryOf({ LOCAL_DB_PATH: 'memory' })).toBeUndefined();
    expect(dataDirectoryOf({})).toBe('.data/dynamodb');
  });
});
