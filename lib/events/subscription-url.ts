/**
 * The rules for a subscription's URL, checked when a subscription is created or changed and
 * again before every delivery (the rules may have tightened since). What can be decided from
 * the URL alone is decided here; a hostname's addresses can change, so they are checked at
 * send time (send-webhook.ts) against the same address rules (ip-ranges.ts).
 */
import { isIP } from 'node:net';
import { isAllowedAddress, isLoopbackAddress } from './ip-ranges.ts';

/** Longer URLs are no real receiver's and only bloat every stored subscription. */
export const MAX_SUBSCRIPTION_URL_LENGTH = 2048;

export type SubscriptionUrlResult = { ok: true; url: URL } | { ok: false; reason: string };

/** The host of a parsed URL without IPv6 brackets: what a resolver or `isIP` expects. */
export function hostOf(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** True when the URL names the machine itself: `localhost`, 127.0.0.0/8 or ::1. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host);
}

/**
 * Checks a subscription URL. `https` is always allowed; `http` only to a loopback host and only
 * when `allowLoopback` (the local stack). An IP literal must be public, or loopback when
 * allowed. Reasons are short sentences for an API client and never repeat any part of the URL:
 * its query string may carry the receiver's token.
 */
export function parseSubscriptionUrl(
  raw: string,
  opts: { allowLoopback: boolean },
): SubscriptionUrlResult {
  const fail = (reason: string): SubscriptionUrlResult => ({ ok: false, reason });
  if (raw.length > MAX_SUBSCRIPTION_URL_LENGTH) {
    return fail(`url is longer than ${MAX_SUBSCRIPTION_URL_LENGTH} characters`);
  }
  if (raw.trim() !== raw) return fail('url must not start or end with whitespace');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('url is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('url must use https');
  if (url.username !== '' || url.password !== '') {
    return fail('url must not contain a username or password');
  }
  // `href` keeps a `#` even for an empty fragment, which `hash` reports as ''.
  if (url.href.includes('#')) return fail('url must not contain a fragment (#)');

  const host = hostOf(url);
  const loopback = opts.allowLoopback && isLoopbackHost(host);
  if (url.protocol === 'http:' && !loopback) return fail('url must use https');
  if (loopback) return { ok: true, url };
  if (isIP(host) !== 0) {
    return isAllowedAddress(host, opts) ? { ok: true, url } : fail('url host is not public');
  }
  // A name that can only mean this machine or the local network (a single label is completed
  // by the resolver's search domains): refused before any lookup.
  const name = host.replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || !name.includes('.')) {
    return fail('url host is not public');
  }
  return { ok: true, url };
}

/**
 * What of a subscription URL may appear in a log line: scheme, host and port. The path and
 * the query string often carry the receiver's token.
 */
export function urlForLog(url: URL): string {
  return url.origin;
}
