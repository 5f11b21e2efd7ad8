/**
 * One pass over a broadcast's recipients, in pages (a consistent Query each): the queued ones
 * that are due take their turn (broadcast-delivery.ts), a few at a time; a claim whose lease
 * passed unsettled (its dispatcher crashed) becomes `unknown`; everything else is counted. A
 * pass that saw every recipient in a final state is `final`, and its tally is the broadcast's
 * counts. Another pass waits while anything is still open (a retry not yet due, a claim of
 * another dispatcher not yet run out).
 */

import { forEachConcurrently } from '../concurrency.ts';
import { deliver, type Turn } from './broadcast-delivery.ts';
import { emptyTally, type Tally } from './store/broadcast-counts.ts';
import { expireRecipient, type Recipient, readRecipients } from './store/broadcast-recipients.ts';
import type { Broadcast } from './store/broadcasts.ts';

/** Recipients read per page. */
const PAGE_SIZE = 200;
/** When a recipient another dispatcher changed is looked at again. */
const RECHECK_MS = 250;

export interface PassResult {
  /** Every recipient has its final state: `tally` is the broadcast's counts. */
  final: boolean;
  tally: Tally;
  /** When something open may be due (a retry, another dispatcher's claim running out). */
  wakeAt: number;
}

export async function runPass(
  turn: Turn,
  broadcast: Broadcast,
  concurrency: number,
): Promise<PassResult> {
  const { now } = turn;
  const tally = emptyTally();
  let open = false;
  let wakeAt = Number.POSITIVE_INFINITY;
  const waitUntil = (at: number) => {
    open = true;
    wakeAt = Math.min(wakeAt, at);
  };
  let startKey: Record<string, unknown> | undefined;
  do {
    if (turn.shouldStop()) return { final: false, tally, wakeAt: now() };
    const page = await readRecipients(turn.store, broadcast.id, {
      limit: PAGE_SIZE,
      ...(startKey ? { startKey } : {}),
    });
    const cancelled = await turn.cancelled();
    const at = now();
    const due: Recipient[] = [];
    for (const r of page.recipients) {
      if (r.state === 'queued' && !cancelled) {
        if ((r.retryAt ?? 0) <= at) due.push(r);
        else waitUntil(r.retryAt ?? at);
      } else if (r.state === 'sending' && r.lease !== undefined && r.lease <= at) {
        const claim = { userId: r.userId, lease: r.lease };
        if (await expireRecipient(turn.store, broadcast.id, claim, at)) tally.unknown++;
        else waitUntil(at + RECHECK_MS);
      } else if (r.state === 'sending') {
        waitUntil(r.lease ?? at);
      } else {
        // Final, or queued in a cancelled broadcast (counted as skipped).
        tally[r.state]++;
      }
    }
    // A store failure ends the pass: nothing more starts, and the turn stops at once.
    const options = {
      concurrency,
      stopOnFailure: true,
      onFailure: () => turn.stop('store failure'),
    };
    await forEachConcurrently(due, options, async (r) => {
      const state = await deliver(turn, broadcast, r);
      if (state === undefined) waitUntil(now() + RECHECK_MS);
      else if (state === 'queued' && !(await turn.cancelled())) waitUntil(now());
      else tally[state]++;
    });
    startKey = page.lastKey;
  } while (startKey);
  return { final: !open, tally, wakeAt };
}
