/**
 * The scan invariant of the recorder simulation: once an erasure of a user has finished and
 * nothing of theirs is still queued (quiet), a whole-table scan (test/helpers/erasure-scan.ts)
 * finds nothing of them but their tombstones and `contact.erased`: no id, name, username or
 * phone number they used, anywhere in the table. Allowed, as the model allows them:
 * - what an update of theirs dropped after an attempt (or acknowledged while another attempt
 *   crashed) may have written (`mayLeave`, recorder.ts: outside Telegram's delivery model);
 * - the tags and note a patch that failed midway beside the erasure may have left
 *   (contact-notes.ts; no listing shows them).
 */
import type { StoreContext } from '../../lib/store/client.ts';
import { type Trace, tracesOf } from '../helpers/erasure-scan.ts';
import { mayLeave } from './model.ts';
import type { SimUpdate } from './telegram-sim.ts';

export interface ScanAllowance {
  updates: readonly SimUpdate[];
  /** The user's erasure floor (the erasure's time + 1). */
  floor: number;
  /** A patch of the user's tags failed (its writes may stay). */
  failedPatch: boolean;
}

export interface ScanResult {
  /** Traces the model does not allow, as failure lines. */
  failures: string[];
  /** Traces allowed as a dropped update's leftovers (counted for the report). */
  allowed: number;
}

/** The user's own fields, as the simulated Telegram sends them (telegram-sim.ts). */
function personOf(user: number, updates: readonly SimUpdate[]) {
  const phones = updates.flatMap((u) =>
    u.event.user === user && u.event.kind === 'contact' ? [u.event.phone] : [],
  );
  return { id: user, names: [`User${user}`], usernames: [`user_${user}`], phones };
}

/** A number that equals the id by chance (an update id, a counter), not an id field. */
function isChanceNumber(trace: Trace): boolean {
  const field = trace.path.split('.').at(-1) ?? '';
  return trace.what === 'id' && /^\d+$/.test(trace.value) && !/id$/i.test(field);
}

export async function scanErased(
  ctx: StoreContext,
  user: number,
  allowance: ScanAllowance,
): Promise<ScanResult> {
  const traces = (await tracesOf(ctx, personOf(user, allowance.updates))).filter(
    (trace) => !isChanceNumber(trace),
  );
  const leftovers = allowance.updates.some(
    (u) => u.event.user === user && mayLeave(u) && u.date < allowance.floor,
  );
  const result: ScanResult = { failures: [], allowed: 0 };
  for (const trace of traces) {
    const patchLeftover =
      allowance.failedPatch &&
      trace.pk === `USER#${user}` &&
      /^(PROFILE#NOTES|TAG#)/.test(trace.sk);
    if (patchLeftover) continue;
    if (leftovers && trace.pk === `USER#${user}`) {
      result.allowed++;
      continue;
    }
    result.failures.push(
      `erased user ${user} still in ${trace.pk} ${trace.sk} at ${trace.path} (${trace.what} ${trace.value})`,
    );
  }
  return result;
}
