/**
 * What a local stack keeps beside its data, in the data directory (`.data/dynamodb/` by
 * default; LevelDB ignores files it did not write), each file mode 0600:
 *
 * - `local-secrets.json`: the webhook secret, cursor secret and dev API key, created at the
 *   first start and reused by every later start on the same data, so they stay valid.
 * - `local-stack.json`: while `npm start` runs, its URL, DynamoDB endpoint, table, pid and the
 *   secrets in use, so the other commands (`apikey`, `demo`, `loadtest`) find it by
 *   themselves. Removed on exit; ignored when its pid is no longer alive.
 *
 * `LOCAL_DB_PATH=memory` and an external `DYNAMODB_ENDPOINT` have no data directory, so no
 * files: random secrets per start, and the commands need to be told where the stack is.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateWebhookSecret, isValidSecretFormat } from '../../lib/telegram/webhook-secret.ts';

export const DEFAULT_DB_PATH = '.data/dynamodb';
const SECRETS_FILE = 'local-secrets.json';
const STATE_FILE = 'local-stack.json';

/** The embedded store's directory, or undefined when nothing is kept on disk. */
export function dataDirectoryOf(env: Record<string, string | undefined>): string | undefined {
  if (env.DYNAMODB_ENDPOINT) return undefined;
  const path = env.LOCAL_DB_PATH || DEFAULT_DB_PATH;
  return path === 'memory' ? undefined : path;
}

export interface LocalSecrets {
  webhookSecret: string;
  cursorSecret: string;
  devApiKey: string;
}

export interface StackState extends Pick<LocalSecrets, 'webhookSecret' | 'devApiKey'> {
  pid: number;
  url: string;
  dynamoEndpoint: string;
  tableName: string;
  dataDirectory: string;
  startedAt: string;
}

export function newLocalSecrets(): LocalSecrets {
  return {
    webhookSecret: generateWebhookSecret(),
    cursorSecret: randomBytes(32).toString('base64url'),
    devApiKey: `dev_${randomBytes(24).toString('base64url')}`,
  };
}

/** Written whole under another name, then renamed: a reader never sees half a file. */
function writePrivateJson(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the mode option is masked by the umask
  renameSync(temporary, path);
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // missing or unreadable: treated as absent
  }
}

function isLocalSecrets(value: unknown): value is LocalSecrets {
  const v = value as Record<string, unknown> | undefined;
  return (
    typeof v?.webhookSecret === 'string' &&
    isValidSecretFormat(v.webhookSecret) &&
    typeof v.cursorSecret === 'string' &&
    v.cursorSecret.length >= 16 &&
    typeof v.devApiKey === 'string' &&
    v.devApiKey.length >= 16
  );
}

/** The secrets kept in `directory`, created (mode 0600) at the first call. */
export function loadLocalSecrets(directory: string): LocalSecrets {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, SECRETS_FILE);
  const stored = readJson(path);
  if (isLocalSecrets(stored)) {
    chmodSync(path, 0o600);
    const { webhookSecret, cursorSecret, devApiKey } = stored;
    return { webhookSecret, cursorSecret, devApiKey };
  }
  const secrets = newLocalSecrets();
  writePrivateJson(path, secrets);
  return secrets;
}

/** True while a process with this pid exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeStackState(directory: string, state: StackState): void {
  writePrivateJson(join(directory, STATE_FILE), state);
}

/** Removes the state file if it still describes `pid` (another start may have replaced it). */
export function removeStackState(directory: string, pid: number): void {
  const path = join(directory, STATE_FILE);
  if (readJson(path)?.pid === pid) rmSync(path, { force: true });
}

/** The stack running on `directory`, or undefined when none is (no file, or its pid is dead). */
export function readStackState(directory: string): StackState | undefined {
  const state = readJson(join(directory, STATE_FILE));
  const fields = ['url', 'dynamoEndpoint', 'tableName', 'webhookSecret', 'devApiKey'];
  if (!state || typeof state.pid !== 'number' || !Number.isSafeInteger(state.pid)) return undefined;
  if (!fields.every((field) => typeof state[field] === 'string')) return undefined;
  if (!isAlive(state.pid)) return undefined;
  return state as unknown as StackState;
}

/** The running local stack the environment points at (LOCAL_DB_PATH, default .data/dynamodb). */
export function findRunningStack(env: Record<string, string | undefined>): StackState | undefined {
  const directory = dataDirectoryOf({ ...env, DYNAMODB_ENDPOINT: undefined });
  return directory === undefined ? undefined : readStackState(directory);
}

/**
 * The environment a command that talks to DynamoDB should use. DYNAMODB_ENDPOINT as given;
 * else the running local stack's endpoint and table, unless TABLE_NAME names another table
 * (then it is AWS's, with the usual credentials).
 */
export function storeEnvironment(env: Record<string, string | undefined>): {
  env: Record<string, string | undefined>;
  stack?: StackState;
} {
  if (env.DYNAMODB_ENDPOINT) return { env };
  const stack = findRunningStack(env);
  if (!stack || (env.TABLE_NAME && env.TABLE_NAME !== stack.tableName)) return { env };
  return {
    env: { ...env, DYNAMODB_ENDPOINT: stack.dynamoEndpoint, TABLE_NAME: stack.tableName },
    stack,
  };
}

/** What to set when no store could be found: for the error of a command that needs one. */
export const NO_STORE_HELP =
  'no local stack is running (start one with npm start) and no AWS credentials were found: ' +
  'set DYNAMODB_ENDPOINT=http://HOST:PORT for a DynamoDB-compatible store, or AWS_PROFILE ' +
  '(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) with AWS_REGION and TABLE_NAME for a deployed table';
