/**
 * Opaque pagination cursors: a DynamoDB LastEvaluatedKey and an expiry, sealed with AES-256-GCM.
 *
 * Format: `<sealed>.<tag>`, both base64url; `sealed` is a random 12-byte IV followed by the
 * ciphertext of the JSON `{ k: key, x: expiresAt }` (epoch seconds), `tag` the 16-byte GCM tag.
 * The key is derived from the cursor secret with HKDF-SHA256 and a label, so the secret serves
 * nothing else under the same key. The scope (the query the cursor continues, e.g.
 * `members:-100200300`) and the API key id it was issued to are the associated data: bound by the
 * tag without travelling in the cursor, so a cursor is valid only for the route and ids it came
 * from, and only for the same caller.
 *
 * Sealed, not only signed: the continuation key names people (`USER#<id>`, `SHARED#PHONE#<e164>`,
 * a sorted position), and a cursor is a copy of it in the client's hands: readable, it would show
 * a phone number to a key without the phones permission, and a person's id after their erasure.
 * Encrypted, it shows nothing but its length. The tag is checked before anything in the payload
 * is read; an alteration, another query, another key or another secret is one 400, an expired
 * cursor another. Rotating the secret (or this format) invalidates every cursor.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { HttpError } from './http-error.ts';

/** Longer cursors are refused before any work (a real one is well under 1 KB). */
export const MAX_CURSOR_LENGTH = 2048;
/** How long a cursor works after it was issued: a day is long enough to page through any list. */
export const CURSOR_TTL_SECONDS = 24 * 60 * 60;
/**
 * Attribute names a cursor may carry: the table's and the indexes' key attributes, and `pos`,
 * a position in a list sorted in memory (lib/lookup/chats/sorted-members.ts), never a DynamoDB key.
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

function parsePayload(plaintext: Buffer): { k: StartKey; x: number } {
  let value: unknown;
  try {
    value = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const { k, x } = (value ?? {}) as { k?: unknown; x?: unknown };
  if (!isStartKey(k) || typeof x !== 'number' || !Number.isSafeInteger(x)) {
    throw new InvalidCursorError();
  }
  return { k, x };
}

/** Names this use of the secret: another label (or format) derives another key. */
const KEY_LABEL = 'telegram-contacts pagination cursor v2 aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The bytes of a canonical base64url text, else undefined: Node's decoder skips characters
 * outside the alphabet and ignores the unused bits of the last character, so a cursor is only
 * accepted in the exact text this codec wrote.
 */
function canonicalBytes(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

export function createCursorCodec(secret: string, options: CursorCodecOptions = {}): CursorCodec {
  if (secret === '') throw new Error('cursor secret must not be empty');
  const now = options.now ?? Date.now;
  const ttlSeconds = options.ttlSeconds ?? CURSOR_TTL_SECONDS;
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_LABEL, 32));
  // JSON keeps the two parts apart whatever characters they hold.
  const associatedData = ({ scope, keyId }: CursorBinding) =>
    Buffer.from(JSON.stringify([keyId, scope]));
  const nowSeconds = () => Math.floor(now() / 1000);

  return {
    encode(binding, lastKey) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(binding));
      const body = JSON.stringify({ k: lastKey, x: nowSeconds() + ttlSeconds });
      const sealed = Buffer.concat([iv, cipher.update(body, 'utf8'), cipher.final()]);
      return `${sealed.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    decode(binding, cursor) {
      if (cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
      const [sealedText, tagText, ...rest] = cursor.split('.');
      if (!sealedText || !tagText || rest.length > 0) throw new InvalidCursorError();
      const sealed = canonicalBytes(sealedText);
      const tag = canonicalBytes(tagText);
      if (!sealed || sealed.length <= IV_BYTES || tag?.length !== TAG_BYTES) {
        throw new InvalidCursorError();
      }
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(associatedData(binding));
      decipher.setAuthTag(tag);
      let plaintext: Buffer;
      try {
        // final() checks the tag: nothing decrypted is read unless it passes.
        plaintext = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES)), decipher.final()]);
      } catch {
        throw new InvalidCursorError();
      }
      const { k, x } = parsePayload(plaintext);
      if (nowSeconds() >= x) throw new InvalidCursorError('expired');
      return k;
    },
  };
}
