/** What the lookup services work with: built once per cold start, plus each request's caller. */
import type { ApiCaller } from '../access/api-key-auth.ts';
import type { CursorCodec } from '../http/cursor.ts';
import type { StoreContext } from '../store/client.ts';
import type { BotApi } from '../telegram/bot-api.ts';
import type { LookupLimits } from './limits.ts';

/** Built once per cold start (see lookup-deps.ts). */
export interface LookupContext {
  store: StoreContext;
  botApi: BotApi;
  cursors: CursorCodec;
  /** Lower limits than the defaults (limits.ts), for tests. */
  limits?: Partial<LookupLimits>;
  /** EVENTS_ALLOW_LOOPBACK: subscriptions may use `http://` loopback URLs (local only). */
  eventsAllowLoopback?: boolean;
  /**
   * Milliseconds clock of what routes write and compare with times (subscriptions, pings, a
   * resumed delivery's due time), so a test's dispatcher on the same clock sees them; absent:
   * Date.now.
   */
  now?: () => number;
}

/** One request: the shared context and the authenticated caller (absent on public routes). */
export interface RequestContext extends LookupContext {
  caller?: ApiCaller;
}

/** The caller of a route that requires a key; a route without one is a programming error. */
export function callerOf(ctx: RequestContext): ApiCaller {
  if (!ctx.caller) throw new Error('this route needs an authenticated caller');
  return ctx.caller;
}
