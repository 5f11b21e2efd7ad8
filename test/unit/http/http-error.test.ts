import { describe, expect, it } from 'vitest';
import { errorToResponse, HttpError, problemResponse } from '../../../lib/http/http-error.ts';
import { liveCheckError } from '../../../lib/lookup/chats/membership-live.ts';
import { BotApiError, botTokenMissing } from '../../../lib/telegram/bot-api-errors.ts';

const typeOf = (response: { body?: string }) =>
  (JSON.parse(response.body ?? '{}') as { type: string }).type;

describe('problem+json type', () => {
  it('follows one convention for every status, 4xx and 5xx alike', () => {
    for (const status of [400, 401, 403, 404, 409, 429, 500, 502, 503]) {
      expect(typeOf(problemResponse(status, 'x'))).toBe(`https://httpstatuses.io/${status}`);
    }
  });

  it('is the same for the live check 503s as for a 404', () => {
    const noToken = errorToResponse(liveCheckError(botTokenMissing('getChatMember'), 1, 2));
    const flood = errorToResponse(
      liveCheckError(
        new BotApiError('Too Many Requests', {
          kind: 'rate_limited',
          method: 'getChatMember',
          retryAfter: 3,
        }),
        1,
        2,
      ),
    );
    expect(noToken.statusCode).toBe(503);
    expect(flood.statusCode).toBe(503);
    expect(typeOf(noToken)).toBe('https://httpstatuses.io/503');
    expect(typeOf(flood)).toBe(typeOf(noToken));
    expect(typeOf(errorToResponse(new HttpError(404, 'x')))).toBe('https://httpstatuses.io/404');
  });
});
