/**
 * Opaque pagination cursors: a DynamoDB LastEvaluatedKey, signed with HMAC-SHA256.
 *
 * Format: `<payload>.<mac>`, both base64url; `payload` is the JSON key, `mac` is
 * HMAC-SHA256(secret, `<scope>\n<payload>`). The scope names the query the cursor continues
 * (e.g. `members:-100200300`), so a cursor is valid only for the route and ids it came from.
 * The MAC is compared in constant time; any alteration, a cursor of another query or another
 * secret is a 400. Cursors do not expire; rotating the secret invalidates them all.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-error.ts';

/** Longer cursors are refused before any work (a real one is well under 1 KB). */
export const MAX_CURSOR_LENGTH = 2048;
/** Attribute names a cursor may carry: the table's and GSI1's key attributes. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);

export type StartKey = Record<string, string>;

export interface CursorCodec {
  encode(scope: string, lastKey: Record<string, unknown>): string;
  /** The start key a cursor holds; throws HttpError 400 when it is not one this codec made for `scope`. */
  decode(scope: string, cursor: string): StartKey;
}

export class InvalidCursorError extends HttpError {
  constructor() {
    super(400, 'cursor is invalid: it was altered or belongs to another query');
    this.name = 'InvalidCursorError';
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

export function createCursorCodec(secret: string): CursorCodec {
  if (secret === '') throw new Error('cursor secret must not be empty');
  const mac = (scope: string, payload: string) =>
    createHmac('sha256', secret).update(`${scope}\n${payload}`).digest('base64url');

  return {
    encode(scope, lastKey) {
      const payload = Buffer.from(JSON.stringify(lastKey)).toString('base64url');
      return `${payload}.${mac(scope, payload)}`;
    },
    decode(scope, cursor) {
      if (cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
      const [payload, signature, ...rest] = cursor.split('.');
      if (!payload || !signature || rest.length > 0) throw new InvalidCursorError();
      // Compared as text: decoding first would accept variants of the last base64 character.
      const expected = Buffer.from(mac(scope, payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new InvalidCursorError();
      }
      let key: unknown;
      try {
        key = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw new InvalidCursorError();
      }
      if (!isStartKey(key)) throw new InvalidCursorError();
      return key;
    },
  };
}
