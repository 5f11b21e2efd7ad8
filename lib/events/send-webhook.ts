/**
 * One webhook POST to a subscriber, made safe against the receiver: the URL is chosen by an
 * API client and the receiver's answer is untrusted. So the host's addresses are resolved and
 * checked before connecting (all of them: a name that also resolves to 10.0.0.1 is refused,
 * whichever address would have been used), the socket connects to the address that was checked
 * (no second lookup that a short-TTL DNS answer could turn into 127.0.0.1: DNS rebinding),
 * redirects are not followed, at most 64 KB of the answer is read, and the whole exchange has
 * one deadline.
 *
 * Nothing here logs: the caller logs the result with `urlForLog`, never the query string
 * (it may hold the receiver's token) or the body (it may hold phone numbers).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { isAllowedAddress } from './ip-ranges.ts';
import { hostOf, parseSubscriptionUrl } from './subscription-url.ts';

/** The delivery timeout: a receiver that has not answered in 5 s is retried later. */
export const DEFAULT_SEND_TIMEOUT_MS = 5000;
/** How much of a receiver's answer is read before the connection is dropped. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export type SendError = 'timeout' | 'connection' | 'address not allowed' | 'dns';

/**
 * `ok` for any 2xx. `httpStatus` whenever the receiver answered; `error` when it did not (or
 * may not be reached); `gone` for 410, the receiver's way of asking to be unsubscribed.
 */
export interface SendResult {
  ok: boolean;
  httpStatus?: number;
  error?: SendError;
  gone?: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type Resolve = (host: string) => Promise<ResolvedAddress[]>;

export interface SendOptions {
  /** Signature headers and the like; `content-type`, `user-agent` default, `host` is ours. */
  headers: Record<string, string>;
  body: string;
  /** Local stack only: loopback receivers (and `http://` to them) are allowed. */
  allowLoopback: boolean;
  /** Deadline for the whole exchange: lookup, connect, answer. */
  timeoutMs?: number;
  /** Replaces DNS (tests). Every address it returns must be allowed. */
  resolve?: Resolve;
}

export interface SendRequest extends SendOptions {
  url: string;
}

const defaultResolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * POSTs `body` to a subscription URL. The URL is checked again with `parseSubscriptionUrl`
 * (it was stored under the rules of its day); a URL that fails is `address not allowed`.
 * Never throws.
 */
export async function sendWebhook(request: SendRequest): Promise<SendResult> {
  const parsed = parseSubscriptionUrl(request.url, { allowLoopback: request.allowLoopback });
  if (!parsed.ok) return { ok: false, error: 'address not allowed' };
  return sendToCheckedUrl(parsed.url, request);
}

/**
 * The part of `sendWebhook` after the URL rules: resolve, check every address, POST. Only for a
 * URL that `parseSubscriptionUrl` accepted (tests use it to reach a named host on loopback over
 * `http`); the address checks still apply.
 */
export async function sendToCheckedUrl(url: URL, options: SendOptions): Promise<SendResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const host = hostOf(url);

  let addresses: ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    const resolved = await withDeadline(
      resolveHost(host, options.resolve ?? defaultResolve),
      deadline,
    );
    if (resolved === 'timeout' || resolved === 'dns') return { ok: false, error: resolved };
    addresses = resolved;
  }
  if (!addresses.every((a) => isAllowedAddress(a.address, options))) {
    return { ok: false, error: 'address not allowed' };
  }
  // All passed the check, so any may be used; the first is the resolver's preferred one.
  const address = addresses[0] as ResolvedAddress;
  return post(url, address, options, deadline);
}

async function resolveHost(host: string, resolve: Resolve): Promise<ResolvedAddress[] | 'dns'> {
  try {
    const addresses = await resolve(host);
    return addresses.length > 0 ? addresses : 'dns';
  } catch {
    return 'dns';
  }
}

async function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function outcome(status: number): SendResult {
  const ok = status >= 200 && status < 300;
  return status === 410 ? { ok, httpStatus: status, gone: true } : { ok, httpStatus: status };
}

function post(
  url: URL,
  address: ResolvedAddress,
  options: SendOptions,
  deadline: number,
): Promise<SendResult> {
  return new Promise((settle) => {
    let status: number | undefined;
    let finished = false;
    let req: ClientRequest | undefined;
    const finish = (result: SendResult) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      req?.destroy();
      settle(result);
    };
    // Once the status line is in, the answer is decided; a body that stalls or never ends
    // only delays dropping the connection, up to the deadline.
    const failure = (error: SendError) =>
      finish(status === undefined ? { ok: false, error } : outcome(status));
    const timer = setTimeout(() => failure('timeout'), Math.max(0, deadline - Date.now()));

    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'user-agent': 'telegram-contacts',
    };
    for (const [name, value] of Object.entries(options.headers)) {
      if (name.toLowerCase() !== 'host') headers[name.toLowerCase()] = value;
    }
    headers['content-length'] = Buffer.byteLength(options.body);
    headers.host = url.host;

    // The socket goes to the checked address itself (no lookup at all); the URL's host stays
    // what the receiver sees: Host header, TLS SNI and the name the certificate must match.
    const host = hostOf(url);
    const tls = {
      servername: isIP(host) === 0 ? host : '', // '' = no SNI: it never carries an IP (RFC 6066)
      checkServerIdentity: (_: string, cert: PeerCertificate) => checkServerIdentity(host, cert),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    req = send({
      method: 'POST',
      protocol: url.protocol,
      host: address.address,
      family: address.family,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      headers,
      agent: false, // a fresh connection: no pooled socket to an address checked for someone else
      ...(url.protocol === 'https:' ? tls : {}),
    });
    req.on('error', () => failure('connection'));
    req.on('response', (res: IncomingMessage) => {
      status = res.statusCode ?? 0;
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= MAX_RESPONSE_BYTES) finish(outcome(status ?? 0));
      });
      res.on('end', () => finish(outcome(status ?? 0)));
      res.on('error', () => failure('connection'));
    });
    req.end(options.body);
  });
}
