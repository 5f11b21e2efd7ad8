import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CURSOR_TTL_SECONDS,
  createCursorCodec,
  InvalidCursorError,
  MAX_CURSOR_LENGTH,
} from '../../../lib/http/cursor.ts';

const T0 = Date.UTC(2025, 10, 24, 16);
let clock = T0;
const codec = createCursorCodec('cursor-secret', { now: () => clock });
const key = { pk: 'USER#5001', sk: 'CHAT#-100', gsi1pk: 'CHAT#-100', gsi1sk: 'USER#5001' };
const members = { scope: 'members:-100', keyId: 'key_aaaaaaaaaaaa' };

function rejection(fn: () => unknown): InvalidCursorError {
  try {
    fn();
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(InvalidCursorError);
    expect((err as InvalidCursorError).status).toBe(400);
    return err as InvalidCursorError;
  }
  throw new Error('expected a 400');
}
const expectAltered = (fn: () => unknown) => {
  const err = rejection(fn);
  expect(err.reason).toBe('altered');
  expect(err.message).toMatch(/altered or belongs to another query or API key/);
};

describe('cursor codec', () => {
  it('returns the key it encoded, for the same query and API key', () => {
    clock = T0;
    const cursor = codec.encode(members, key);
    // The sealed IV and key, then the 16-byte GCM tag.
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(codec.decode(members, cursor)).toEqual(key);
  });

  it('accepts the key attributes of both indexes, gsi2pk included', () => {
    clock = T0;
    const search = { scope: 'username:alice', keyId: members.keyId };
    const gsi2Key = { gsi2pk: 'USERNAME#alice', pk: 'USER#1001', sk: 'PROFILE' };
    expect(codec.decode(search, codec.encode(search, gsi2Key))).toEqual(gsi2Key);
  });

  it('does not reveal the API key id it is bound to', () => {
    clock = T0;
    const cursor = codec.encode(members, key);
    const payload = Buffer.from(cursor.split('.')[0] ?? '', 'base64url').toString('utf8');
    expect(payload).not.toContain(members.keyId);
    expect(cursor).not.toContain(members.keyId);
  });

  it('returns 400 for a cursor of another query, another API key or another secret', () => {
    clock = T0;
    const cursor = codec.encode(members, key);
    expectAltered(() => codec.decode({ ...members, scope: 'members:-101' }, cursor));
    expectAltered(() => codec.decode({ ...members, scope: 'chats:-100' }, cursor));
    expectAltered(() => codec.decode({ ...members, keyId: 'key_bbbbbbbbbbbb' }, cursor));
    expectAltered(() =>
      createCursorCodec('other-secret', { now: () => clock }).decode(members, cursor),
    );
  });

  it('keeps the scope and the key id apart (no ambiguity where they meet)', () => {
    clock = T0;
    const cursor = codec.encode({ scope: 'b:c', keyId: 'a' }, key);
    expectAltered(() => codec.decode({ scope: 'c', keyId: 'a\nb:' }, cursor));
    expectAltered(() => codec.decode({ scope: 'a\nb:c', keyId: '' }, cursor));
  });

  it('works until 24 hours after issue, then returns 400 saying it expired', () => {
    clock = T0;
    const cursor = codec.encode(members, key);
    clock = T0 + CURSOR_TTL_SECONDS * 1000 - 1000;
    expect(codec.decode(members, cursor)).toEqual(key);
    clock = T0 + CURSOR_TTL_SECONDS * 1000;
    const err = rejection(() => codec.decode(members, cursor));
    expect(err.reason).toBe('expired');
    expect(err.message).toMatch(/expired/);
    // An expired cursor of another key is "altered": the signature is checked first.
    expectAltered(() => codec.decode({ ...members, keyId: 'key_bbbbbbbbbbbb' }, cursor));
  });

  it('shows nothing of the key it holds: not its ids, phone numbers or key names', () => {
    clock = T0;
    const shared = { pk: 'USER#7002002', sk: 'SHARED#PHONE#+15557654321' };
    const cursor = codec.encode(members, shared);
    for (const part of [cursor, ...cursor.split('.')]) {
      for (const text of [part, Buffer.from(part, 'base64url').toString('latin1')]) {
        for (const secret of ['7002002', '5557654321', 'USER', 'SHARED', 'PHONE', '"k"']) {
          expect(text).not.toContain(secret);
        }
      }
    }
    // Sealed with a fresh IV each time: the same key gives a different cursor.
    expect(codec.encode(members, shared)).not.toBe(cursor);
    expect(codec.decode(members, cursor)).toEqual(shared);
  });

  it('returns 400 for a cursor whose expiry was pushed back in its ciphertext', () => {
    clock = T0;
    const cursor = codec.encode(members, key);
    const [sealedText, tag] = cursor.split('.') as [string, string];
    const sealed = Buffer.from(sealedText, 'base64url');
    // Counter mode: whoever knows the plaintext can rewrite it bit for bit; the tag refuses it.
    const expiry = String(Math.floor(T0 / 1000) + CURSOR_TTL_SECONDS);
    const later = String(Number(expiry) + 365 * 24 * 3600);
    const plaintext = JSON.stringify({ k: key, x: Number(expiry) });
    const at = 12 + plaintext.lastIndexOf(expiry);
    for (let i = 0; i < expiry.length; i++) {
      sealed[at + i] = (sealed[at + i] as number) ^ expiry.charCodeAt(i) ^ later.charCodeAt(i);
    }
    const extended = `${sealed.toString('base64url')}.${tag}`;
    clock = T0 + CURSOR_TTL_SECONDS * 1000 + 1;
    expectAltered(() => codec.decode(members, extended));
  });

  it('returns 400 for a cursor of the signed format earlier releases issued', () => {
    clock = T0;
    const payload = Buffer.from(JSON.stringify({ k: key, x: T0 / 1000 + 3600 })).toString(
      'base64url',
    );
    const mac = createHmac('sha256', 'cursor-secret')
      .update(`${JSON.stringify([members.keyId, members.scope])}\n${payload}`)
      .digest('base64url');
    expectAltered(() => codec.decode(members, `${payload}.${mac}`));
  });

  it('returns 400 for any single-character change', () => {
    clock = T0;
    const cursor = codec.encode(members, key);
    const alphabet = 'AQgw';
    for (let i = 0; i < cursor.length; i++) {
      const ch = cursor[i] as string;
      const replacement = [...alphabet].find((c) => c !== ch) as string;
      const altered = `${cursor.slice(0, i)}${replacement}${cursor.slice(i + 1)}`;
      expectAltered(() => codec.decode(members, altered));
    }
  });

  it('returns 400 for garbage, extra parts and oversized cursors', () => {
    clock = T0;
    const cursor = codec.encode(members, key);
    for (const bad of [
      '',
      '.',
      'abc',
      `${cursor}.x`,
      `${cursor}=`,
      'x'.repeat(MAX_CURSOR_LENGTH + 1),
    ]) {
      expectAltered(() => codec.decode(members, bad));
    }
  });

  it('returns 400 for a signed payload that is not a key (defence in depth)', () => {
    clock = T0;
    for (const value of [{ pk: 1 }, { other: 'x' }, {}, { pk: 'USER#1', gsi3pk: 'X' }]) {
      const cursor = codec.encode(members, value);
      expectAltered(() => codec.decode(members, cursor));
    }
  });
});
