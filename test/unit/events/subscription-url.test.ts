import { describe, expect, it } from 'vitest';
import {
  hostOf,
  MAX_SUBSCRIPTION_URL_LENGTH,
  parseSubscriptionUrl,
  urlForLog,
} from '../../../lib/events/subscription-url.ts';

const DEPLOYED = { allowLoopback: false };
const LOCAL = { allowLoopback: true };

function reasonOf(raw: string, opts = DEPLOYED): string {
  const result = parseSubscriptionUrl(raw, opts);
  if (result.ok) throw new Error(`expected ${raw} to be refused`);
  return result.reason;
}

describe('parseSubscriptionUrl', () => {
  it.each([
    'https://hooks.example.com/telegram',
    'https://hooks.example.com:8443/in?token=abc',
    'https://example.com',
    'https://example.com./x',
    'https://8.8.8.8/hook',
    'https://[2606:4700:4700::1111]/hook',
    'HTTPS://Hooks.Example.COM/path',
  ])('accepts %s when deployed', (raw) => {
    const result = parseSubscriptionUrl(raw, DEPLOYED);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.url.href).toBe(new URL(raw).href);
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost:3000/events',
    'http://[::1]:9000/',
    'http://127.1.2.3/',
    'http://[::ffff:127.0.0.1]/',
    'https://127.0.0.1/',
    'https://hooks.example.com/telegram',
  ])('accepts %s locally (allowLoopback)', (raw) => {
    expect(parseSubscriptionUrl(raw, LOCAL).ok).toBe(true);
  });

  it.each([
    ['http://hooks.example.com/x', DEPLOYED, 'url must use https'],
    ['http://hooks.example.com/x', LOCAL, 'url must use https'],
    ['http://8.8.8.8/x', LOCAL, 'url must use https'],
    ['http://127.0.0.1:8080/', DEPLOYED, 'url must use https'],
    ['http://localhost/', DEPLOYED, 'url must use https'],
    ['ftp://example.com/x', DEPLOYED, 'url must use https'],
    ['file:///etc/passwd', LOCAL, 'url must use https'],
    ['javascript:alert(1)', DEPLOYED, 'url must use https'],
    ['/relative/path', DEPLOYED, 'url is not an absolute URL'],
    ['hooks.example.com/x', DEPLOYED, 'url is not an absolute URL'],
    ['', DEPLOYED, 'url is not an absolute URL'],
    ['https://', DEPLOYED, 'url is not an absolute URL'],
    [' https://example.com/', DEPLOYED, 'url must not start or end with whitespace'],
    ['https://user:pass@example.com/', DEPLOYED, 'url must not contain a username or password'],
    ['https://user@example.com/', DEPLOYED, 'url must not contain a username or password'],
    ['http://user@127.0.0.1/', LOCAL, 'url must not contain a username or password'],
    ['https://example.com/#frag', DEPLOYED, 'url must not contain a fragment (#)'],
    ['https://example.com/#', DEPLOYED, 'url must not contain a fragment (#)'],
    ['https://127.0.0.1/', DEPLOYED, 'url host is not public'],
    ['https://[::1]/', DEPLOYED, 'url host is not public'],
    ['https://169.254.169.254/latest/meta-data', LOCAL, 'url host is not public'],
    ['https://10.0.0.1/', LOCAL, 'url host is not public'],
    ['https://192.168.1.1/', DEPLOYED, 'url host is not public'],
    ['https://100.64.0.1/', DEPLOYED, 'url host is not public'],
    ['https://0.0.0.0/', LOCAL, 'url host is not public'],
    ['https://[fe80::1]/', DEPLOYED, 'url host is not public'],
    ['https://[fd00::1]/', DEPLOYED, 'url host is not public'],
    ['https://[::ffff:a9fe:a9fe]/', LOCAL, 'url host is not public'],
    ['https://[0:0:0:0:0:ffff:7f00:1]/', DEPLOYED, 'url host is not public'],
    ['https://[64:ff9b::a9fe:a9fe]/', DEPLOYED, 'url host is not public'],
    ['https://0x7f.1/', DEPLOYED, 'url host is not public'],
    ['https://2130706433/', DEPLOYED, 'url host is not public'],
    ['https://0251.0376.0251.0376/', DEPLOYED, 'url host is not public'],
    ['https://localhost/', DEPLOYED, 'url host is not public'],
    ['https://localhost./', DEPLOYED, 'url host is not public'],
    ['https://api.localhost/', DEPLOYED, 'url host is not public'],
    ['https://intranet/hook', DEPLOYED, 'url host is not public'],
    ['https://metadata/computeMetadata', LOCAL, 'url host is not public'],
  ])('refuses %s (%o): %s', (raw, opts, reason) => {
    expect(reasonOf(raw, opts)).toBe(reason);
  });

  it('accepts a URL of exactly the maximum length and refuses one character more', () => {
    const base = 'https://hooks.example.com/';
    const atMax = base + 'a'.repeat(MAX_SUBSCRIPTION_URL_LENGTH - base.length);
    expect(parseSubscriptionUrl(atMax, DEPLOYED).ok).toBe(true);
    expect(reasonOf(`${atMax}a`)).toBe('url is longer than 2048 characters');
  });

  it('never repeats the query string or any other part of the URL in a reason', () => {
    const secret = 'tok_SECRET123';
    const raws = [
      `http://hooks.example.com/p?token=${secret}`,
      `https://u:${secret}@hooks.example.com/`,
      `https://10.0.0.1/?token=${secret}`,
      `https://hooks.example.com/?token=${secret}#${secret}`,
      `https://hooks.example.com/?token=${secret}${'x'.repeat(2048)}`,
      `not a url ${secret}`,
    ];
    for (const raw of raws) {
      const reason = reasonOf(raw);
      expect(reason).not.toContain(secret);
      expect(reason).not.toContain('example');
      expect(reason).not.toContain('10.0.0.1');
    }
  });
});

describe('hostOf', () => {
  it('strips the brackets of an IPv6 literal and keeps names as they are', () => {
    expect(hostOf(new URL('http://[::1]:8080/'))).toBe('::1');
    expect(hostOf(new URL('https://Hooks.Example.com/'))).toBe('hooks.example.com');
    expect(hostOf(new URL('https://8.8.8.8/'))).toBe('8.8.8.8');
  });
});

describe('urlForLog', () => {
  it('keeps scheme, host and port but not the path or query', () => {
    const url = new URL('https://hooks.example.com:8443/t/SECRET?token=SECRET');
    expect(urlForLog(url)).toBe('https://hooks.example.com:8443');
  });
});
