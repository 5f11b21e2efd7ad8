/**
 * The broadcast sender as a deployment runs it: the Bot API client with the bot token, the
 * configured pace (BROADCAST_RATE), and 403s recorded as the contact's block. Imported lazily
 * (broadcast-runner.ts), so a dispatcher loads the Bot API client only to send.
 */
import type { Config } from '../config.ts';
import type { Secrets } from '../secrets.ts';
import type { StoreContext } from '../store/client.ts';
import { botApiFromConfig } from '../telegram/bot-api.ts';
import { type BroadcastSenderDeps, createBroadcastSender } from './broadcast-sender.ts';

export function broadcastSenderFromConfig(
  config: Config,
  secrets: Pick<Secrets, 'botToken'>,
  store: StoreContext,
  options: Pick<BroadcastSenderDeps, 'log'> = {},
) {
  return createBroadcastSender({
    store,
    botApi: botApiFromConfig(config, secrets),
    rate: config.BROADCAST_RATE,
    ...options,
  });
}
