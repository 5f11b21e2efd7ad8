/** Cold-start dependency resolution shared by the handlers. */

/**
 * Resolves dependencies once and shares the promise; a failure is not kept, so the next
 * request tries again (a transient SSM error must not poison a warm instance). With
 * `maxAgeMs`, a warm instance rebuilds them once they are older than that, so rotated SSM
 * secrets reach it; until the rebuild succeeds, the previous ones keep serving.
 */
export function memoizeDeps<T>(
  deps: T | ((previous: T | undefined) => Promise<T>),
  options: { maxAgeMs?: number } = {},
): () => Promise<T> {
  if (typeof deps !== 'function') return () => Promise.resolve(deps);
  // A rebuild gets the previous dependencies, to keep what holds no secret (clients, caches).
  const factory = deps as (previous: T | undefined) => Promise<T>;
  const maxAge = options.maxAgeMs ?? Number.POSITIVE_INFINITY;
  let current: { value: T; builtAt: number } | undefined;
  let pending: Promise<T> | undefined;
  return () => {
    if (current && Date.now() - current.builtAt < maxAge) return Promise.resolve(current.value);
    pending ??= factory(current?.value)
      .then((value) => {
        current = { value, builtAt: Date.now() };
        return value;
      })
      .catch((err: unknown) => {
        if (!current) throw err;
        current.builtAt = Date.now(); // keep the old ones; try again after another maxAge
        return current.value;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

/** How long a warm instance keeps secrets read from SSM (the Parameters cache lives as long). */
export const DEPS_MAX_AGE_MS = 5 * 60_000;

/** What may be logged about an error: its name and, for our own errors, the message. */
export function describeError(err: unknown): { error: string; detail?: string; cause?: string } {
  if (!(err instanceof Error)) return { error: typeof err };
  const cause = err.cause instanceof Error ? err.cause.name : undefined;
  // `detail`, not `message`: the Powertools Logger reserves `message` and drops it.
  return { error: err.name, detail: err.message, ...(cause ? { cause } : {}) };
}
