/**
 * The test stack of one test file: an embedded store and a fake Bot API started once in
 * `beforeAll` and closed in `afterAll`, with builders for the real webhook and lookup handlers.
 *
 * ```ts
 * const stack = useStack();
 * let api: TestLookup;
 * beforeAll(async () => {
 *   const { webhook, lookup } = await stack.handlers();
 *   await post(webhook, groupMessage({ id: ALICE, first_name: 'Alice' }));
 *   api = lookup;
 * });
 * ```
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { WebhookHandler } from '../../functions/webhook.ts';
import { createApiKey } from '../../lib/access/api-key-admin.ts';
import type { StoreContext } from '../../lib/store/client.ts';
import { type FakeBotApi, type FakeBotApiOptions, startFakeBotApi } from './fake-bot-api.ts';
import { createTestLookup, type TestLookup, type TestLookupOptions } from './lookup.ts';
import { startTestStore, type TestStore } from './store.ts';
import { createTestWebhook } from './webhook.ts';

/** Options of `stack.webhook()`: those of `createTestWebhook`, all optional. */
export interface StackWebhookOptions {
  /** The table; a fresh one when omitted. */
  store?: StoreContext;
  /** The Bot API root; the stack's fake when omitted. */
  botApiUrl?: string;
  /** null: no bot token configured. */
  token?: string | null;
  /** More environment for the handler's config (e.g. RETENTION_DAYS). */
  env?: Record<string, string>;
}

/** Options of `stack.lookup()`: those of `createTestLookup`, all optional. */
export type StackLookupOptions = Partial<TestLookupOptions>;

/** A table with the webhook and lookup handlers on it. */
export interface StackHandlers {
  store: TestStore;
  webhook: WebhookHandler;
  lookup: TestLookup;
}

/** `StackHandlers` with a write key on their table. */
export interface WriterHandlers extends StackHandlers {
  writeKey: string;
  /** The write key's id (what idempotency records and logs name it by). */
  writeKeyId: string;
}

/** What `useWriter` hands the tests of its scope: a writer's table, handlers and key. */
export interface WriterRig {
  readonly store: TestStore;
  readonly webhook: WebhookHandler;
  readonly api: TestLookup;
  readonly writeKey: string;
  readonly writeKeyId: string;
}

/** What `useStack()` returns. Its members can be used from `beforeAll` on. */
export interface Stack {
  /** The embedded store (its own table is left empty: tests use `freshTable()`). */
  readonly root: TestStore;
  /** The fake Bot API every handler built here talks to unless told otherwise (not reset). */
  readonly botApi: FakeBotApi;
  /** A new empty table on the store. */
  freshTable(): Promise<TestStore>;
  /** The real webhook handler on `options.store` (default: a fresh table). */
  webhook(options?: StackWebhookOptions): Promise<WebhookHandler>;
  /** The real lookup handler, with its keys, on `options.store` (default: a fresh table). */
  lookup(options?: StackLookupOptions): Promise<TestLookup>;
  /**
   * A fresh table with a webhook and a lookup handler on it; `lookup` options go to the latter,
   * `env` to both.
   */
  handlers(options?: {
    lookup?: StackLookupOptions;
    env?: Record<string, string>;
  }): Promise<StackHandlers>;
  /**
   * A test that writes through the API, from a clean start: the fake Bot API reset, then
   * `handlers()` and a write key named `keyName` on their table; `lookup` options go to the
   * lookup handler (e.g. a short `botTimeoutMs`).
   */
  writer(keyName?: string, lookup?: StackLookupOptions): Promise<WriterHandlers>;
}

/**
 * Registers `beforeAll` (start a fake Bot API) and `afterAll` (close it) in the current scope,
 * and with `resetEach` a `beforeEach` that resets it. Returns the fake; its members may be
 * used from the scope's `beforeAll` on.
 */
export function useFakeBotApi(
  options: FakeBotApiOptions & { resetEach?: boolean } = {},
): FakeBotApi {
  const botApi = useStarted(() => startFakeBotApi(options), 'useFakeBotApi');
  if (options.resetEach) beforeEach(() => botApi.reset());
  return botApi;
}

/**
 * Registers `beforeAll` (start the embedded store) and `afterAll` (close it) in the current
 * scope. Returns the store; its members may be used from the scope's `beforeAll` on.
 */
export function useTestStore(): TestStore {
  return useStarted(startTestStore, 'useTestStore');
}

