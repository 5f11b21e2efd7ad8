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

/**
 * What went wrong, for callers to branch on:
 * - `unauthorized` (401): the token is wrong or revoked; retrying will not help;
 * - `forbidden` (403): the user blocked the bot, the bot was kicked, or it lacks the rights;
 * - `rate_limited` (429): flood control; `retryAfter` is the seconds Telegram asks us to wait;
 * - `bad_request` (400): Telegram rejected the request ("user not found", "chat not found");
 * - `unreachable`: Telegram could not be reached or answered 5xx (network error, timeout);
 * - `token_missing`: no bot token is configured, so no call was made (webhook replies work);
 * - `other`: any other answer or failure.
 */
export type BotApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'bad_request'
  | 'unreachable'
  | 'token_missing'
  | 'other';

/** Each kind's `name`, as log lines have always shown it (`error: 'BotApiRateLimitError'`). */
const NAMES: Record<BotApiErrorKind, string> = {
  unauthorized: 'BotApiUnauthorizedError',
  forbidden: 'BotApiForbiddenError',
  rate_limited: 'BotApiRateLimitError',
  bad_request: 'BotApiBadRequestError',
  unreachable: 'BotApiUnreachableError',
  token_missing: 'BotTokenMissingError',
  other: 'BotApiError',
};

interface BotApiErrorOptions {
  /** `other` when absent. */
  kind?: BotApiErrorKind;
  method: string;
  errorCode?: number;
  description?: string;
  /** Seconds to wait (a `rate_limited` error's). */
  retryAfter?: number;
  cause?: unknown;
}

/** A Bot API failure: its kind, which method failed, and Telegram's code and description. */
export class BotApiError extends AppError {
  readonly kind: BotApiErrorKind;
  readonly method: string;
  readonly errorCode?: number;
  readonly description?: string;
  readonly retryAfter?: number;

  constructor(message: string, options: BotApiErrorOptions) {
    super(scrubToken(message), { cause: options.cause });
    this.kind = options.kind ?? 'other';
    this.name = NAMES[this.kind];
    this.method = options.method;
    if (options.errorCode !== undefined) this.errorCode = options.errorCode;
    if (options.description !== undefined) this.description = scrubToken(options.description);
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

/** A `BotApiError` of kind `K`; a `rate_limited` one always has its `retryAfter`. */
export type BotApiErrorOf<K extends BotApiErrorKind> = BotApiError & {
  readonly kind: K;
} & (K extends 'rate_limited' ? { readonly retryAfter: number } : unknown);

/** Whether `err` is a `BotApiError` (of one of `kinds`, when given). */
export function isBotApiError<K extends BotApiErrorKind = BotApiErrorKind>(
  err: unknown,
  ...kinds: K[]
): err is BotApiErrorOf<K> {
  return err instanceof BotApiError && (kinds.length === 0 || kinds.includes(err.kind as K));
}

/** The failure of every call made without a bot token. */
export function botTokenMissing(method: string): BotApiError {
  return new BotApiError(`Cannot call Bot API method ${method}: TELEGRAM_BOT_TOKEN is not set`, {
    kind: 'token_missing',
    method,
  });
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

/** The kind of an answer by its `error_code`. */
function kindOfCode(errorCode: number): BotApiErrorKind {
  if (errorCode === 401) return 'unauthorized';
  if (errorCode === 403) return 'forbidden';
  if (errorCode === 400) return 'bad_request';
  if (errorCode === 429) return 'rate_limited';
  if (errorCode >= 500) return 'unreachable';
  return 'other';
}

function fromTelegramError(err: TelegramError, method: string): BotApiError {
  const errorCode = err.code;
  const description = err.description;
  const kind = kindOfCode(errorCode);
  const message = `Bot API ${method} failed: ${errorCode} ${description ?? ''}`.trimEnd();
  return new BotApiError(message, {
    kind,
    method,
    errorCode,
    description,
    cause: err,
    ...(kind === 'rate_limited' ? { retryAfter: retryAfterOf(err) } : {}),
  });
}

/**
 * Maps whatever a Bot API call threw to a `BotApiError`: telegraf's `TelegramError` by its
 * `error_code`, network failures (node-fetch `FetchError`, `AbortError` from the timeout,
 * `ECONNREFUSED`, undici errors) to `unreachable`, anything else to `other`.
 * A `BotApiError` passes through unchanged. Messages are token-free.
 */
export function toBotApiError(err: unknown, method: string): BotApiError {
  if (err instanceof BotApiError) return err;
  scrubInPlace(err);
  if (err instanceof TelegramError) return fromTelegramError(err, method);
  if (err instanceof Error && isNetworkError(err)) {
    const reason = err.name === 'AbortError' || err.name === 'TimeoutError' ? 'timed out' : '';
    const detail = reason || err.message;
    return new BotApiError(`Bot API ${method} unreachable: ${detail}`, {
      kind: 'unreachable',
      method,
      cause: err,
    });
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new BotApiError(`Bot API ${method} failed: ${detail}`, { method, cause: err });
}
