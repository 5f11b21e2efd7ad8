/**
 * Opaque pagination cursors: a DynamoDB LastEvaluatedKey and an expiry, signed with HMAC-SHA256.
 *
 * Format: `<payload>.<mac>`, both base64url; `payload` is the JSON `{ k: key, x: expiresAt }`
 * (epoch seconds), `mac` is HMAC-SHA256(secret, `["<keyId>","<scope>"]\n<payload>`). The scope
 * names the query the cursor continues (e.g. `members:-100200300`) and the key id the API key it
 * was issued to: both are bound by the MAC without travelling in the cursor, so a cursor is
 * valid only for the route and ids it came from, and only for the same caller. The MAC is
 * compared in constant time before anything in the payload is trusted; an alteration, another
 * query, another key or another secret is one 400, an expired cursor another. Rotating the
 * secret invalidates every cursor.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error.ts';

/** Longer cursors are refused before any work (a real one is well under 1 KB). */
export const MAX_CURSOR_LENGTH = 2048;
/** How long a cursor works after it was issued: a day is long enough to page through any list. */
export const CURSOR_TTL_SECONDS = 24 * 60 * 60;
/**
 * Attribute names a cursor may carry: the table's and the indexes' key attributes, and `pos`,
 * a position in a list sorted in memory (lib/lookup/sorted-members.ts), never a DynamoDB key.
 */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'pos']);

export type StartKey = Record<string, string>;

/** What a cursor is valid for: one query (`scope`), asked by one API key (`keyId`). */
export interface CursorBinding {
  scope: string;
  keyId: string;
}

export interface CursorCodec {
  encode(binding: CursorBinding, lastKey: Record<string, unknown>): string;
  /** The start key a cursor holds; throws InvalidCursorError (400) unless this codec made it for `binding` and it has not expired. */
  decode(binding: CursorBinding, cursor: string): StartKey;
}

export interface CursorCodecOptions {
  /** Milliseconds clock (injected by tests). */
  now?: () => number;
  ttlSeconds?: number;
}

const DETAILS = {
  altered: 'cursor is invalid: it was altered or belongs to another query or API key',
  expired: `cursor has expired (cursors last ${CURSOR_TTL_SECONDS / 3600} hours): request the first page again`,
} as const;

/** The detail of a cursor that fails its signature (also used by the query schema). */
export const ALTERED_CURSOR_DETAIL = DETAILS.altered;

export class InvalidCursorError extends HttpError {
  readonly reason: keyof typeof DETAILS;

  constructor(reason: keyof typeof DETAILS = 'altered') {
    super(400, DETAILS[reason]);
    this.name = 'InvalidCursorError';
    this.reason = reason;
  }
}

function isStartKey(value: unknown): value is StartKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.every(([name, v]) => KEY_ATTRIBUTES.has(name) && typeof v === 'string')
  );
}

function parsePayload(payload: string): { k: StartKey; x: number } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const { k, x } = (value ?? {}) as { k?: unknown; x?: unknown };
  if (!isStartKey(k) || typeof x !== 'number' || !Number.isSafeInteger(x)) {
    throw new InvalidCursorError();
  }
  return { k, x };
}

export function createCursorCodec(secret: string, options: CursorCodecOptions = {}): CursorCodec {
  if (secret === '') throw new Error('cursor secret must not be empty');
  const now = options.now ?? Date.now;
  const ttlSeconds = options.ttlSeconds ?? CURSOR_TTL_SECONDS;
  // JSON keeps the two parts apart whatever characters they hold.
  const mac = ({ scope, keyId }: CursorBinding, payload: string) =>
    createHmac('sha256', secret)
      .update(`${JSON.stringify([keyId, scope])}\n${payload}`)
      .digest('base64url');
  const nowSeconds = () => Math.floor(now() / 1000);

  return {
    encode(binding, lastKey) {
      const body = { k: lastKey, x: nowSeconds() + ttlSeconds };
      const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${payload}.${mac(binding, payload)}`;
    },
    decode(binding, cursor) {
      if (cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
      const [payload, signature, ...rest] = cursor.split('.');
      if (!payload || !signature || rest.length > 0) throw new InvalidCursorError();
      // Compared as text: decoding first would accept variants of the last base64 character.
      const expected = Buffer.from(mac(binding, payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new InvalidCursorError();
      }
      const { k, x } = parsePayload(payload);
      if (nowSeconds() >= x) throw new InvalidCursorError('expired');
      return k;
    },
  };
}
