/** Which reference an item stored by an earlier release needs (reference-migration.ts). */
import { describe, expect, it } from 'vitest';
import { referenceFor } from '../../../../lib/directory/erasure/reference-migration.ts';

const idem = (answer: unknown) => ({
  pk: 'IDEMPOTENCY#key_1#abc',
  sk: 'IDEMPOTENCY',
  createdAt: 100,
  answer,
});

describe('referenceFor', () => {
  it('names the recipient of a direct message record by its chat or by the refusal', () => {
    expect(referenceFor(idem({ status: 201, body: { chatId: 7001001 } }))).toEqual({
      gsi2pk: 'REF#7001001',
      refAt: 100,
    });
    expect(
      referenceFor(idem({ status: 409, detail: 'contact 7001001 has blocked the bot' })),
    ).toEqual({
      gsi2pk: 'REF#7001001',
      refAt: 100,
    });
    expect(
      referenceFor(idem({ status: 502, detail: 'Telegram did not answer in time' })),
    ).toBeUndefined();
  });

  it('names an actor other than the member, and not the member acting on themselves', () => {
    const event = { pk: 'USER#7002002', sk: 'EVENT#1#-1#join', at: 5 };
    expect(referenceFor({ ...event, actorId: 7001001 })).toEqual({
      gsi2pk: 'ACTOR#7001001',
      refAt: 5,
    });
    expect(referenceFor({ ...event, actorId: 7002002 })).toBeUndefined();
  });

  it('leaves an item that has an index key already', () => {
    expect(referenceFor({ ...idem({ body: { chatId: 1 } }), gsi2pk: 'REF#1' })).toBeUndefined();
  });
});
