import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../lib/http/http-error.ts';
import {
  DirectMessage,
  idempotencyHeaders,
} from '../../../../lib/lookup/messages/message-schemas.ts';
import { idempotencyKeyOf, requestHash } from '../../../../lib/lookup/messages/messages-service.ts';

const message = (body: object) => DirectMessage.parse(body);

describe('DirectMessage', () => {
  it('fills the defaults: plain text, with sound, no buttons', () => {
    expect(message({ text: 'hi' })).toStrictEqual({
      text: 'hi',
      parseMode: null,
      disableNotification: false,
      buttons: [],
    });
  });

  it('accepts 4096 characters, https and tg buttons, and at most 100 buttons', () => {
    expect(message({ text: 'x'.repeat(4096) }).text).toHaveLength(4096);
    const row = Array.from({ length: 5 }, () => ({ text: 'b', url: 'https://a.example' }));
    expect(message({ text: 'hi', buttons: Array(20).fill(row) }).buttons).toHaveLength(20);
    expect(DirectMessage.safeParse({ text: 'hi', buttons: Array(21).fill(row) }).success).toBe(
      false,
    );
    expect(
      message({ text: 'hi', buttons: [[{ text: 'b', url: 'tg://resolve?domain=x' }]] }),
    ).toBeTruthy();
  });

  it.each(['http://a.example', 'ftp://a.example', 'javascript:alert(1)', 'https://', 'nope'])(
    'refuses the button url %s',
    (url) => {
      expect(DirectMessage.safeParse({ text: 'hi', buttons: [[{ text: 'b', url }]] }).success).toBe(
        false,
      );
    },
  );

  it('never quotes the text in its problems', () => {
    const result = DirectMessage.safeParse({ text: `${'x'.repeat(4097)}secret` });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues.map((i) => i.message))).not.toContain('secret');
  });
});

describe('Idempotency-Key', () => {
  const header = (value: string) => idempotencyHeaders.safeParse({ 'idempotency-key': value });

  it('reads a structured-field string and a bare key alike', () => {
    expect(header('"abc-1"').data).toStrictEqual({ 'idempotency-key': 'abc-1' });
    expect(header('abc-1').data).toStrictEqual({ 'idempotency-key': 'abc-1' });
    expect(header('"a\\"b"').data).toStrictEqual({ 'idempotency-key': 'a"b' });
  });

  it('refuses an empty, overlong or non-ASCII key', () => {
    expect(header('""').success).toBe(false);
    expect(header('x'.repeat(256)).success).toBe(false);
    expect(header('ключ').success).toBe(false);
  });

  it('takes the header or the body, and refuses two different keys', () => {
    expect(idempotencyKeyOf('a', undefined)).toBe('a');
    expect(idempotencyKeyOf(undefined, 'b')).toBe('b');
    expect(idempotencyKeyOf('c', 'c')).toBe('c');
    expect(idempotencyKeyOf(undefined, undefined)).toBeUndefined();
    expect(() => idempotencyKeyOf('a', 'b')).toThrow(HttpError);
  });

  it('hashes the request without its key: recipient and every message field count', () => {
    const base = requestHash(1, message({ text: 'hi', idempotencyKey: 'k1' }));
    expect(requestHash(1, message({ text: 'hi', idempotencyKey: 'k2' }))).toBe(base);
    expect(requestHash(1, message({ text: 'hi', parseMode: null }))).toBe(base);
    for (const other of [
      requestHash(2, message({ text: 'hi' })),
      requestHash(1, message({ text: 'ho' })),
      requestHash(1, message({ text: 'hi', parseMode: 'HTML' })),
      requestHash(1, message({ text: 'hi', disableNotification: true })),
      requestHash(1, message({ text: 'hi', buttons: [[{ text: 'b', url: 'https://a.b' }]] })),
    ]) {
      expect(other).not.toBe(base);
    }
  });
});
