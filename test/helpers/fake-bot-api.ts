/**
 * A fake Telegram Bot API on 127.0.0.1 for tests: point `apiRoot` at `url`, then assert on
 * `calls` and script answers with `respond`. It speaks the real wire format
 * (`POST /bot<token>/<method>`, `{ ok, result }` / `{ ok: false, error_code, description }`).
 * telegraf sends JSON unless a payload holds a file (`{ source }` / `{ url }`); then it sends
 * multipart, whose fields arrive here as strings (objects JSON-encoded, files as their text).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Payload = Record<string, unknown>;

export interface FakeBotApiCall {
  method: string;
  token: string;
  payload: Payload;
}

/** A raw HTTP answer. Any other value a handler returns is sent as `{ ok: true, result }`. */
export interface FakeResponse {
  status?: number;
  body: unknown;
}

export type FakeHandler = (payload: Payload, call: FakeBotApiCall) => unknown;

export interface FakeBotApi {
  /** `http://127.0.0.1:<port>`: use as the Bot API root. */
  url: string;
  /** Every request received, in order. */
  calls: FakeBotApiCall[];
  /** Replaces the answer for `method` until `reset()`. May be async (to simulate slowness). */
  respond(method: string, handler: FakeHandler): void;
  /** Forgets calls (in place) and handlers set by `respond`; those from options stay. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeBotApiOptions {
  handlers?: Record<string, FakeHandler>;
}

export const FAKE_BOT_USER = {
  id: 999,
  is_bot: true,
  first_name: 'Contacts Test',
  username: 'contacts_test_bot',
} as const;

/** sendMessage's answer to `payload`: message 1 in the private chat it names, with its text. */
export function sentMessage(payload: Payload) {
  return {
    message_id: 1,
    date: 0,
    chat: { id: payload.chat_id, type: 'private' },
    text: payload.text,
  };
}

/** A Telegram error answer, e.g. `telegramError(403, 'Forbidden: bot was blocked by the user')`. */
export function telegramError(
  errorCode: number,
  description: string,
  parameters?: Payload,
): FakeResponse {
  const body = { ok: false, error_code: errorCode, description, ...(parameters && { parameters }) };
  return { status: errorCode, body };
}

function isFakeResponse(value: unknown): value is FakeResponse {
  if (typeof value !== 'object' || value === null || !('body' in value)) return false;
  return Object.keys(value).every((key) => key === 'body' || key === 'status');
}

let messageId = 0;

const DEFAULTS: Record<string, FakeHandler> = {
  getMe: () => ({ ...FAKE_BOT_USER, can_join_groups: true, supports_inline_queries: false }),
  sendMessage: (p) => ({
    message_id: ++messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: p.chat_id, type: Number(p.chat_id) > 0 ? 'private' : 'supergroup' },
    from: FAKE_BOT_USER,
    text: p.text,
  }),
  getChatMember: (p) => ({
    status: 'member',
    user: { id: p.user_id, is_bot: false, first_name: 'Member' },
  }),
  getWebhookInfo: () => ({ url: '', has_custom_certificate: false, pending_update_count: 0 }),
  getUpdates: () => [],
};

function parseMultipart(raw: string, boundary: string): Payload {
  const payload: Payload = {};
  for (const part of raw.split(`--${boundary}`)) {
    const [head, ...rest] = part.split('\r\n\r\n');
    const name = head && /name="([^"]+)"/.exec(head)?.[1];
    if (name) payload[name] = rest.join('\r\n\r\n').replace(/\r\n$/, '');
  }
  return payload;
}

function parseBody(raw: string, contentType: string): Payload {
  if (raw.length === 0) return {};
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (contentType.includes('multipart/form-data') && boundary) {
    // telegraf adds the method name as a form field when it uploads files; it is not payload.
    const { method: _method, ...payload } = parseMultipart(raw, boundary);
    return payload;
  }
  return JSON.parse(raw) as Payload;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the fake on 127.0.0.1, on a free port. Close it in `afterAll`. */
export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const calls: FakeBotApiCall[] = [];
  const custom = new Map<string, FakeHandler>(Object.entries(options.handlers ?? {}));

  const server = createServer(async (req, res) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'POST' || !match?.[1] || !match[2]) {
      send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    try {
      const payload = parseBody(await readBody(req), req.headers['content-type'] ?? '');
      const call = { method: match[2], token: decodeURIComponent(match[1]), payload };
      calls.push(call);
      const handler = custom.get(call.method) ?? DEFAULTS[call.method] ?? (() => true);
      const answer = await handler(payload, call);
      if (isFakeResponse(answer)) send(res, answer.status ?? 200, answer.body);
      else send(res, 200, { ok: true, result: answer });
    } catch (err: unknown) {
      send(res, 500, { ok: false, error_code: 500, description: String(err) });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    respond: (method, handler) => {
      custom.set(method, handler);
    },
    reset: () => {
      calls.length = 0;
      custom.clear();
      for (const [method, handler] of Object.entries(options.handlers ?? {})) {
        custom.set(method, handler);
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A loopback URL nothing listens on (a port just released), for "Telegram unreachable" tests. */
export async function closedLoopbackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
