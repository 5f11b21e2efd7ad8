/**
 * Thin outbound Bot API client over telegraf's `Telegram` (its `callApi`). It adds what
 * telegraf leaves out: a per-call timeout, typed errors, and a clear failure when no token
 * is configured, so callers never see a raw `TelegramError` or a URL holding the token.
 */
import { Telegram } from 'telegraf';
import type {
  ChatMember,
  Message,
  Opts,
  Telegram as TelegramMethods,
  Update,
  UserFromGetMe,
  WebhookInfo,
} from 'telegraf/types';
import { botTokenMissing, toBotApiError } from './bot-api-errors.ts';
import { botIdFromToken } from './bot-identity.ts';

/** Default time one call may take before it fails as an `unreachable` BotApiError. */
export const DEFAULT_BOT_API_TIMEOUT_MS = 5000;

/** What a Bot API method returns on success; `unknown` for methods telegraf does not know. */
export type BotApiResult<M extends string> = M extends keyof TelegramMethods
  ? ReturnType<TelegramMethods[M]>
  : unknown;

export interface BotApiOptions {
  /** Bot token; absent means every call throws a `token_missing` BotApiError without network I/O. */
  token?: string;
  /** Bot API base URL, e.g. `https://api.telegram.org` or a loopback fake in tests. */
  apiRoot: string;
  /** Per-call timeout in ms (default 5000). Long polling adds its own `timeout` on top. */
  timeoutMs?: number;
}

export interface GetUpdatesOptions {
  offset?: number;
  limit?: number;
  /** Long-polling timeout in seconds; the call's own timeout is extended by this much. */
  timeout?: number;
  allowed_updates?: Opts<'getUpdates'>['allowed_updates'];
  /** Aborts the long poll (a shutdown need not wait for it). */
  signal?: AbortSignal;
}

/**
 * Outbound Bot API. Every method either resolves with Telegram's `result` or rejects with a
 * `BotApiError` of some `kind` (never with a token in its message).
 */
export interface BotApi {
  /** True when a token is configured, i.e. outbound calls can succeed. */
  readonly hasToken: boolean;
  /** The bot's user id, read from the token prefix (`123456:ABC` -> 123456) when present. */
  readonly botId: number | undefined;
  /** Calls any method: `POST {apiRoot}/bot{token}/{method}` with `payload` as the body. */
  call<M extends string>(method: M, payload?: object): Promise<BotApiResult<M>>;
  getMe(): Promise<UserFromGetMe>;
  getChatMember(chatId: number | string, userId: number): Promise<ChatMember>;
  sendMessage(
    chatId: number | string,
    text: string,
    extra?: Omit<Opts<'sendMessage'>, 'chat_id' | 'text'>,
  ): Promise<Message.TextMessage>;
  setWebhook(url: string, extra?: Omit<Opts<'setWebhook'>, 'url'>): Promise<true>;
  deleteWebhook(extra?: Opts<'deleteWebhook'>): Promise<true>;
  getWebhookInfo(): Promise<WebhookInfo>;
  getUpdates(options?: GetUpdatesOptions): Promise<Update[]>;
}

/**
 * telegraf resolves `./bot<token>/<method>` against `apiRoot` with WHATWG URL rules, so a root
 * with a path but no trailing slash (`http://host/prefix`) would silently lose `prefix`.
 */
function asBaseUrl(apiRoot: string): string {
  return apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`;
}

/**
 * Builds the client once per cold start. With no token it still builds (webhook replies work
 * without one), but every call fails fast with a `token_missing` BotApiError.
 */
export function createBotApi(options: BotApiOptions): BotApi {
  const timeoutMs = options.timeoutMs ?? DEFAULT_BOT_API_TIMEOUT_MS;
  const token = options.token || undefined;
  const telegram = token
    ? new Telegram(token, { apiRoot: asBaseUrl(options.apiRoot), webhookReply: false })
    : undefined;

  async function call<M extends string>(
    method: M,
    payload: object = {},
    extraMs = 0,
    abort?: AbortSignal,
  ): Promise<BotApiResult<M>> {
    if (!telegram) throw botTokenMissing(method);
    // telegraf types `signal` with the abort-controller polyfill; node-fetch 2 accepts the
    // native one (it checks the constructor name), so the cast is only for the compiler.
    const timeout = AbortSignal.timeout(timeoutMs + extraMs);
    const signal = (abort ? AbortSignal.any([timeout, abort]) : timeout) as never;
    try {
      const result = await telegram.callApi(method as keyof TelegramMethods, payload as never, {
        signal,
      });
      return result as BotApiResult<M>;
    } catch (err: unknown) {
      throw toBotApiError(err, method);
    }
  }

  return {
    hasToken: telegram !== undefined,
    botId: botIdFromToken(token),
    call: (method, payload) => call(method, payload),
    getMe: () => call('getMe'),
    getChatMember: (chatId, userId) => call('getChatMember', { chat_id: chatId, user_id: userId }),
    sendMessage: (chatId, text, extra) => call('sendMessage', { chat_id: chatId, text, ...extra }),
    setWebhook: (url, extra) => call('setWebhook', { url, ...extra }),
    deleteWebhook: (extra) => call('deleteWebhook', { ...extra }),
    getWebhookInfo: () => call('getWebhookInfo'),
    getUpdates: ({ signal, ...updates } = {}) =>
      call('getUpdates', updates, (updates.timeout ?? 0) * 1000, signal),
  };
}

/** The client for the configured Bot API root with the bot token from the secrets. */
export function botApiFromConfig(
  config: { TELEGRAM_API_ROOT: string },
  secrets: { botToken?: string },
): BotApi {
  return createBotApi({ token: secrets.botToken, apiRoot: config.TELEGRAM_API_ROOT });
}
