/**
 * Typed failures of outbound Bot API calls, so callers branch on the kind of failure
 * (blocked by the user, rate limited, Telegram down) instead of parsing descriptions.
 * Nothing here ever carries the bot token: URLs in messages and causes are scrubbed.
 */
import { TelegramError } from 'telegraf';
import { AppError } from '../errors.ts';

const BOT_URL_TOKEN = /bot\d+:[A-Za-z0-9_-]+/g;
const BARE_TOKEN = /\b\d{5,}:[A-Za-z0-9_-]{30,}/g;

/** Replaces anything that looks like a bot token (`bot<id>:<secret>` or a bare token). */
export function scrubToken(text: string): string {
  return text.replace(BOT_URL_TOKEN, 'bot<redacted>').replace(BARE_TOKEN, '<redacted>');
}

interface BotApiErrorOptions {
  method: string;
  errorCode?: number;
  description?: string;
  cause?: unknown;
}

/** Base of every Bot API failure: which method failed, and Telegram's code and description. */
export class BotApiError extends AppError {
  readonly method: string;
  readonly errorCode?: number;
  readonly description?: string;

  constructor(message: string, options: BotApiErrorOptions) {
    super(scrubToken(message), { cause: options.cause });
    this.name = 'BotApiError';
    this.method = options.method;
    if (options.errorCode !== undefined) this.errorCode = options.errorCode;
    if (options.description !== undefined) this.description = scrubToken(options.description);
  }
}

/** 401: the token is wrong or revoked. Retrying will not help. */
export class BotApiUnauthorizedError extends BotApiError {
  constructor(message: string, options: BotApiErrorOptions) {
    super(message, options);
    this.name = 'BotApiUnauthorizedError';
  }
}

/** 403: the user blocked the bot, the bot was kicked, or it lacks the rights for this call. */
export class BotApiForbiddenError extends BotApiError {
  constructor(message: string, options: BotApiErrorOptions) {
    super(message, options);
    this.name = 'BotApiForbiddenError';
  }
}

/** 429: flood control. `retryAfter` is the number of seconds Telegram asks us to wait. */
export class BotApiRateLimitError extends BotApiError {
  readonly retryAfter: number;

  constructor(message: string, options: BotApiErrorOptions & { retryAfter: number }) {
    super(message, options);
    this.name = 'BotApiRateLimitError';
    this.retryAfter = options.retryAfter;
  }
}

/** 400: Telegram rejected the request ("user not found", "chat not found", ...). */
export class BotApiBadRequestError extends BotApiError {
  constructor(message: string, options: BotApiErrorOptions) {
    super(message, options);
    this.name = 'BotApiBadRequestError';
  }
}

/** Telegram could not be reached or answered 5xx (network error, timeout); worth retrying. */
export class BotApiUnreachableError extends BotApiError {
  constructor(message: string, options: BotApiErrorOptions) {
    super(message, options);
    this.name = 'BotApiUnreachableError';
  }
}

/** No bot token is configured: outbound calls are impossible (webhook replies still work). */
export class BotTokenMissingError extends BotApiError {
  constructor(method: string) {
    super(`Cannot call Bot API method ${method}: TELEGRAM_BOT_TOKEN is not set`, { method });
    this.name = 'BotTokenMissingError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const NETWORK_NAMES = new Set(['FetchError', 'AbortError', 'TimeoutError']);

function isNetworkError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR'))) {
    return true;
  }
  return NETWORK_NAMES.has(err.name);
}

/** Removes tokens from an error's own message and stack, so logging the cause is safe too. */
function scrubInPlace(err: unknown): unknown {
  if (err instanceof Error) {
    err.message = scrubToken(err.message);
    if (err.stack) err.stack = scrubToken(err.stack);
  }
  return err;
}

function retryAfterOf(err: TelegramError): number {
  const fromParameters = err.parameters?.retry_after;
  if (typeof fromParameters === 'number' && fromParameters >= 0) return fromParameters;
  const fromText = /retry after (\d+)/i.exec(err.description ?? '')?.[1];
  return fromText === undefined ? 1 : Number(fromText);
}

function fromTelegramError(err: TelegramError, method: string): BotApiError {
  const errorCode = err.code;
  const description = err.description;
  const options = { method, errorCode, description, cause: err };
  const message = `Bot API ${method} failed: ${errorCode} ${description ?? ''}`.trimEnd();
  if (errorCode === 401) return new BotApiUnauthorizedError(message, options);
  if (errorCode === 403) return new BotApiForbiddenError(message, options);
  if (errorCode === 400) return new BotApiBadRequestError(message, options);
  if (errorCode === 429) {
    return new BotApiRateLimitError(message, { ...options, retryAfter: retryAfterOf(err) });
  }
  if (errorCode >= 500) return new BotApiUnreachableError(message, options);
  return new BotApiError(message, options);
}

/**
 * Maps whatever a Bot API call threw to a `BotApiError`: telegraf's `TelegramError` by its
 * `error_code`, network failures (node-fetch `FetchError`, `AbortError` from the timeout,
 * `ECONNREFUSED`, undici errors) to `BotApiUnreachableError`, anything else to the base.
 * A `BotApiError` passes through unchanged. Messages are token-free.
 */
export function toBotApiError(err: unknown, method: string): BotApiError {
  if (err instanceof BotApiError) return err;
  scrubInPlace(err);
  if (err instanceof TelegramError) return fromTelegramError(err, method);
  if (err instanceof Error && isNetworkError(err)) {
    const reason = err.name === 'AbortError' || err.name === 'TimeoutError' ? 'timed out' : '';
    const detail = reason || err.message;
    return new BotApiUnreachableError(`Bot API ${method} unreachable: ${detail}`, {
      method,
      cause: err,
    });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new BotApiError(`Bot API ${method} failed: ${detail}`, { method, cause: err });
}
