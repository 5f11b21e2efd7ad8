import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../lib/errors.ts';
import {
  BotApiError,
  botTokenMissing,
  isBotApiError,
  scrubToken,
  toBotApiError,
} from '../../../lib/telegram/bot-api-errors.ts';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_';

function telegramError(code: number, description: string, retryAfter?: number): TelegramError {
  const parameters = retryAfter === undefined ? undefined : { retry_after: retryAfter };
  return new TelegramError({ error_code: code, description, parameters }, { method: 'x' });
}

function networkError(name: string, message: string, code?: string): Error {
  const err = new Error(message) as Error & { code?: string };
  err.name = name;
  if (code) err.code = code;
  return err;
}

describe('toBotApiError', () => {
  it('maps 401 to unauthorized', () => {
    const err = toBotApiError(telegramError(401, 'Unauthorized'), 'getMe');
    expect(err.kind).toBe('unauthorized');
    expect(err).toBeInstanceOf(BotApiError);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ name: 'BotApiUnauthorizedError', method: 'getMe', errorCode: 401 });
  });

  it('maps 403 to forbidden with the description', () => {
    const err = toBotApiError(telegramError(403, 'Forbidden: bot was blocked by the user'), 'm');
    expect(err).toMatchObject({ kind: 'forbidden', name: 'BotApiForbiddenError' });
    expect(err.description).toBe('Forbidden: bot was blocked by the user');
    expect(err.message).toContain('bot was blocked by the user');
  });

  it('maps 429 to rate_limited with retryAfter from parameters', () => {
    const err = toBotApiError(telegramError(429, 'Too Many Requests: retry after 7', 7), 'm');
    expect(err).toMatchObject({ kind: 'rate_limited', name: 'BotApiRateLimitError' });
    expect(isBotApiError(err, 'rate_limited')).toBe(true);
    expect(err.retryAfter).toBe(7);
  });

  it('falls back to the description for retryAfter', () => {
    const err = toBotApiError(telegramError(429, 'Too Many Requests: retry after 12'), 'm');
    expect(err.retryAfter).toBe(12);
  });

  it.each(['Bad Request: user not found', 'Bad Request: chat not found'])(
    'maps 400 "%s" to bad_request',
    (description) => {
      const err = toBotApiError(telegramError(400, description), 'getChatMember');
      expect(err).toMatchObject({ kind: 'bad_request', name: 'BotApiBadRequestError' });
      expect(err).toMatchObject({ errorCode: 400, description, method: 'getChatMember' });
    },
  );

  it('maps 5xx answers to unreachable', () => {
    const err = toBotApiError(telegramError(502, 'Bad Gateway'), 'm');
    expect(err).toMatchObject({ kind: 'unreachable', name: 'BotApiUnreachableError' });
    expect(err.errorCode).toBe(502);
  });

  it('maps other codes to other', () => {
    const err = toBotApiError(telegramError(409, 'Conflict: terminated by other getUpdates'), 'm');
    expect(err).toMatchObject({ kind: 'other', name: 'BotApiError' });
    expect(err.errorCode).toBe(409);
  });

  it.each([
    networkError('FetchError', 'request to x failed, reason: connect ECONNREFUSED', 'ECONNREFUSED'),
    networkError('AbortError', 'The user aborted a request.'),
    networkError('TimeoutError', 'The operation was aborted due to timeout'),
    networkError('Error', 'socket hang up', 'ECONNRESET'),
    networkError('Error', 'other side closed', 'UND_ERR_SOCKET'),
  ])('maps network failure %s to unreachable', (cause) => {
    const err = toBotApiError(cause, 'sendMessage');
    expect(err.kind).toBe('unreachable');
    expect(err.cause).toBe(cause);
    expect(err.errorCode).toBeUndefined();
  });

  it('maps anything else to other', () => {
    const err = toBotApiError('weird', 'm');
    expect(err.kind).toBe('other');
    expect(err.message).toContain('weird');
  });

  it('passes a BotApiError through unchanged', () => {
    const original = botTokenMissing('getMe');
    expect(toBotApiError(original, 'other')).toBe(original);
  });
});

describe('token scrubbing', () => {
  it('replaces bot<token> URL fragments and bare tokens', () => {
    expect(scrubToken(`https://api.telegram.org/bot${TOKEN}/getMe`)).toBe(
      'https://api.telegram.org/bot<redacted>/getMe',
    );
    expect(scrubToken(`token ${TOKEN} leaked`)).toBe('token <redacted> leaked');
    expect(scrubToken('Too Many Requests: retry after 3')).toBe('Too Many Requests: retry after 3');
  });

  it('never lets the token into message, description, or the cause', () => {
    const cause = networkError(
      'FetchError',
      `request to http://127.0.0.1:1/bot${TOKEN}/getMe failed, reason: connect ECONNREFUSED`,
      'ECONNREFUSED',
    );
    const err = toBotApiError(cause, 'getMe');
    expect(err.message).not.toContain(TOKEN);
    expect(err.stack).not.toContain(TOKEN);
    expect(cause.message).not.toContain(TOKEN);
    expect(cause.stack).not.toContain(TOKEN);

    const other = toBotApiError(new Error(`failed for bot${TOKEN}`), 'm');
    expect(other.message).toBe('Bot API m failed: failed for bot<redacted>');

    const described = new BotApiError('x', { method: 'm', description: `bad ${TOKEN}` });
    expect(described.description).toBe('bad <redacted>');
  });
});

describe('botTokenMissing', () => {
  it('names the missing variable and the method', () => {
    const err = botTokenMissing('sendMessage');
    expect(err).toBeInstanceOf(BotApiError);
    expect(err.kind).toBe('token_missing');
    expect(err.name).toBe('BotTokenMissingError');
    expect(err.method).toBe('sendMessage');
    expect(err.message).toContain('TELEGRAM_BOT_TOKEN');
  });
});

describe('isBotApiError', () => {
  it('narrows to any Bot API error, or to the kinds given', () => {
    const err = toBotApiError(telegramError(403, 'Forbidden'), 'm');
    expect(isBotApiError(err)).toBe(true);
    expect(isBotApiError(err, 'forbidden', 'unauthorized')).toBe(true);
    expect(isBotApiError(err, 'rate_limited')).toBe(false);
    expect(isBotApiError(new Error('x'))).toBe(false);
  });
});
