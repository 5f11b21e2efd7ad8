/**
 * Who the bot is, for the local stack's banner: from TELEGRAM_BOT_USERNAME, else from getMe
 * when a token is set. Unknown is said once, at start, with the fix; the webhook then routes
 * commands with a placeholder name.
 */
import type { Config } from '../../lib/config.ts';
import { createBotApi } from '../../lib/telegram/bot-api.ts';
import { type BotIdentity, resolveBotIdentity } from '../../lib/telegram/bot-identity.ts';

export async function localBotIdentity(config: Config): Promise<BotIdentity | undefined> {
  if (!config.TELEGRAM_BOT_USERNAME && !config.TELEGRAM_BOT_TOKEN) return undefined;
  const botApi = createBotApi({
    token: config.TELEGRAM_BOT_TOKEN,
    apiRoot: config.TELEGRAM_API_ROOT,
  });
  try {
    return await resolveBotIdentity({ username: config.TELEGRAM_BOT_USERNAME, botApi });
  } catch {
    return undefined; // getMe failed: the banner says so and how to avoid it
  }
}
