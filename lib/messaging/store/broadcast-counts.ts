/**
 * A broadcast's counts from its recipients' states (broadcast-recipients.ts): what the sender
 * stores once nothing is left to send, and what the API shows before that.
 */

import type { StoreContext } from '../../store/client.ts';
import { RECIPIENT_STATES, type RecipientState, readRecipients } from './broadcast-recipients.ts';
import type { BroadcastCounts } from './broadcasts.ts';

type Item = Record<string, unknown>;

/** Recipients by state. */
export type Tally = Record<RecipientState, number>;
export const emptyTally = (): Tally =>
  Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as Tally;

/**
 * The counts a broadcast of `total` recipients shows: with a cancelled one, what was still
 * queued is skipped; a recipient no longer stored (erased: deleted with everything of hers,
 * whatever she had been sent) is skipped too, so the counts always add up to `total`.
 */
export function countsOf(tally: Tally, cancelled: boolean, total: number): BroadcastCounts {
  const stored = RECIPIENT_STATES.reduce((sum, s) => sum + tally[s], 0);
  return {
    sent: tally.sent,
    failed: tally.failed,
    blocked: tally.blocked,
    skipped: tally.skipped + (cancelled ? tally.queued : 0) + Math.max(0, total - stored),
    unknown: tally.unknown,
  };
}

/** How many recipients are in each state (eventually consistent: for status answers). */
export async function recipientStates(ctx: StoreContext, broadcastId: string): Promise<Tally> {
  const counts = emptyTally();
  let startKey: Item | undefined;
  do {
    const page = await readRecipients(ctx, broadcastId, {
      limit: 1000,
      consistent: false,
      ...(startKey ? { startKey } : {}),
    });
    for (const r of page.recipients) counts[r.state]++;
    startKey = page.lastKey;
  } while (startKey);
  return counts;
}
