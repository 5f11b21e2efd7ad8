/**
 * Bad input to the messaging routes (direct messages and broadcasts): every attempt is a 4xx
 * problem that does not echo the text (nor the phone number in it), and nothing is sent.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sends } from '../helpers/broadcasts.ts';
import { ALICE, type LookupResponse, post, postJson } from '../helpers/lookup.ts';
import { privateText } from '../helpers/private-chat.ts';
import { nowSeconds } from '../helpers/recorder-rig.ts';
import { useStack, useWriter } from '../helpers/stack-fixture.ts';

const stack = useStack();
const rig = useWriter(stack, 'red');
beforeEach(() => post(rig.webhook, privateText('/start', nowSeconds() - 600)));

describe('bad input to the messaging routes', () => {
  const SECRET = 'SECRET-TEXT-+15551234567';

  it('answers bad input to the messaging routes with 4xx problems that do not echo the text', async () => {
    const direct = (path: string, body: string, headers: Record<string, string> = {}) =>
      postJson(rig.api, path, body, { key: rig.writeKey, headers });
    const attempts: Promise<LookupResponse>[] = [
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: SECRET.repeat(300) })),
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: '' })),
      direct(
        `/v1/contacts/${ALICE}/messages`,
        JSON.stringify({ text: SECRET, parseMode: 'BBCode' }),
      ),
      direct(
        `/v1/contacts/${ALICE}/messages`,
        JSON.stringify({ text: SECRET, buttons: [[{ text: 'x', url: 'javascript:alert(1)' }]] }),
      ),
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: SECRET, buttons: 'no' })),
      direct(`/v1/contacts/${ALICE}/messages`, `{"text":"${SECRET}"`),
      direct(`/v1/contacts/${ALICE}/messages`, 'null'),
      direct(`/v1/contacts/${ALICE}/messages`, '[]'),
      direct('/v1/contacts/abc/messages', JSON.stringify({ text: SECRET })),
      direct('/v1/contacts/99999999999999999999999/messages', JSON.stringify({ text: SECRET })),
      direct('/v1/contacts/-5/messages', JSON.stringify({ text: SECRET })),
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: SECRET }), {
        'idempotency-key': 'x'.repeat(5000),
      }),
      direct(`/v1/contacts/${ALICE}/messages`, JSON.stringify({ text: SECRET, idempotencyKey: 5 })),
      direct(
        `/v1/contacts/${ALICE}/messages`,
        JSON.stringify({ text: SECRET, idempotencyKey: 'a' }),
        { 'idempotency-key': 'b' },
      ),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: {} })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { tag: 'a', chatId: 1 } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { chatId: 'x' } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { tag: '../../' } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { userIds: [] } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { userIds: [1.5, -1] } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { userIds: 'all' } })),
      direct('/v1/broadcasts', JSON.stringify({ text: SECRET, audience: { chatId: 2 ** 60 } })),
      direct('/v1/broadcasts/bc_zz/cancel', ''),
      direct('/v1/broadcasts/BROADCAST%23SENDER/cancel', ''),
      rig.api.call({ path: '/v1/broadcasts/SENDER' }),
      rig.api.call({ path: '/v1/broadcasts/..%2F..%2Fcontacts' }),
      rig.api.call({ path: '/v1/broadcasts?limit=-1' }),
      rig.api.call({ path: '/v1/broadcasts?cursor=%7B%7D' }),
      rig.api.call({ path: '/v1/broadcasts?cursor=not-a-cursor' }),
    ];
    const answers = await Promise.all(attempts);
    for (const [i, a] of answers.entries()) {
      expect(a.status, `attempt ${i}: ${a.raw}`).toBeGreaterThanOrEqual(400);
      expect(a.status, `attempt ${i}: ${a.raw}`).toBeLessThan(500);
      expect(a.raw, `attempt ${i}`).not.toContain('SECRET');
      expect(a.raw, `attempt ${i}`).not.toContain('5551234567');
    }
    expect(sends(stack.botApi)).toEqual([]);
  });
});
