/**
 * What a failed sendMessage means for the one message it carried. The line that matters is
 * between "Telegram did not send it" (safe to try again) and "it may have been sent" (never
 * try again: that could be a second message):
 *
 * | failure                                          | sent?   | outcome   |
 * | ------------------------------------------------ | ------- | --------- |
 * | 429 Too Many Requests (retry_after)              | no      | retry, pause everything for retry_after |
 * | 403 (blocked by the user, user deactivated)      | no      | blocked   |
 * | 400 and other 4xx answers (chat not found, ...)  | no      | failed    |
 * | 401, no token configured                         | no      | stop: nothing can be sent |
 * | a 5xx answer from Telegram                       | no      | retry (a few times) |
 * | no connection (refused, DNS, unreachable host)   | no      | retry (a few times) |
 * | timeout, connection reset, an unreadable answer  | maybe   | unknown   |
 */
import {
  BotApiBadRequestError,
  type BotApiError,
  BotApiForbiddenError,
  BotApiRateLimitError,
  BotApiUnauthorizedError,
  BotApiUnreachableError,
  BotTokenMissingError,
  scrubToken,
} from '../telegram/bot-api-errors.ts';

export type SendFailure =
  | { kind: 'blocked' | 'failed' | 'unknown' | 'stop'; error: string }
  | { kind: 'retry'; error: string; rateLimitedMs?: number };

/** Network failures that happen before a request is sent: nothing reached Telegram. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error as recorded on a recipient: Telegram's code and description, never a token. */
function describe(err: BotApiError): string {
  if (err.errorCode !== undefined) {
    return `${err.errorCode} ${err.description ?? ''}`.trim().slice(0, 200);
  }
  return scrubToken(err.message).slice(0, 200);
}

export function classifySendFailure(err: unknown): SendFailure {
  if (!(err instanceof Error)) return { kind: 'unknown', error: 'send failed' };
  const botError = err as BotApiError;
  if (err instanceof BotApiRateLimitError) {
    return { kind: 'retry', error: describe(botError), rateLimitedMs: err.retryAfter * 1000 };
  }
  if (err instanceof BotApiForbiddenError) return { kind: 'blocked', error: describe(botError) };
  if (err instanceof BotApiUnauthorizedError || err instanceof BotTokenMissingError) {
    return { kind: 'stop', error: describe(botError) };
  }
  if (err instanceof BotApiBadRequestError) return { kind: 'failed', error: describe(botError) };
  if (err instanceof BotApiUnreachableError) {
    if (botError.errorCode !== undefined && botError.errorCode >= 500) {
      return { kind: 'retry', error: describe(botError) };
    }
    const code = codeOf(err.cause);
    if (code !== undefined && NOT_CONNECTED.has(code)) {
      return { kind: 'retry', error: `not connected (${code})` };
    }
    return { kind: 'unknown', error: describe(botError) };
  }
  const code = botError.errorCode;
  if (code !== undefined && code >= 400 && code < 500) {
    return { kind: 'failed', error: describe(botError) };
  }
  return { kind: 'unknown', error: 'send failed' };
}
