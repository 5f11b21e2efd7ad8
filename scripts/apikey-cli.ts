/**
 * `npm run apikey -- create|list|revoke`: lookup API keys in the table named by TABLE_NAME,
 * at DYNAMODB_ENDPOINT when set; else in the running `npm start` (found through its state
 * file); else in AWS with the usual credentials (AWS_PROFILE, AWS_REGION, ...).
 * Exit codes: 0 done, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { createApiKey, listApiKeys, revokeApiKey } from '../lib/access/api-key-admin.ts';
import { API_SCOPES, type ApiKeyRecord, type ApiScope } from '../lib/access/api-keys.ts';
import { LOOKUP_ROUTES } from '../lib/lookup/routes.ts';
import { describeScopes } from '../lib/lookup/scope-summary.ts';
import type { StoreContext } from '../lib/store/client.ts';
import { describeParseError, wantsHelp } from './cli.ts';
import { openCliStore, storeFailure } from './cli-store.ts';

export const USAGE = `usage: npm run apikey -- <command> [options]

  create --name NAME --scope SCOPE [--phones]
                                     create a key; it is printed once, only its hash is stored
  list                               list keys: id, name, scope, phones, created, revoked
  revoke --id ID                     revoke a key: it stays listed; refused at once by new
                                     lookup instances, by warm ones within
                                     API_KEY_CACHE_SECONDS (60 s unless set otherwise)
  --help                             show this text

${describeScopes(LOOKUP_ROUTES)}

phones (the phones permission):
  --phones  answers to this key may carry phone numbers (contacts, searches, members, top
            members, shared contacts). Without it no answer carries one; a search by
            ?phone= still answers (so it tells whether a number is known). Admin keys always
            have it; keys created before the permission existed keep it.

where the keys are:
  DYNAMODB_ENDPOINT   this DynamoDB endpoint, when set
  (nothing set)       the running npm start (LOCAL_DB_PATH names its data, default .data/dynamodb)
  TABLE_NAME          table (default: the running npm start's, else telegram-contacts-local);
                      naming another table than npm start's means AWS's
  AWS_REGION, AWS_PROFILE, ...   the usual AWS settings when talking to AWS`;

/**
 * When a revocation bites: the lookup caches what it read about a key per warm instance
 * (lib/access/api-key-auth.ts), so a revoked key may still work that long there.
 */
export const REVOKE_TAKES_EFFECT =
  'new lookup instances refuse it now; a warm one may still accept it for up to API_KEY_CACHE_SECONDS (60 s unless the deployment sets another; npm start: its own setting)';

export interface CliIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  /** A store to use instead of the one the environment names (tests). */
  store?: StoreContext;
}

class UsageError extends Error {}

type Command =
  | { name: 'create'; keyName: string; scope: ApiScope; phones: boolean }
  | { name: 'list' }
  | { name: 'revoke'; id: string };

function parseCommand(argv: string[]): Command {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        scope: { type: 'string' },
        phones: { type: 'boolean' },
        id: { type: 'string' },
      },
    });
  } catch (err: unknown) {
    throw new UsageError(describeParseError(err));
  }
  const { positionals, values } = parsed;
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
  const allowed: Record<string, string[]> = {
    create: ['name', 'scope', 'phones'],
    list: [],
    revoke: ['id'],
  };
  if (command === undefined) throw new UsageError('missing command');
  const options = allowed[command];
  if (!options) throw new UsageError(`unknown command: ${command}`);
  const misplaced = Object.keys(values).filter((option) => !options.includes(option));
  if (misplaced.length > 0) throw new UsageError(`${command} takes no --${misplaced[0]}`);
  const text = (option: string) => {
    const value = values[option];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new UsageError(`${command} needs --${option}`);
    }
    return value.trim();
  };
  if (command === 'create') {
    const keyName = text('name');
    if (keyName.length > 100) throw new UsageError('--name is longer than 100 characters');
    const scope = text('scope');
    if (!API_SCOPES.includes(scope as ApiScope)) {
      const names = `${API_SCOPES.slice(0, -1).join(', ')} or ${API_SCOPES.at(-1)}`;
      throw new UsageError(`--scope must be ${names}, not ${scope}`);
    }
    return { name: 'create', keyName, scope: scope as ApiScope, phones: values.phones === true };
  }
  if (command === 'revoke') return { name: 'revoke', id: text('id') };
  return { name: 'list' };
}

function table(records: ApiKeyRecord[]): string[] {
  const rows = [
    ['id', 'name', 'scope', 'phones', 'created', 'revoked'],
    ...records.map((r) => [
      r.id,
      r.name,
      r.scope,
      r.phones ? 'yes' : 'no',
      r.createdAt,
      r.revokedAt ?? '-',
    ]),
  ];
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

async function execute(command: Command, store: StoreContext, io: CliIo): Promise<number> {
  if (command.name === 'create') {
    const { key, record } = await createApiKey(store, {
      name: command.keyName,
      scope: command.scope,
      phones: command.phones,
    });
    const phones = record.phones ? 'phones' : 'no phones';
    io.out(`created ${record.id} (${record.scope}, ${phones}) "${record.name}"`);
    io.out('key (shown once; only its SHA-256 is stored):');
    io.out(key);
    return 0;
  }
  if (command.name === 'list') {
    const records = await listApiKeys(store);
    if (records.length === 0) io.out('no API keys');
    else for (const line of table(records)) io.out(line);
    return 0;
  }
  const result = await revokeApiKey(store, command.id);
  if (result === 'not-found') {
    io.err(`no API key with id ${command.id}`);
    return 1;
  }
  if (result === 'revoked') {
    io.out(`revoked ${command.id}`);
    io.out(REVOKE_TAKES_EFFECT);
  } else io.out(`${command.id} was already revoked`);
  return 0;
}

/** Runs one CLI invocation; returns the exit code. */
export async function runApiKeyCli(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(USAGE);
    return 0;
  }
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (err: unknown) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`apikey: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  const opened = openCliStore('apikey', io);
  if (!opened) return 2;
  try {
    return await execute(command, opened.store, io);
  } catch (err: unknown) {
    io.err(storeFailure('apikey', command.name, opened, io.env, err));
    return 1;
  } finally {
    opened.close();
  }
}
