/**
 * Where the bot's answers go. The first answer travels in the webhook response body as a
 * Bot API method call (Telegram executes it; no outbound request, no token needed); any
 * further answer is an outbound call. An outbound failure is logged and dropped: a reply
 * never makes Telegram redeliver an update that is already recorded.
 */
import { logger } from '../logger.ts';
import type { BotApi } from '../telegram/bot-api.ts';
import { isBotApiError } from '../telegram/bot-api-errors.ts';

export interface WebhookReply {
  method: string;
  [field: string]: unknown;
}

export interface ReplySink {
  send(method: string, payload: Record<string, unknown>): Promise<void>;
  /** The method call for the response body, if any answer was sent. */
  readonly webhookReply: WebhookReply | undefined;
  /** Outbound calls made (the webhook reply excluded). */
  readonly outboundCalls: number;
}

export interface ReplySinkOptions {
  botApi: BotApi;
  /** Longest wait for a 429's retry_after before the reply is dropped (ms). */
  maxRetryWaitMs?: number;
  /** Whether the first answer may go in the response body (false for getUpdates polling). */
  webhookReply?: boolean;
}

export function createReplySink(options: ReplySinkOptions): ReplySink {
  const maxWait = options.maxRetryWaitMs ?? 2000;
  let reply: WebhookReply | undefined;
  let outbound = 0;
  /** One outbound call; a 429 whose wait fits `maxWait` is retried once, never more. */
  async function callOut(
    method: string,
    payload: Record<string, unknown>,
    retried = false,
  ): Promise<void> {
    outbound++;
    try {
      await options.botApi.call(method, payload);
    } catch (err: unknown) {
      if (!retried && isBotApiError(err, 'rate_limited') && err.retryAfter * 1000 <= maxWait) {
        await new Promise((resolve) => setTimeout(resolve, err.retryAfter * 1000));
        return callOut(method, payload, true);
      }
      // Telegram's code, never its description: a refusal can quote the reply's text, which
      // may name a person (the answer to a shared contact, /me).
      const name = err instanceof Error ? err.name : 'Error';
      const errorCode = isBotApiError(err) ? err.errorCode : undefined;
      logger.warn('bot reply dropped', { method, error: name, errorCode });
    }
  }
  return {
    async send(method, payload) {
      if (reply === undefined && options.webhookReply !== false) {
        reply = { method, ...payload };
        return;
      }
      await callOut(method, payload);
    },
    get webhookReply() {
      return reply;
    },
    get outboundCalls() {
      return outbound;
    },
  };
}
