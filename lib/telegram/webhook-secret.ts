/**
 * The `X-Telegram-Bot-Api-Secret-Token` check. Telegram echoes the `secret_token` given to
 * setWebhook on every delivery; a request without the right value did not come from Telegram.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_FORMAT = /^[A-Za-z0-9_-]{1,256}$/;

/** True when `s` is a secret Telegram accepts: 1-256 characters of `A-Za-z0-9_-`. */
export function isValidSecretFormat(s: string): boolean {
  return SECRET_FORMAT.test(s);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * True only when `received` equals `expected`. Compares SHA-256 digests with
 * `timingSafeEqual`, so neither the content nor the length of the secret leaks through
 * timing, and unequal lengths never throw. An empty `expected` never matches: a
 * misconfigured (blank) secret must lock the webhook, not open it.
 */
export function verifyWebhookSecret(expected: string, received: string | undefined): boolean {
  if (expected.length === 0 || received === undefined) return false;
  return timingSafeEqual(digest(expected), digest(received));
}

/** A fresh random secret: 48 bytes as base64url (64 characters), always in the valid format. */
export function generateWebhookSecret(): string {
  return randomBytes(48).toString('base64url');
}
