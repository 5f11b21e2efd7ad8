import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';

describe('loadConfig', () => {
  it('applies the local defaults to an empty environment', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      TABLE_NAME: 'telegram-contacts-local',
      AWS_REGION: 'us-east-1',
      RATE_LIMIT_RPS: 10,
      RATE_LIMIT_BURST: 20,
      API_KEY_CACHE_SECONDS: 60,
    });
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('trims strings, treats blank as unset and coerces numbers', () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: '  123:abc  ',
      TELEGRAM_BOT_USERNAME: '   ',
      DYNAMODB_ENDPOINT: '',
      TELEGRAM_WEBHOOK_SECRET_PARAM: '/telegram-contacts/prod/webhook-secret',
      RATE_LIMIT_RPS: '25',
    });

    expect(config.TELEGRAM_BOT_TOKEN).toBe('123:abc');
    expect(config.TELEGRAM_BOT_USERNAME).toBeUndefined();
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(config.TELEGRAM_WEBHOOK_SECRET_PARAM).toBe('/telegram-contacts/prod/webhook-secret');
    expect(config.RATE_LIMIT_RPS).toBe(25);
  });

  it('names every bad variable in one ConfigError', () => {
    const bad = {
      TELEGRAM_WEBHOOK_SECRET: 'has space',
      TELEGRAM_API_ROOT: 'not a url',
      TABLE_NAME: 'ab',
      DYNAMODB_ENDPOINT: 'http//missing-colon',
      RATE_LIMIT_RPS: '1.5',
      RATE_LIMIT_BURST: '0',
    };

    expect(() => loadConfig(bad)).toThrow(ConfigError);
    const message = (() => {
      try {
        loadConfig(bad);
        return '';
      } catch (err: unknown) {
        return (err as Error).message;
      }
    })();
    for (const name of Object.keys(bad)) expect(message).toContain(`${name}:`);
    expect(message).toContain('must be 1-256 characters');
    expect(message).not.toContain('has space');
  });

  it('reads EVENTS_ALLOW_LOOPBACK as on only for true: unset, false or a typo leave it off', () => {
    expect(loadConfig({}).EVENTS_ALLOW_LOOPBACK).toBe(false);
    expect(loadConfig({ EVENTS_ALLOW_LOOPBACK: ' ' }).EVENTS_ALLOW_LOOPBACK).toBe(false);
    expect(loadConfig({ EVENTS_ALLOW_LOOPBACK: 'true' }).EVENTS_ALLOW_LOOPBACK).toBe(true);
    expect(loadConfig({ EVENTS_ALLOW_LOOPBACK: ' true ' }).EVENTS_ALLOW_LOOPBACK).toBe(true);
    expect(loadConfig({ EVENTS_ALLOW_LOOPBACK: 'false' }).EVENTS_ALLOW_LOOPBACK).toBe(false);
    expect(loadConfig({ EVENTS_ALLOW_LOOPBACK: 'yes' }).EVENTS_ALLOW_LOOPBACK).toBe(false);
    expect(loadConfig({ EVENTS_ALLOW_LOOPBACK: 'TRUE' }).EVENTS_ALLOW_LOOPBACK).toBe(false);
  });

  it('reads BROADCAST_RATE as messages per second, 25 by default, 1 to 30', () => {
    expect(loadConfig({}).BROADCAST_RATE).toBe(25);
    expect(loadConfig({ BROADCAST_RATE: '30' }).BROADCAST_RATE).toBe(30);
    expect(loadConfig({ BROADCAST_RATE: '1' }).BROADCAST_RATE).toBe(1);
    for (const bad of ['31', '0', '2.5', 'fast']) {
      expect(() => loadConfig({ BROADCAST_RATE: bad })).toThrow('BROADCAST_RATE:');
    }
  });
});
