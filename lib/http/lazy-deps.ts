/** Cold-start dependency resolution shared by the handlers. */

/**
 * Resolves dependencies once and shares the promise; a failure is not kept, so the next
 * request tries again (a transient SSM error must not poison a warm instance).
 */
export function memoizeDeps<T>(deps: T | (() => Promise<T>)): () => Promise<T> {
  if (typeof deps !== 'function') return () => Promise.resolve(deps);
  const factory = deps as () => Promise<T>;
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= factory().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/** What may be logged about an error: its name and, for our own errors, the message. */
export function describeError(err: unknown): { error: string; detail?: string; cause?: string } {
  if (!(err instanceof Error)) return { error: typeof err };
  const cause = err.cause instanceof Error ? err.cause.name : undefined;
  // `detail`, not `message`: the Powertools Logger reserves `message` and drops it.
  return { error: err.name, detail: err.message, ...(cause ? { cause } : {}) };
}
