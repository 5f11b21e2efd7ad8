/**
 * What a failed broadcast send means for the one message it carried, on top of the reading
 * direct messages share (lib/telegram/outbound-message.ts `sendFailure`). The line that
 * matters is between "Telegram did not send it" (safe to try again) and "it may have been
 * sent" (never try again: that could be a second message):
 *
 * | failure                                                 | sent?  | outcome                |
 * | ------------------------------------------------------- | ------ | ---------------------- |
 * | 429 Too Many Requests (retry_after)                     | no     | retry; every send waits retry_after |
 * | 403 bot was blocked by the user                         | no     | blocked (recorded on the contact) |
 * | 403 deactivated, can't initiate conversation; other 4xx | no     | failed                 |
 * | 401, no token configured                                | no     | stop: nothing can be sent |
 * | a 5xx answer of the Bot API (its JSON error_code)       | maybe  | unknown (as a direct send's 502) |
 * | no connection (refused, DNS, unreachable host)          | no     | retry, 3 tries in all  |
 * | timeout, connection reset, an answer that is no Bot API answer (a proxy's 502 page) | maybe | unknown |
 *
 * The error kept on the recipient is a fixed text: Telegram's description can quote the
 * message.
 */
import { type BotApiError, isBotApiError } from '../telegram/bot-api-errors.ts';
import { sendFailure } from '../telegram/outbound-message.ts';

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

/**
 * An unreachable Telegram: never connected (retried), or unknown. A 5xx answer came after the
 * request reached Telegram, which may have sent the message before failing: never retried.
 */
function unreachable(err: BotApiError): SendFailure {
  if (err.errorCode !== undefined && err.errorCode >= 500) {
    return { kind: 'unknown', error: `Telegram answered ${err.errorCode}: it may have sent it` };
  }
  const code = codeOf(err.cause);
  if (code !== undefined && NOT_CONNECTED.has(code)) {
    return { kind: 'retry', error: `Telegram not reached (${code})` };
  }
  return { kind: 'unknown', error: 'no answer from Telegram (timeout or lost connection)' };
}

export function classifySendFailure(err: unknown): SendFailure {
  const failure = sendFailure(err);
  if (!failure || !isBotApiError(err)) {
    return { kind: 'unknown', error: 'the send failed without an answer' };
  }
  switch (failure.kind) {
    case 'rate-limited':
      return {
        kind: 'retry',
        error: `Telegram asked to wait ${failure.retryAfter} s (429)`,
        rateLimitedMs: failure.retryAfter * 1000,
      };
    case 'blocked':
      return { kind: 'blocked', error: 'the user blocked the bot (403)' };
    case 'deactivated':
      return { kind: 'failed', error: 'the account is deleted (403)' };
    case 'not-started':
      return { kind: 'failed', error: 'no private chat with the bot' };
    case 'forbidden':
      return { kind: 'failed', error: 'Telegram refused it (403)' };
    case 'rejected':
      return { kind: 'failed', error: failure.reason };
    case 'unauthorized':
      return { kind: 'stop', error: 'Telegram refused the bot token (401)' };
    case 'no-token':
      return { kind: 'stop', error: 'no bot token is configured' };
    case 'unreachable':
      return err.kind === 'unreachable'
        ? unreachable(err)
        : { kind: 'unknown', error: 'no answer from Telegram' };
    default: {
      const code = err.errorCode;
      // Another 4xx is Telegram's own refusal: nothing was sent.
      return code !== undefined && code >= 400 && code < 500
        ? { kind: 'failed', error: `Telegram refused it (${code})` }
        : { kind: 'unknown', error: 'the send failed without an answer' };
    }
  }
}
