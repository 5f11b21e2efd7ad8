import { describe, expect, it } from 'vitest';
import { createCursorCodec, MAX_CURSOR_LENGTH } from '../../../lib/http/cursor.ts';
import { HttpError } from '../../../lib/http/http-error.ts';

const codec = createCursorCodec('cursor-secret');
const key = { pk: 'USER#5001', sk: 'CHAT#-100', gsi1pk: 'CHAT#-100', gsi1sk: 'USER#5001' };

function expect400(fn: () => unknown) {
  try {
    fn();
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    return;
  }
  throw new Error('expected a 400');
}

describe('cursor codec', () => {
  it('returns the key it encoded, for the same scope', () => {
    const cursor = codec.encode('members:-100', key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(codec.decode('members:-100', cursor)).toEqual(key);
  });

  it('returns 400 for a cursor of another scope or another secret', () => {
    const cursor = codec.encode('members:-100', key);
    expect400(() => codec.decode('members:-101', cursor));
    expect400(() => codec.decode('chats:-100', cursor));
    expect400(() => createCursorCodec('other-secret').decode('members:-100', cursor));
  });

  it('returns 400 for any single-character change', () => {
    const cursor = codec.encode('members:-100', key);
    const alphabet = 'AQgw';
    for (let i = 0; i < cursor.length; i++) {
      const ch = cursor[i] as string;
      const replacement = [...alphabet].find((c) => c !== ch) as string;
      const altered = `${cursor.slice(0, i)}${replacement}${cursor.slice(i + 1)}`;
      expect400(() => codec.decode('members:-100', altered));
    }
  });

  it('returns 400 for garbage, extra parts and oversized cursors', () => {
    const cursor = codec.encode('members:-100', key);
    for (const bad of [
      '',
      '.',
      'abc',
      `${cursor}.x`,
      `${cursor}=`,
      'x'.repeat(MAX_CURSOR_LENGTH + 1),
    ]) {
      expect400(() => codec.decode('members:-100', bad));
    }
  });

  it('returns 400 for a signed payload that is not a key (defence in depth)', () => {
    for (const value of [{ pk: 1 }, { other: 'x' }, {}]) {
      const cursor = codec.encode('s', value);
      expect400(() => codec.decode('s', cursor));
    }
  });
});
