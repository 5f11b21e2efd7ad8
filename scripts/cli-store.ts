/**
 * The table a CLI works on (`npm run apikey`, `npm run migrate`): the one given (tests), else
 * DYNAMODB_ENDPOINT, else the running `npm start`'s, else TABLE_NAME in AWS with the usual
 * credentials. Shared so every such command finds and names its store the same way.
 */
import { loadConfig } from '../lib/config.ts';
import { createDocumentClient, type StoreContext } from '../lib/store/client.ts';
import { NO_STORE_HELP, storeEnvironment } from './local/local-state.ts';

export interface CliStoreIo {
  env: Record<string, string | undefined>;
  err(line: string): void;
  store?: StoreContext;
}

export interface CliStore {
  store: StoreContext;
  /** The running `npm start`'s store was found and used. */
  local: boolean;
  close(): void;
}

/**
 * Opens the store for command `name`; undefined after printing why when the environment is
 * unusable (a usage error: exit 2).
 */
export function openCliStore(name: string, io: CliStoreIo): CliStore | undefined {
  if (io.store) return { store: io.store, local: false, close: () => {} };
  const { env, stack } = storeEnvironment(io.env);
  if (stack)
    io.err(`${name}: using npm start's store (pid ${stack.pid}, table ${stack.tableName})`);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err: unknown) {
    io.err(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  const client = createDocumentClient({
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
  });
  return {
    store: { client, tableName: config.TABLE_NAME },
    local: stack !== undefined,
    close: () => client.destroy(),
  };
}

/** The AWS SDK found no credentials (CredentialsProviderError, "Could not load credentials"). */
function isMissingCredentials(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'CredentialsProviderError' || /could not load credentials/i.test(err.message))
  );
}

/**
 * The line a command's store failure prints: where to find a store when AWS had no
 * credentials and nothing local was used, else the error's name and message on `table`.
 */
export function storeFailure(
  name: string,
  what: string,
  opened: CliStore,
  env: Record<string, string | undefined>,
  err: unknown,
): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (!opened.local && !env.DYNAMODB_ENDPOINT && isMissingCredentials(cause)) {
    return `${name}: ${NO_STORE_HELP}`;
  }
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return `${name}: ${what} failed on table ${opened.store.tableName}: ${reason}`;
}