/**
 * Registers `beforeAll` (start the store, then the fake Bot API) and `afterAll` (close them in
 * reverse) in the current scope, normally the top of a test file. Hooks run in stack order:
 * a file's `beforeAll` registered after this call runs after the stack starts, and its
 * `afterAll` before the stack closes (register yours first to wrap the stack instead).
 */
export function useStack(options: { botApi?: FakeBotApiOptions } = {}): Stack {
  const root = useTestStore();
  const botApi = useFakeBotApi(options.botApi);

  const stack: Stack = {
    root,
    botApi,
    freshTable: () => stack.root.freshTable(),
    webhook: async (webhookOptions = {}) =>
      createTestWebhook({
        botApiUrl: botApi.url,
        ...webhookOptions,
        store: webhookOptions.store ?? (await stack.freshTable()),
      }),
    lookup: async (lookupOptions = {}) =>
      createTestLookup({
        botApiUrl: botApi.url,
        ...lookupOptions,
        store: lookupOptions.store ?? (await stack.freshTable()),
      }),
    handlers: async (handlerOptions = {}) => {
      const store = await stack.freshTable();
      const { env } = handlerOptions;
      const webhook = await stack.webhook({ store, ...(env ? { env } : {}) });
      const lookup = await stack.lookup({
        ...handlerOptions.lookup,
        store,
        ...(env ? { env: { ...env, ...handlerOptions.lookup?.env } } : {}),
      });
      return { store, webhook, lookup };
    },
    writer: async (keyName = 'writer', lookup = {}) => {
      botApi.reset();
      const handlers = await stack.handlers({ lookup });
      const { key, record } = await createApiKey(handlers.store, { name: keyName, scope: 'write' });
      return { ...handlers, writeKey: key, writeKeyId: record.id };
    },
  };
  return stack;
}

/**
 * Registers a hook that makes a writer (`stack.writer(keyName, lookup)`) for the tests of the
 * current scope: a fresh one before each test, or with `once` one before all of them. Hooks
 * the file registers after this call run after it, so they can seed the rig's table.
 *
 * ```ts
 * const rig = useWriter(stack, 'crm');
 * beforeEach(() => post(rig.webhook, privateText('/start', t)));
 * it('…', async () => { await rig.api.call({ path: '/v1/contacts', key: rig.writeKey }); });
 * ```
 */
export function useWriter(
  stack: Stack,
  keyName = 'writer',
  options: { lookup?: StackLookupOptions; once?: boolean } = {},
): WriterRig {
  let writer: WriterHandlers | undefined;
  const hook = options.once ? beforeAll : beforeEach;
  hook(async () => {
    writer = await stack.writer(keyName, options.lookup);
  });
  return lateBound(() => {
    const { lookup, ...rest } = started(writer, 'useWriter');
    return { ...rest, api: lookup };
  });
}

/**
 * Before each test of the scope: a fresh table, the fake Bot API reset, and the webhook on
 * that table, handed to `use` (which keeps them: `(rig) => ({ store, webhook } = rig)`).
 */
export function useFreshWebhook(
  stack: Stack,
  use: (rig: { store: TestStore; webhook: WebhookHandler }) => void,
): void {
  beforeEach(async () => {
    const store = await stack.freshTable();
    stack.botApi.reset();
    use({ store, webhook: await stack.webhook({ store }) });
  });
}

/**
 * Registers `beforeAll` (`start()`) and `afterAll` (close what it started) in the current scope;
 * returns a `lateBound` stand-in for the started value. `by` names the caller in the error
 * for a use before the `beforeAll` ran.
 */
export function useStarted<T extends { close(): Promise<void> | void }>(
  start: () => Promise<T>,
  by: string,
): T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await start();
  });
  afterAll(async () => {
    await value?.close();
  });
  return lateBound(() => started(value, by));
}

/**
 * A stand-in for a value a hook makes later: each member read goes to `get()` at that moment
 * (methods bound to the value) and each member write to it, so the stand-in can be handed out before the hook runs.
 */
export function lateBound<T extends object>(get: () => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = get();
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_, key, value) {
      return Reflect.set(get(), key, value);
    },
    has: (_, key) => Reflect.has(get(), key),
    // Spreading the stand-in (`{ ...store, client }`) copies the value's own members.
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor(_, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(get(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

function started<T>(value: T | undefined, by: string): T {
  if (value === undefined) throw new Error(`${by}: used before its beforeAll ran`);
  return value;
}
