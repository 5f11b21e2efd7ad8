/**
 * The dispatcher's entry to broadcasts: each sweep asks whether any broadcast waits (one
 * index Query) and only then loads the sender (broadcast-sender.ts, which brings the Bot API
 * client and, deployed, the bot token from SSM) and lets it send for `budgetMs`. A dispatcher
 * with no broadcast to send never loads either, so its cold start stays as small as before.
 */

import type { StoreContext } from '../store/client.ts';
import type { BroadcastRun } from './broadcast-sender.ts';
import { listPendingBroadcasts } from './store/broadcast-progress.ts';

export interface BroadcastRunner {
  /** Sends waiting broadcasts for at most `budgetMs` (0: none this time). */
  run(budgetMs?: number): Promise<BroadcastRun | undefined>;
}

/** A sender built the first time one is needed (once per cold start). */
export function createBroadcastRunner(
  store: StoreContext,
  load: () => Promise<{
    run(budgetMs: number | undefined, pending: string[]): Promise<BroadcastRun>;
  }>,
): BroadcastRunner {
  let sender: ReturnType<typeof load> | undefined;
  return {
    async run(budgetMs) {
      if (budgetMs !== undefined && budgetMs <= 0) return undefined;
      const pending = await listPendingBroadcasts(store);
      if (pending.length === 0) return undefined;
      sender ??= load().catch((err: unknown) => {
        sender = undefined;
        throw err;
      });
      return (await sender).run(budgetMs, pending);
    },
  };
}
