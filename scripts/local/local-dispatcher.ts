/**
 * The local stand-in for the table's stream and the dispatcher's schedule: one loop in the
 * stack's process runs the deployed dispatcher's code (lib/events/dispatcher.ts) over the
 * outbox, a pass every `intervalMs`, so events reach a receiver within a fraction of a
 * second. One pass at a time; a failed pass is logged and the next one tries again.
 */
import { createDispatcher, type DispatcherDeps } from '../../lib/events/dispatcher.ts';

export interface LocalDispatcher {
  /** Resolves when the loop has stopped (after the pass in progress). */
  stop(): Promise<void>;
  /** One pass now (tests); resolves when it is done. */
  runOnce(): Promise<void>;
}

export function startLocalDispatcher(
  deps: DispatcherDeps,
  options: { intervalMs?: number; onError?: (err: unknown) => void } = {},
): LocalDispatcher {
  const dispatcher = createDispatcher(deps);
  const interval = options.intervalMs ?? 100;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** A broadcast is sending: the next pass follows at once, so its pace is kept. */
  let sending = false;
  const pass = () => {
    running = running.then(async () => {
      try {
        const run = (await dispatcher.sweep()).broadcasts;
        sending = run !== undefined && run.sent > 0 && run.pending > run.finished;
      } catch (err: unknown) {
        sending = false;
        options.onError?.(err);
      }
    });
    return running;
  };
  const tick = async () => {
    if (stopped) return;
    await pass();
    if (!stopped) timer = setTimeout(tick, sending ? 0 : interval);
  };
  timer = setTimeout(tick, interval);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    runOnce: pass,
  };
}
