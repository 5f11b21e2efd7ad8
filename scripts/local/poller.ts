/**
 * `npm start -- --poll`: the same bot against a real token, pulling updates with getUpdates.
 * Deletes the webhook first (Telegram refuses getUpdates while one is set), advances the
 * offset only past updates that were recorded, and backs off exponentially on errors.
 */
import { logger } from '../../lib/logger.ts';
import type { BotApi } from '../../lib/telegram/bot-api.ts';
import { isBotApiError } from '../../lib/telegram/bot-api-errors.ts';
import { processUpdate, type UpdateProcessorDeps } from '../../lib/webhook/process-update.ts';

export interface Poller {
  stop(): Promise<void>;
}

export function startPolling(options: {
  botApi: BotApi;
  processor: UpdateProcessorDeps;
  timeoutSeconds?: number;
  maxBackoffMs?: number;
  allowedUpdates?: string[];
  /** Called once the webhook is deleted and polling really starts. */
  onWebhookDeleted?: () => void;
}): Poller {
  const processor = { ...options.processor, webhookReply: false };
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let running = true;
  const stopping = new AbortController();
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    let offset: number | undefined;
    let backoff = 500;
    while (running) {
      try {
        if (offset === undefined) {
          await options.botApi.deleteWebhook({ drop_pending_updates: false });
          offset = 0;
          options.onWebhookDeleted?.();
        }
        const updates = await options.botApi.getUpdates({
          offset,
          timeout: options.timeoutSeconds ?? 25,
          signal: stopping.signal,
          ...(options.allowedUpdates ? { allowed_updates: options.allowedUpdates as never } : {}),
        });
        for (const update of updates) {
          if (!running) break;
          await processUpdate(processor, update);
          offset = update.update_id + 1;
        }
        backoff = 500;
      } catch (err: unknown) {
        if (!running) break; // the long poll was aborted by stop()
        if (isBotApiError(err, 'unauthorized')) {
          logger.error('polling stopped: Telegram rejected the bot token (401)');
          running = false;
          break;
        }
        logger.warn('polling error; backing off', {
          error: err instanceof Error ? err.name : 'Error',
          detail: err instanceof Error ? err.message : undefined,
          backoffMs: backoff,
        });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  };
  const done = loop();
  return {
    async stop() {
      running = false;
      stopping.abort();
      wake?.();
      await done;
    },
  };
}
