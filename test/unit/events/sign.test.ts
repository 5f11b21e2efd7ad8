import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signedHeaders } from '../../../lib/events/sign.ts';

const body = JSON.stringify({
  type: 'member.joined',
  timestamp: '2025-01-01T00:00:00.000Z',
  data: { userId: 42, chatId: -100123 },
});

describe('newWebhookSecret', () => {
  it('is whsec_ followed by base64 of 32 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('is different every time', () => {
    const secrets = new Set(Array.from({ length: 20 }, () => newWebhookSecret()));
    expect(secrets.size).toBe(20);
  });
});

describe('signedHeaders', () => {
  it('produces headers a Standard Webhooks receiver verifies', () => {
    const secret = newWebhookSecret();
    const timestamp = new Date();
    const headers = signedHeaders(secret, { id: 'evt_0123456789abcdef01234567', timestamp, body });

    expect(headers['webhook-id']).toBe('evt_0123456789abcdef01234567');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(timestamp.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('fails verification when the body, id or timestamp was changed, or the secret differs', () => {
    const secret = newWebhookSecret();
    const timestamp = new Date();
    const headers = { ...signedHeaders(secret, { id: 'evt_a', timestamp, body }) };
    const receiver = new Webhook(secret);

    expect(() => receiver.verify(body.replace('42', '43'), headers)).toThrow();
    expect(() => receiver.verify(body, { ...headers, 'webhook-id': 'evt_b' })).toThrow();
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(() => receiver.verify(body, { ...headers, 'webhook-timestamp': later })).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('signs the same message with a fresh timestamp differently (each retry is signed anew)', () => {
    const secret = newWebhookSecret();
    const first = signedHeaders(secret, {
      id: 'evt_a',
      timestamp: new Date(1_700_000_000_000),
      body,
    });
    const retry = signedHeaders(secret, {
      id: 'evt_a',
      timestamp: new Date(1_700_000_060_000),
      body,
    });
    expect(retry['webhook-id']).toBe(first['webhook-id']);
    expect(retry['webhook-signature']).not.toBe(first['webhook-signature']);
  });
});
