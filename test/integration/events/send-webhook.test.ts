/**
 * sendWebhook against real receivers on 127.0.0.1 (allowLoopback, as `npm start` runs it), and
 * with stub resolvers for the address rules, which must refuse before any socket is opened.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_RESPONSE_BYTES,
  type ResolvedAddress,
  sendToCheckedUrl,
  sendWebhook,
} from '../../../lib/events/send-webhook.ts';
import { newWebhookSecret, signedHeaders } from '../../../lib/events/sign.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Receiver {
  port: number;
  url: string;
  received: Received[];
  connections: number;
  server: Server;
}

const servers: Server[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) {
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A receiver that records each request (after reading its body) and lets `answer` reply. */
async function startReceiver(
  answer: (res: ServerResponse, req: Received) => void = (res) => res.writeHead(204).end(),
): Promise<Receiver> {
  const receiver = { received: [] as Received[], connections: 0 } as Receiver;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const received = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    receiver.received.push(received);
    answer(res, received);
  });
  server.on('connection', () => {
    receiver.connections += 1;
  });
  receiver.server = server;
  receiver.port = await listen(server);
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  return receiver;
}

const body = JSON.stringify({ type: 'ping', timestamp: '2025-01-01T00:00:00.000Z', data: {} });
const LOCAL = { headers: {}, body, allowLoopback: true, timeoutMs: 2000 };
/** As deployed: no loopback, the default timeout. */
const DEPLOYED = { headers: {}, body, allowLoopback: false };

function resolverTo(...addresses: string[]) {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    calls.push(host);
    return addresses.map((address) => ({ address, family: net.isIP(address) }));
  };
  return { resolve, calls };
}

