/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the receiver verifies with any
 * Standard Webhooks library, so the signature comes from the reference `standardwebhooks`
 * package rather than our own HMAC code.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * A subscription's signing secret: `whsec_` + base64 of 32 random bytes, the format the
 * receivers' Standard Webhooks libraries take as is.
 */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A type alias, not an interface, so it spreads into a `Record<string, string>` of headers. */
export type SignedHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * The three Standard Webhooks headers for one attempt. `id` is the event id, the same on every
 * retry so receivers can drop duplicates; `timestamp` is the attempt's time (receivers refuse
 * signatures older than about 5 minutes, so a retry is signed afresh). The signature covers
 * the id, the timestamp and the exact `body` string that is sent.
 */
export function signedHeaders(
  secret: string,
  message: { id: string; timestamp: Date; body: string },
): SignedHeaders {
  const signature = new Webhook(secret).sign(message.id, message.timestamp, message.body);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(message.timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
