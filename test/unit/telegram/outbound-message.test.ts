import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { botTokenMissing, toBotApiError } from '../../../lib/telegram/bot-api-errors.ts';
import { sendFailure, sendMessagePayload } from '../../../lib/telegram/outbound-message.ts';

function failed(code: number, description: string, retryAfter?: number) {
  const parameters = retryAfter === undefined ? undefined : { retry_after: retryAfter };
  return toBotApiError(
    new TelegramError({ error_code: code, description, parameters }, { method: 'sendMessage' }),
    'sendMessage',
  );
}

describe('sendMessagePayload', () => {
  it('holds only what the message sets', () => {
    const plain = { text: 'hi', parseMode: null, disableNotification: false, buttons: [] };
    expect(sendMessagePayload(7, plain)).toStrictEqual({ chat_id: 7, text: 'hi' });
  });

  it('maps parse mode, silence and rows of URL buttons to the Bot API fields', () => {
    const rows = [[{ text: 'A', url: 'https://a.example' }], [{ text: 'B', url: 'tg://b' }]];
    expect(
      sendMessagePayload(7, {
        text: 'hi',
        parseMode: 'MarkdownV2',
        disableNotification: true,
        buttons: rows,
      }),
    ).toStrictEqual({
      chat_id: 7,
      text: 'hi',
      parse_mode: 'MarkdownV2',
      disable_notification: true,
      reply_markup: { inline_keyboard: rows },
    });
  });
});

describe('sendFailure', () => {
  it.each([
    [403, 'Forbidden: bot was blocked by the user', 'blocked'],
    [403, "Forbidden: bot can't initiate conversation with a user", 'not-started'],
    [400, 'Bad Request: chat not found', 'not-started'],
    [403, 'Forbidden: user is deactivated', 'deactivated'],
    [403, 'Forbidden: bot was kicked from the group chat', 'forbidden'],
    [401, 'Unauthorized', 'unauthorized'],
    [500, 'Internal Server Error', 'unreachable'],
    [502, 'Bad Gateway', 'unreachable'],
  ])('reads %i %s as %s', (code, description, kind) => {
    expect(sendFailure(failed(code, description))?.kind).toBe(kind);
  });

  it('says a timeout or a 5xx may have sent the message, a refusal did not', () => {
    expect(sendFailure(failed(500, 'Internal Server Error'))?.sent).toBe('maybe');
    expect(sendFailure(failed(403, 'Forbidden: bot was blocked by the user'))?.sent).toBe(false);
    expect(sendFailure(failed(400, 'Bad Request: message text is empty'))?.sent).toBe(false);
  });

  it('carries retry_after of a 429, at least one second', () => {
    expect(sendFailure(failed(429, 'Too Many Requests: retry after 12', 12))).toStrictEqual({
      kind: 'rate-limited',
      retryAfter: 12,
      sent: false,
    });
    expect(sendFailure(failed(429, 'Too Many Requests', 0))).toMatchObject({ retryAfter: 1 });
  });

  it('gives fixed reasons for a 400, never Telegram’s description', () => {
    const parse = sendFailure(
      failed(400, 'Bad Request: can\'t parse entities: Unsupported start tag "private-word"'),
    );
    expect(parse).toMatchObject({ kind: 'rejected' });
    expect(JSON.stringify(parse)).not.toContain('private-word');
    expect(sendFailure(failed(400, 'Bad Request: BUTTON_URL_INVALID'))).toMatchObject({
      reason: 'Telegram refused a button (check its url)',
    });
    expect(sendFailure(failed(400, 'Bad Request: something new'))).toMatchObject({
      reason: 'Telegram refused the message (400)',
    });
  });

  it('knows a missing token, and passes anything that is not a Bot API error', () => {
    expect(sendFailure(botTokenMissing('sendMessage'))?.kind).toBe('no-token');
    expect(sendFailure(new Error('boom'))).toBeUndefined();
  });
});