describe('sendWebhook to a loopback receiver', () => {
  it('POSTs the body with the signed headers and reports a 2xx as ok', async () => {
    const receiver = await startReceiver((res) => res.writeHead(200).end('thanks'));
    const secret = newWebhookSecret();
    const headers = signedHeaders(secret, { id: 'evt_1', timestamp: new Date(), body });

    const result = await sendWebhook({ ...LOCAL, url: `${receiver.url}?token=abc`, headers });

    expect(result).toEqual({ ok: true, httpStatus: 200 });
    const [got] = receiver.received;
    expect(got?.method).toBe('POST');
    expect(got?.url).toBe('/hook?token=abc');
    expect(got?.body).toBe(body);
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['user-agent']).toBe('telegram-contacts');
    expect(got?.headers.host).toBe(`127.0.0.1:${receiver.port}`);
    const asReceived = Object.fromEntries(
      Object.entries(got?.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    expect(new Webhook(secret).verify(got?.body ?? '', asReceived)).toEqual(JSON.parse(body));
  });

  it.each([200, 201, 202, 204, 299])('treats %i as delivered', async (status) => {
    const receiver = await startReceiver((res) => res.writeHead(status).end());
    expect(await sendWebhook({ ...LOCAL, url: receiver.url })).toEqual({
      ok: true,
      httpStatus: status,
    });
  });

  it.each([400, 401, 404, 429, 500, 503])(
    'reports %i as a failure with the status',
    async (status) => {
      const receiver = await startReceiver((res) => res.writeHead(status).end('nope'));
      expect(await sendWebhook({ ...LOCAL, url: receiver.url })).toEqual({
        ok: false,
        httpStatus: status,
      });
    },
  );

  it('marks 410 as gone', async () => {
    const receiver = await startReceiver((res) => res.writeHead(410).end());
    expect(await sendWebhook({ ...LOCAL, url: receiver.url })).toEqual({
      ok: false,
      httpStatus: 410,
      gone: true,
    });
  });

  it('does not follow a redirect: 302 is a failure and the target receives nothing', async () => {
    const target = await startReceiver();
    const redirector = await startReceiver((res) =>
      res.writeHead(302, { location: target.url }).end(),
    );

    const result = await sendWebhook({ ...LOCAL, url: redirector.url });

    expect(result).toEqual({ ok: false, httpStatus: 302 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.connections).toBe(0);
  });

  it('gives up on a receiver that never answers after about timeoutMs', async () => {
    const silent = await startReceiver(() => {});
    const started = Date.now();

    const result = await sendWebhook({ ...LOCAL, url: silent.url, timeoutMs: 300 });

    const elapsed = Date.now() - started;
    expect(result).toEqual({ ok: false, error: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
    expect(silent.received).toHaveLength(1); // it did get the request
  });

  it('gives up on a server that accepts the connection but never speaks HTTP', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((socket) => sockets.push(socket));
    const port = await listen(mute as unknown as Server);
    const started = Date.now();

    const result = await sendWebhook({
      ...LOCAL,
      url: `http://127.0.0.1:${port}/`,
      timeoutMs: 300,
    });

    expect(result).toEqual({ ok: false, error: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
    for (const socket of sockets) socket.destroy();
  });

  it('stops reading an endless answer: returns its status and closes the connection', async () => {
    let written = 0;
    let closed = false;
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const streamer = await startReceiver((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const pump = () => {
        while (!closed && res.write(chunk)) written += chunk.length;
      };
      res.on('drain', pump);
      res.on('close', () => {
        closed = true;
      });
      pump();
    });
    const started = Date.now();

    const result = await sendWebhook({ ...LOCAL, url: streamer.url, timeoutMs: 5000 });

    expect(result).toEqual({ ok: true, httpStatus: 200 });
    expect(Date.now() - started).toBeLessThan(2000);
    await vi.waitFor(() => expect(closed).toBe(true));
    // Socket buffers hold some, but the sender did not read on for seconds.
    expect(written).toBeLessThan(64 * MAX_RESPONSE_BYTES);
  });

  it('reports the status of an answer whose body stalls, once the deadline passes', async () => {
    const staller = await startReceiver((res) => {
      res.writeHead(503, { 'content-length': '1000' });
      res.write('partial');
    });
    const started = Date.now();

    const result = await sendWebhook({ ...LOCAL, url: staller.url, timeoutMs: 300 });

    expect(result).toEqual({ ok: false, httpStatus: 503 });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports a refused connection as connection', async () => {
    const closed = await startReceiver();
    const { url } = closed;
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    servers.splice(servers.indexOf(closed.server), 1);

    expect(await sendWebhook({ ...LOCAL, url })).toEqual({ ok: false, error: 'connection' });
  });

  it('reports a connection dropped before any answer as connection', async () => {
    const dropper = net.createServer((socket) => socket.destroy());
    const port = await listen(dropper as unknown as Server);

    expect(await sendWebhook({ ...LOCAL, url: `http://127.0.0.1:${port}/` })).toEqual({
      ok: false,
      error: 'connection',
    });
  });

  it('reaches an IPv6 loopback literal (or reports connection where the host has no IPv6)', async () => {
    const server = createServer((_req, res) => res.writeHead(204).end());
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (listening) servers.push(server);
    const port = listening ? (server.address() as AddressInfo).port : 9;

    const result = await sendWebhook({ ...LOCAL, url: `http://[::1]:${port}/x` });

    expect(result).toEqual(
      listening ? { ok: true, httpStatus: 204 } : { ok: false, error: 'connection' },
    );
  });
});

describe('sendWebhook address rules', () => {
  it('refuses a host that resolves to a public and a loopback address, without connecting', async () => {
    const receiver = await startReceiver();
    const { resolve, calls } = resolverTo('93.184.216.34', '127.0.0.1');
    const connect = vi.spyOn(net.Socket.prototype, 'connect');

    const result = await sendWebhook({
      ...DEPLOYED,
      resolve,
      url: `https://hooks.example.com:${receiver.port}/hook`,
    });

    expect(result).toEqual({ ok: false, error: 'address not allowed' });
    expect(calls).toEqual(['hooks.example.com']);
    expect(connect).not.toHaveBeenCalled();
    expect(receiver.connections).toBe(0);
  });

  it('refuses a host that resolves to the metadata service, even on the local stack', async () => {
    const { resolve } = resolverTo('169.254.169.254');
    const connect = vi.spyOn(net.Socket.prototype, 'connect');

    const result = await sendWebhook({ ...LOCAL, resolve, url: 'https://metadata.example.com/' });

    expect(result).toEqual({ ok: false, error: 'address not allowed' });
    expect(connect).not.toHaveBeenCalled();
  });

  it.each([
    ['private', ['10.0.0.5']],
    ['IPv4-mapped loopback', ['::ffff:127.0.0.1']],
    ['unique local IPv6', ['2606:4700::1', 'fd00::1']],
    ['garbage', ['not-an-ip']],
  ])('refuses a host that resolves to %s addresses when deployed', async (_name, addresses) => {
    const { resolve } = resolverTo(...addresses);
    const connect = vi.spyOn(net.Socket.prototype, 'connect');

    const result = await sendWebhook({ ...DEPLOYED, resolve, url: 'https://hooks.example.com/' });

    expect(result).toEqual({ ok: false, error: 'address not allowed' });
    expect(connect).not.toHaveBeenCalled();
  });

  it.each([
    ['http://127.0.0.1/', false],
    ['http://hooks.example.com/', true],
    ['https://10.0.0.1/', true],
    ['https://user:pw@hooks.example.com/', true],
    ['not a url', true],
  ])('refuses the URL %s (allowLoopback %s) before resolving', async (url, allowLoopback) => {
    const { resolve, calls } = resolverTo('93.184.216.34');

    const result = await sendWebhook({ headers: {}, body, allowLoopback, resolve, url });

    expect(result).toEqual({ ok: false, error: 'address not allowed' });
    expect(calls).toEqual([]);
  });

  it('reports a failed or empty lookup as dns', async () => {
    const failing = async (): Promise<ResolvedAddress[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const empty = async (): Promise<ResolvedAddress[]> => [];
    const url = 'https://hooks.example.com/';

    expect(await sendWebhook({ ...LOCAL, url, resolve: failing })).toEqual({
      ok: false,
      error: 'dns',
    });
    expect(await sendWebhook({ ...LOCAL, url, resolve: empty })).toEqual({
      ok: false,
      error: 'dns',
    });
  });

  it('counts a lookup that never finishes against the deadline', async () => {
    const hanging = () => new Promise<ResolvedAddress[]>(() => {});
    const started = Date.now();

    const result = await sendWebhook({
      ...LOCAL,
      url: 'https://hooks.example.com/',
      resolve: hanging,
      timeoutMs: 200,
    });

    expect(result).toEqual({ ok: false, error: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('sendToCheckedUrl', () => {
  it('connects to the resolved address and keeps the hostname in the Host header', async () => {
    const receiver = await startReceiver();
    const { resolve, calls } = resolverTo('127.0.0.1');
    const url = new URL(`http://receiver.test:${receiver.port}/in?k=v`);

    const result = await sendToCheckedUrl(url, { ...LOCAL, resolve });

    expect(result).toEqual({ ok: true, httpStatus: 204 });
    expect(calls).toEqual(['receiver.test']);
    expect(receiver.received[0]?.headers.host).toBe(`receiver.test:${receiver.port}`);
    expect(receiver.received[0]?.url).toBe('/in?k=v');
  });

  it('still applies the address rules', async () => {
    const receiver = await startReceiver();
    const { resolve } = resolverTo('127.0.0.1');
    const url = new URL(`http://receiver.test:${receiver.port}/`);

    const result = await sendToCheckedUrl(url, { ...LOCAL, allowLoopback: false, resolve });

    expect(result).toEqual({ ok: false, error: 'address not allowed' });
    expect(receiver.connections).toBe(0);
  });

  it('does not let a caller replace the Host header', async () => {
    const receiver = await startReceiver();
    const { resolve } = resolverTo('127.0.0.1');
    const url = new URL(`http://receiver.test:${receiver.port}/`);

    await sendToCheckedUrl(url, { ...LOCAL, resolve, headers: { Host: 'evil.example' } });

    expect(receiver.received[0]?.headers.host).toBe(`receiver.test:${receiver.port}`);
  });

  it('sends the hostname as TLS SNI to the resolved address and refuses an untrusted certificate', async () => {
    const context = createSecureContext({ cert: TEST_CERT, key: TEST_KEY });
    const servernames: string[] = [];
    const peers: (string | undefined)[] = [];
    let requests = 0;
    const server = createTlsServer(
      {
        SNICallback: (servername, callback) => {
          servernames.push(servername);
          callback(null, context);
        },
      },
      (_req, res) => {
        requests += 1;
        res.writeHead(204).end();
      },
    );
    server.on('connection', (socket: net.Socket) => peers.push(socket.remoteAddress));
    const port = await listen(server);
    const { resolve } = resolverTo('127.0.0.1');

    const result = await sendToCheckedUrl(new URL(`https://receiver.test:${port}/`), {
      ...LOCAL,
      resolve,
    });

    expect(result).toEqual({ ok: false, error: 'connection' });
    expect(peers).toEqual(['127.0.0.1']);
    expect(servernames).toEqual(['receiver.test']);
    expect(requests).toBe(0);
  });
});

/** Self-signed, for `receiver.test`, made for this test only; nothing trusts it. */
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBoDCCAUegAwIBAgIUJH7Ewuh010B7PxSjqIY6fPJosHQwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcmVjZWl2ZXIudGVzdDAgFw0yNjEyMDEyMzEyMTJaGA8yMTI2
MTEwNzIzMTIxM1owGDEWMBQGA1UEAwwNcmVjZWl2ZXIudGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABDtiFjnA9PFiGmV02Or5C4AY3XBsaaq+lAEvW7/Y+aLN
BUgCBVjlpqnS4ICnkiFiOSdjOucYpLICNbyxtrXBzMujbTBrMB0GA1UdDgQWBBS2
q//Qp5cLSMqevUl15zHMYOr4ljAfBgNVHSMEGDAWgBS2q//Qp5cLSMqevUl15zHM
YOr4ljAPBgNVHRMBAf8EBTADAQH/MBgGA1UdEQQRMA+CDXJlY2VpdmVyLnRlc3Qw
CgYIKoZIzj0EAwIDRwAwRAIgIFq+wjz1AgnbvnnWYtSM81UvyXJSrER+Sc3no4lF
x28CIHhv62qOdGuqrVITPxWQaGCiqo/Iqam4bHBVo7bpn9LW
-----END CERTIFICATE-----`;

const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQghkdbkoBNBm1KTih6
3dspBW1pVoULVj+kmNgSNhB359mhRANCAAQ7YhY5wPTxYhpldNjq+QuAGN1wbGmq
vpQBL1u/2PmizQVIAgVY5aap0uCAp5IhYjknYzrnGKSyAjW8sba1wczL
-----END PRIVATE KEY-----`;
