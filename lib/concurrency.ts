/**
 * One bounded pool for running a task per item, a few at a time: the dispatcher's fan-out and
 * attempts, a broadcast pass's sends, the lookup's BatchGetItem requests and a broadcast's
 * recipient writes all go through it, so they share one error policy.
 *
 * The policy: items start in order, at most `concurrency` at once; a task's failure never
 * leaves another task running behind the caller's back: the call settles only once every
 * started task has ended, and then rejects with the first failure (in time) if there was one.
 * What differs between callers is whether the remaining items still start after a failure:
 * - `stopOnFailure: false` (the default): every item runs (independent work: one delivery
 *   failing must not hold back the others, and their requests are the same as without it);
 * - `stopOnFailure: true`: no item starts after the first failure (the run is broken: a store
 *   failure ends a broadcast pass, one failed read fails the whole bulk read).
 * `onFailure` hears of each failure as it happens, before any further item could start (a
 * broadcast pass stops its turn with it, so that sends under way see it at once).
 */

export interface ConcurrencyOptions {
  /** Tasks running at once. */
  concurrency: number;
  /** Start no further item after a failure; the ones under way still end. Default false. */
  stopOnFailure?: boolean;
  /** Called synchronously at each failure. */
  onFailure?: (err: unknown) => void;
}

/** Runs `task` over `items` under `options` (see the module comment for the error policy). */
export async function forEachConcurrently<T>(
  items: readonly T[],
  options: ConcurrencyOptions,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failed: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !(failed && options.stopOnFailure)) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (err: unknown) {
        failed ??= { err };
        options.onFailure?.(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, items.length) }, worker));
  if (failed) throw failed.err;
}
