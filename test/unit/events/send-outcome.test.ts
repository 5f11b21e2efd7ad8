import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { classifySendFailure } from '../../../lib/events/send-outcome.ts';
import { botTokenMissing, toBotApiError } from '../../../lib/telegram/bot-api-errors.ts';

function answered(code: number, description: string, retryAfter?: number) {
  const parameters = retryAfter === undefined ? undefined : { retry_after: retryAfter };
  return toBotApiError(
    new TelegramError({ error_code: code, description, parameters }, { method: 'sendMessage' }),
    'sendMessage',
  );
}

function network(code: string | undefined, name = 'FetchError') {
  const err = Object.assign(new Error(`request failed, reason: ${code}`), { code });
  err.name = name;
  return toBotApiError(err, 'sendMessage');
}

describe('classifySendFailure', () => {
  it('retries a 429 after retry_after, pausing everything', () => {
    expect(classifySendFailure(answered(429, 'Too Many Requests: retry after 7', 7))).toEqual({
      kind: 'retry',
      error: 'Telegram asked to wait 7 s (429)',
      rateLimitedMs: 7000,
    });
  });

  it('records a 403 "blocked by the user" as blocked, other refusals as failed', () => {
    expect(classifySendFailure(answered(403, 'Forbidden: bot was blocked by the user'))).toEqual({
      kind: 'blocked',
      error: 'the user blocked the bot (403)',
    });
    expect(classifySendFailure(answered(403, 'Forbidden: user is deactivated'))).toEqual({
      kind: 'failed',
      error: 'the account is deleted (403)',
    });
    expect(
      classifySendFailure(answered(403, "Forbidden: bot can't initiate conversation with a user"))
        .kind,
    ).toBe('failed');
    expect(classifySendFailure(answered(400, "Bad Request: can't parse entities")).kind).toBe(
      'failed',
    );
    expect(classifySendFailure(answered(404, 'Not Found')).kind).toBe('failed');
  });

  it('stops on a refused or missing token: nothing can be sent', () => {
    expect(classifySendFailure(answered(401, 'Unauthorized')).kind).toBe('stop');
    expect(classifySendFailure(botTokenMissing('sendMessage')).kind).toBe('stop');
  });

  it('never retries a 5xx answer (Telegram may have sent it before failing)', () => {
    expect(classifySendFailure(answered(500, 'Internal Server Error'))).toEqual({
      kind: 'unknown',
      error: 'Telegram answered 500: it may have sent it',
    });
    expect(classifySendFailure(answered(502, 'Bad Gateway')).kind).toBe('unknown');
  });

  it('retries what never connected', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']) {
      expect(classifySendFailure(network(code))).toEqual({
        kind: 'retry',
        error: `Telegram not reached (${code})`,
      });
    }
  });

  it('never retries what may have been sent: a timeout, a reset connection, an unreadable answer', () => {
    expect(classifySendFailure(network(undefined, 'AbortError')).kind).toBe('unknown');
    expect(classifySendFailure(network('ECONNRESET')).kind).toBe('unknown');
    expect(classifySendFailure(network('EPIPE')).kind).toBe('unknown');
    expect(
      classifySendFailure(toBotApiError(new SyntaxError('bad json'), 'sendMessage')).kind,
    ).toBe('unknown');
    expect(classifySendFailure('not an error').kind).toBe('unknown');
  });

  it("keeps fixed texts, never Telegram's description (it can quote the message) or a token", () => {
    const refused = answered(400, "Bad Request: can't parse entities: secret text <b>here");
    expect(classifySendFailure(refused)).toEqual({
      kind: 'failed',
      error: expect.stringContaining('not valid in its parseMode'),
    });
    const raw = Object.assign(
      new Error(
        'request to https://api.telegram.org/bot123456:AAsecretsecretsecretsecretsecret12/sendMessage failed, reason: socket hang up',
      ),
      { code: 'ECONNRESET' },
    );
    raw.name = 'FetchError';
    const failure = classifySendFailure(toBotApiError(raw, 'sendMessage'));
    expect(failure.kind).toBe('unknown');
    expect(JSON.stringify(failure)).not.toContain('AAsecret');
    expect(JSON.stringify(classifySendFailure(refused))).not.toContain('secret text');
  });
});
