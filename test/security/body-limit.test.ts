/**
 * Request bodies over 1 MiB are refused with 413, by the handler (counted in bytes, after
 * base64 decoding) and through the local server, which also stops keeping a body at the API
 * Gateway limit; one message for any size. A wrong webhook secret is 401 before the body.
 */
import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../functions/webhook.ts';
import { BODY_TOO_LARGE, MAX_BODY_BYTES } from '../../lib/http/event.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { WEBHOOK_SECRET, webhookEvent } from '../helpers/events.ts';
import { useLocalStack } from '../helpers/local-stack.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import { DEV_API_KEY, expectSafeProblem, useLogCheck } from './sensitive.ts';

let webhook: WebhookHandler;

useLogCheck();
const fixture = useStack();
const stack = useLocalStack({ env: { TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET, DEV_API_KEY } });
beforeAll(async () => {
  webhook = await fixture.webhook();
});

/** A valid update padded with spaces (still valid JSON) to exactly `bytes` bytes. */
function paddedUpdate(bytes: number, updateId = 1): string {
  const json = JSON.stringify({ ...loadUpdate('group-message'), update_id: updateId });
  return json + ' '.repeat(bytes - Buffer.byteLength(json));
}

describe('body limit at the handler', () => {
  it('accepts a body of exactly 1 MiB', async () => {
    const response = await webhook(webhookEvent(paddedUpdate(MAX_BODY_BYTES)));
    expect(response.statusCode).toBe(200);
  });

  it('answers 413 to 1 MiB and one byte', async () => {
    expectSafeProblem(await webhook(webhookEvent(paddedUpdate(MAX_BODY_BYTES + 1))), 413);
  });

  it('counts bytes, not characters', async () => {
    const text = JSON.stringify({ update_id: 2, note: '€'.repeat(400_000) });
    expect(text.length).toBeLessThan(MAX_BODY_BYTES);
    expectSafeProblem(await webhook(webhookEvent(text)), 413);
  });

  it('counts the decoded bytes of a base64 body', async () => {
    const event = webhookEvent('');
    event.body = Buffer.from(paddedUpdate(MAX_BODY_BYTES + 1, 3)).toString('base64');
    event.isBase64Encoded = true;
    expectSafeProblem(await webhook(event), 413);
    event.body = Buffer.from(paddedUpdate(MAX_BODY_BYTES, 3)).toString('base64');
    expect((await webhook(event)).statusCode).toBe(200);
  });
});

describe('body limit through the local server', () => {
  const post = (body: string | Buffer) =>
    fetch(`${stack.url}/telegram/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
      },
      body,
    });

  it('accepts exactly 1 MiB and answers 413 to one byte more', async () => {
    expect((await post(paddedUpdate(MAX_BODY_BYTES, 10))).status).toBe(200);
    const response = await post(paddedUpdate(MAX_BODY_BYTES + 1, 11));
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 413 to a body over the gateway limit without keeping it, and keeps serving', async () => {
    // 11 MiB in 1 MiB chunks; the server may answer and close before the last one.
    const { status } = await postLarge(11 * 1024 * 1024, WEBHOOK_SECRET);
    expect(status).toBe(413);
    const health = await fetch(`${stack.url}/health`);
    expect(health.status).toBe(200);
  });

  /**
   * Posts `bytes` bytes of spaces in 1 MiB chunks on a connection of its own (`Connection:
   * close`, after which the server closes it); resolves with the status and problem, and fails
   * on a connection error before the answer (a reset would lose the answer).
   */
  function postLarge(bytes: number, secret: string) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      let answered = false;
      const url = new URL(`${stack.url}/telegram/webhook`);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'x-telegram-bot-api-secret-token': secret },
          agent: false,
        },
        (res) => {
          answered = true;
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', (err) => {
        if (!answered) reject(err);
      });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let left = bytes;
      const pump = () => {
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!req.write(piece)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
  }

  it("answers a wrong secret 401, not 413, whatever the body's size", async () => {
    const answer = await postLarge(20 * 1024 * 1024, 'not-the-secret');
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ detail: 'missing or wrong secret token' });
  });

  it('says the same for every body over the limit: 6 MB and 20 MB alike', async () => {
    const six = await postLarge(6 * 1000 * 1000, WEBHOOK_SECRET);
    const twenty = await postLarge(20 * 1000 * 1000, WEBHOOK_SECRET);
    expect([six.status, twenty.status]).toEqual([413, 413]);
    expect(JSON.parse(six.body).detail).toBe(BODY_TOO_LARGE);
    expect(JSON.parse(twenty.body).detail).toBe(BODY_TOO_LARGE);
    expect((await fetch(`${stack.url}/health`)).status).toBe(200);
  });
});

describe('body limit at the handler: the secret first', () => {
  it('answers a wrong secret 401 and an oversized body with the secret 413, one message', async () => {
    const event = webhookEvent(paddedUpdate(6 * 1000 * 1000, 20));
    const stranger = await webhook({
      ...event,
      headers: { ...event.headers, 'x-telegram-bot-api-secret-token': 'not-the-secret' },
    });
    expect(stranger.statusCode).toBe(401);
    const large = await webhook(event);
    expect(large.statusCode).toBe(413);
    expect(JSON.parse(String(large.body)).detail).toBe(BODY_TOO_LARGE);
  });
});
