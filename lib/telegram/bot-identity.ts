/**
 * Who the bot is. telegraf needs the bot's username to route `/command@bot` in groups; taking
 * it from `TELEGRAM_BOT_USERNAME` saves a getMe round trip on every cold start.
 */
import type { BotApi } from './bot-api.ts';
import { BotApiError } from './bot-api-errors.ts';

export interface BotIdentity {
  /** The bot's user id: from getMe, else from the token prefix, else unknown. */
  id?: number;
  /** Username without `@`. */
  username: string;
  firstName?: string;
}

export interface BotIdentityOptions {
  /** `TELEGRAM_BOT_USERNAME`; when set, no network call is made. A leading `@` is dropped. */
  username?: string;
  botApi: BotApi;
}

/**
 * The bot's user id from its token (`123456:ABC...` -> 123456). The id is public (it is the
 * bot's user id), only the part after the colon is secret. Undefined for anything else.
 */
export function botIdFromToken(token: string | undefined): number | undefined {
  const match = token ? /^(\d+):/.exec(token) : null;
  if (!match?.[1]) return undefined;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Resolves the identity: from `username` without I/O when given, else by calling getMe.
 * Rejects with the `BotApiError` getMe raised (e.g. a `token_missing` one).
 */
export async function resolveBotIdentity(options: BotIdentityOptions): Promise<BotIdentity> {
  const username = options.username?.trim().replace(/^@/, '');
  if (username) {
    const id = options.botApi.botId;
    return id === undefined ? { username } : { id, username };
  }
  const me = await options.botApi.getMe();
  if (!me.username) {
    throw new BotApiError('Bot API getMe returned no username', { method: 'getMe' });
  }
  return { id: me.id, username: me.username, firstName: me.first_name };
}

/**
 * A memoized resolver for one cold start: the first call resolves, later and concurrent calls
 * share the same promise, so getMe runs at most once. A failed resolution is forgotten, so
 * the next call retries instead of the function being broken until the next cold start.
 */
export function createBotIdentityResolver(options: BotIdentityOptions): () => Promise<BotIdentity> {
  let pending: Promise<BotIdentity> | undefined;
  return () => {
    if (pending) return pending;
    const attempt = resolveBotIdentity(options);
    pending = attempt;
    attempt.catch(() => {
      if (pending === attempt) pending = undefined;
    });
    return attempt;
  };
}
