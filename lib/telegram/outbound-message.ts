/**
 * Sending a message to a contact's private chat, and what Telegram's answer means for it.
 * Shared by direct messages (lookup) and broadcasts (dispatcher): one payload shape, one
 * reading of the failures. A failure's `reason` is a fixed text (never Telegram's
 * description, which can quote parts of the message).
 */
import type { Message } from 'telegraf/types';
import type { BotApi } from './bot-api.ts';
import { isBotApiError } from './bot-api-errors.ts';

export interface OutboundMessage {
  text: string;
  parseMode: 'HTML' | 'MarkdownV2' | null;
  disableNotification: boolean;
  /** Rows of URL buttons (inline keyboard). */
  buttons: { text: string; url: string }[][];
}

/** sendMessage's parameters for `message` to `chatId`. */
export function sendMessagePayload(chatId: number, message: OutboundMessage) {
  return {
    chat_id: chatId,
    text: message.text,
    ...(message.parseMode ? { parse_mode: message.parseMode } : {}),
    ...(message.disableNotification ? { disable_notification: true } : {}),
    ...(message.buttons.length > 0
      ? {
          reply_markup: {
            inline_keyboard: message.buttons.map((row) =>
              row.map((button) => ({ text: button.text, url: button.url })),
            ),
          },
        }
      : {}),
  };
}

/** Sends `message` to `chatId`; rejects with a BotApiError (see `sendFailure`). */
export async function sendOutboundMessage(
  botApi: BotApi,
  chatId: number,
  message: OutboundMessage,
): Promise<Message.TextMessage> {
  return (await botApi.call(
    'sendMessage',
    sendMessagePayload(chatId, message),
  )) as Message.TextMessage;
}

/**
 * What a failed send means:
 * - `blocked`: 403 "bot was blocked by the user";
 * - `not-started`: the user never opened the private chat (403 "bot can't initiate
 *   conversation", 400 "chat not found");
 * - `deactivated`: 403 "user is deactivated" (a deleted account);
 * - `forbidden`: another 403;
 * - `rate-limited`: 429 with `retryAfter` seconds;
 * - `rejected`: another 400 (the text does not parse as its parseMode, a button is refused);
 * - `unreachable`: no answer in time, a network error or a 5xx: the message MAY have been
 *   sent;
 * - `unauthorized`: 401, the token was refused; `no-token`: none configured (nothing sent).
 * `sent` says whether Telegram may have delivered it (only `unreachable` and unknown errors).
 */
export type SendFailure =
  | { kind: 'blocked' | 'not-started' | 'deactivated' | 'forbidden'; sent: false }
  | { kind: 'rate-limited'; retryAfter: number; sent: false }
  | { kind: 'rejected'; reason: string; sent: false }
  | { kind: 'unreachable'; sent: 'maybe' }
  | { kind: 'unauthorized' | 'no-token'; sent: false }
  | { kind: 'unknown'; sent: 'maybe' };

const NOT_STARTED = /can't initiate conversation|chat not found|PEER_ID_INVALID/i;

/** Reads a failed send; undefined when `err` is no Bot API error. */
export function sendFailure(err: unknown): SendFailure | undefined {
  if (!isBotApiError(err)) return undefined;
  const description = err.description ?? '';
  if (err.kind === 'token_missing') return { kind: 'no-token', sent: false };
  if (isBotApiError(err, 'rate_limited')) {
    return {
      kind: 'rate-limited',
      retryAfter: Math.max(1, Math.ceil(err.retryAfter)),
      sent: false,
    };
  }
  if (err.kind === 'forbidden') {
    if (/blocked by the user/i.test(description)) return { kind: 'blocked', sent: false };
    if (/deactivated/i.test(description)) return { kind: 'deactivated', sent: false };
    if (NOT_STARTED.test(description)) return { kind: 'not-started', sent: false };
    return { kind: 'forbidden', sent: false };
  }
  if (err.kind === 'bad_request') {
    if (NOT_STARTED.test(description)) return { kind: 'not-started', sent: false };
    return { kind: 'rejected', reason: rejectionReason(description), sent: false };
  }
  if (err.kind === 'unauthorized') return { kind: 'unauthorized', sent: false };
  if (err.kind === 'unreachable') return { kind: 'unreachable', sent: 'maybe' };
  return { kind: 'unknown', sent: 'maybe' };
}

/** A fixed text for a 400: Telegram's own description may quote the message. */
function rejectionReason(description: string): string {
  if (
    /can't parse entities|can't find end|unsupported start tag|unexpected end/i.test(description)
  ) {
    return 'the text is not valid in its parseMode (check the markup and escape reserved characters)';
  }
  if (/message is too long|text is too long|MESSAGE_TOO_LONG/i.test(description)) {
    return 'the text is too long once its markup is parsed';
  }
  if (/message text is empty|text must be non-empty/i.test(description)) {
    return 'the text is empty once its markup is parsed';
  }
  if (/button|url|reply markup|inline keyboard/i.test(description)) {
    return 'Telegram refused a button (check its url)';
  }
  return 'Telegram refused the message (400)';
}
