/**
 * A subscriber's webhook receiver on 127.0.0.1 for tests: records every request (headers and
 * the raw body) and answers what `answer` says (200 by default), as a receiver would, after
 * verifying nothing itself: tests verify signatures with the `standardwebhooks` package.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { beforeEach, vi } from 'vitest';
import { useStarted } from './stack-fixture.ts';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered. */
  status: number;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface EventReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** The status for the next request (given how many came before); 200 when unset. */
  answer: (index: number, body: string) => number;
  close(): Promise<void>;
}

export async function startEventReceiver(): Promise<EventReceiver> {
  const receiver: EventReceiver = {
    url: '',
    requests: [],
    answer: () => 200,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = receiver.answer(receiver.requests.length, body);
      receiver.requests.push({ headers: req.headers, body, status, at: performance.now() });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

export interface VerifiedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * Verifies a received request as a receiver would; throws when the signature is wrong.
 * `asSigned`: verify as of the signature's own time (a dispatcher on a test clock hours
 * ahead signs with that clock's time; receivers refuse timestamps 5 min off their own).
 */
export function verifyEvent(
  secret: string,
  request: ReceivedRequest,
  options: { asSigned?: boolean } = {},
): VerifiedEvent {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  const verify = () =>
    new Webhook(secret).verify(request.body, headers) as Omit<VerifiedEvent, 'id'>;
  if (!options.asSigned) return { id: headers['webhook-id'], ...verify() };
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Number(headers['webhook-timestamp']) * 1000);
    return { id: headers['webhook-id'], ...verify() };
  } finally {
    vi.useRealTimers();
  }
}

/**
 * Registers `beforeAll` (start a receiver), `afterAll` (close it) and `beforeEach` (forget its
 * requests, answer 200 again) in the current scope. Returns the receiver; its members may be
 * used from the scope's `beforeAll` on.
 */
export function useEventReceiver(): EventReceiver {
  const receiver = useStarted(startEventReceiver, 'useEventReceiver');
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.answer = () => 200;
  });
  return receiver;
}
