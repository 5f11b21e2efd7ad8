/**
 * What Telegram's answer to a direct send means for the client and for its Idempotency-Key.
 * The line that matters is between "Telegram surely did not send it" and "it may have been
 * sent" (never send again under the key: that could be a second message):
 *
 * | answer                                                       | sent?  | answer, record         |
 * | ------------------------------------------------------------ | ------ | ---------------------- |
 * | 2xx with a message (an integer message_id, a valid date)     | yes    | 201, done              |
 * | 2xx that cannot be read (no result, null, a date out of range) | maybe | 502 unknown, unknown  |
 * | timeout, lost connection, a 5xx, an answer no Bot API gives  | maybe  | 502 unknown, unknown   |
 * | no connection made (refused, DNS, unreachable host)          | no     | 503, released          |
 * | 429 flood control                                            | no     | 503 + Retry-After, released |
 * | 403 blocked, not started, deactivated, other 403; 400; other 4xx | no | 409 / 502, done       |
 * | 401 token refused, no token configured                       | no     | 502 / 503, released    |
 *
 * `done` answers are replayed as they were; `unknown` is replayed as 502 with
 * `outcome: "unknown"`; a released key may be used again. Fixed texts only: Telegram's
 * description can quote the message.
 */
import { classifySendFailure } from '../../events/send-outcome.ts';
import { recordBotBlocked } from '../../messaging/store/bot-blocked.ts';
import type { StoredAnswer } from '../../messaging/store/idempotency.ts';
import type { StoreContext } from '../../store/client.ts';
import { sendFailure } from '../../telegram/outbound-message.ts';
import type { SentMessage } from './message-schemas.ts';

/** What a send came to: the answer, and what its key records. */
export interface Outcome {
  answer: StoredAnswer;
  record: 'done' | 'unknown' | 'release';
}

export const UNKNOWN_DETAIL =
  'Telegram did not answer clearly (a timeout, a failure or an unreadable answer); the message may have been delivered, and a repeat with the same Idempotency-Key will not send it again';

export const problem = (
  status: number,
  detail: string,
  headers?: Record<string, string>,
): StoredAnswer => ({ status, detail, ...(headers ? { headers } : {}) });

/** The 502 "maybe sent" outcome. */
export const UNKNOWN: Outcome = { answer: problem(502, UNKNOWN_DETAIL), record: 'unknown' };

/** The sent message in Telegram's 2xx answer; undefined when the answer cannot be read. */
export function readSent(result: unknown, userId: number): SentMessage | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { message_id: messageId, date, chat } = result as Record<string, unknown>;
  if (!Number.isSafeInteger(messageId) || typeof date !== 'number') return undefined;
  const sentAt = new Date(date * 1000);
  if (!Number.isFinite(sentAt.getTime())) return undefined;
  const chatId = (chat as { id?: unknown } | null | undefined)?.id;
  return {
    messageId: messageId as number,
    chatId: typeof chatId === 'number' ? chatId : userId,
    sentAt: sentAt.toISOString(),
  };
}

const kept = (status: number, detail: string): Outcome => ({
  answer: problem(status, detail),
  record: 'done',
});

/** What a failed send (`err`, anything it threw) means (see the module comment). */
export async function sendOutcome(
  store: StoreContext,
  err: unknown,
  userId: number,
  at: number,
): Promise<Outcome> {
  const failure = sendFailure(err);
  switch (failure?.kind) {
    case 'blocked':
      await recordBotBlocked(store, userId, at);
      return kept(409, `contact ${userId} has blocked the bot`);
    case 'not-started':
      return kept(409, `contact ${userId} has not started the bot`);
    case 'deactivated':
      return kept(409, `contact ${userId} has deleted their Telegram account`);
    case 'forbidden':
      return kept(409, `Telegram does not let the bot message contact ${userId} (403)`);
    case 'rate-limited':
      return {
        answer: problem(
          503,
          'Telegram asked to slow down (flood control); retry after Retry-After',
          { 'retry-after': String(failure.retryAfter) },
        ),
        record: 'release',
      };
    case 'rejected':
      return kept(502, failure.reason);
    case 'no-token':
      return {
        answer: problem(
          503,
          'sending needs the bot token, and TELEGRAM_BOT_TOKEN is not configured',
        ),
        record: 'release',
      };
    case 'unauthorized':
      return { answer: problem(502, 'Telegram refused the bot token (401)'), record: 'release' };
    default: {
      // Unreachable, another Bot API error, or anything else thrown while sending.
      const read = classifySendFailure(err);
      if (read.kind === 'retry') {
        return {
          answer: problem(503, 'Telegram could not be reached; nothing was sent: retry'),
          record: 'release',
        };
      }
      return read.kind === 'failed' ? kept(502, read.error) : UNKNOWN;
    }
  }
}
