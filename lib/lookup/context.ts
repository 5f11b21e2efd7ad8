/** What the lookup services work with, built once per cold start (see lookup-deps.ts). */
import type { CursorCodec } from '../http/cursor.ts';
import type { StoreContext } from '../store/client.ts';
import type { ProfileCache } from '../store/profile-cache.ts';
import type { BotApi } from '../telegram/bot-api.ts';

export interface LookupContext {
  /** The cache is the webhook's profile cache when both run in one process (local stack). */
  store: StoreContext & { cache?: ProfileCache };
  botApi: BotApi;
  cursors: CursorCodec;
}
