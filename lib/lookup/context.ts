/** What the lookup services work with, built once per cold start (see lookup-deps.ts). */
import type { CursorCodec } from '../http/cursor.ts';
import type { StoreContext } from '../store/client.ts';
import type { BotApi } from '../telegram/bot-api.ts';

export interface LookupContext {
  store: StoreContext;
  botApi: BotApi;
  cursors: CursorCodec;
}
