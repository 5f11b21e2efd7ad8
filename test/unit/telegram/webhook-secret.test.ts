import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  isValidSecretFormat,
  verifyWebhookSecret,
} from '../../../lib/telegram/webhook-secret.ts';

describe('isValidSecretFormat', () => {
  it.each(['a', 'abc_DEF-123', 'x'.repeat(256)])('accepts %s', (secret) => {
    expect(isValidSecretFormat(secret)).toBe(true);
  });

  it.each(['', 'x'.repeat(257), 'has space', 'plus+sign', 'slash/', 'ümlaut', 'new\nline'])(
    'rejects %j',
    (secret) => {
      expect(isValidSecretFormat(secret)).toBe(false);
    },
  );
});

describe('verifyWebhookSecret', () => {
  const expected = 'correct_secret-123';

  it('rejects a missing header', () => {
    expect(verifyWebhookSecret(expected, undefined)).toBe(false);
  });

  it('rejects a wrong secret of another length', () => {
    expect(verifyWebhookSecret(expected, 'nope')).toBe(false);
    expect(verifyWebhookSecret(expected, `${expected}x`)).toBe(false);
  });

  it('rejects a wrong secret of the same length', () => {
    const sameLength = `${expected.slice(0, -1)}4`;
    expect(sameLength).toHaveLength(expected.length);
    expect(verifyWebhookSecret(expected, sameLength)).toBe(false);
  });

  it('rejects an empty header', () => {
    expect(verifyWebhookSecret(expected, '')).toBe(false);
  });

  it('accepts the right secret', () => {
    expect(verifyWebhookSecret(expected, expected)).toBe(true);
  });

  it('never matches when the expected secret is empty', () => {
    expect(verifyWebhookSecret('', '')).toBe(false);
    expect(verifyWebhookSecret('', undefined)).toBe(false);
    expect(verifyWebhookSecret('', 'anything')).toBe(false);
  });
});

describe('generateWebhookSecret', () => {
  it('returns a valid, long, random base64url secret', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a.length).toBeGreaterThanOrEqual(48);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(isValidSecretFormat(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(verifyWebhookSecret(a, a)).toBe(true);
  });
});
