/**
 * An erasure ends every reference to the person (person-refs.ts) within the grants of each
 * function that runs it, the webhook (/forget) and the lookup (DELETE /v1/contacts/{id}):
 * the store client is held to the function's declared grants, which serverless.yml's roles
 * equal (test/integration/deploy/template.test.ts), so a reference kept where the role may
 * not reach fails here rather than deployed.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import { LOOKUP_GRANTS } from '../../../../lib/store/grants/lookup-grants.ts';
import { WEBHOOK_GRANTS } from '../../../../lib/store/grants/webhook-grants.ts';
import {
  actorRefIndexKeys,
  eventKey,
  personRefIndexKeys,
  phoneIndexPk,
  phoneItemKey,
  phoneRefIndexKeys,
  userPk,
} from '../../../../lib/store/keys.ts';
import {
  attemptKey,
  broadcastIdempotencyKey,
  deliveryKey,
  idempotencyKey,
  outboxKey,
  recipientKey,
} from '../../../../lib/store/service-keys.ts';
import { type DynamoRequest, grantedClient } from '../../../helpers/granted-client.ts';
import { startTestStore, type TestStore } from '../../../helpers/store.ts';
import { tableSnapshot } from '../../../helpers/webhook.ts';

const ALICE = 1001;
const BOB = 1002;
const PHONE = '+15550100001';
const GROUP = -100200300;
const MADE = 1_767_225_600;
const ERASED = MADE + 3600;

/** Alice's verified phone, and a copy of her of every kind another feature keeps. */
const items = () => [
  { ...phoneItemKey(ALICE), phoneNumber: PHONE, gsi2pk: phoneIndexPk(PHONE) },
  // Bob's contact.shared event naming her phone alone (a phone-only card).
  { ...outboxKey({ userId: BOB }, 'evt_card'), ...phoneRefIndexKeys(PHONE, MADE), data: {} },
  // Bob's event about her (a copy of her profile).
  { ...outboxKey({ userId: BOB }, 'evt_copy'), ...personRefIndexKeys(ALICE, MADE), data: {} },
  // Bob's member.left, Alice the admin who removed him, and his membership event.
  {
    ...outboxKey({ userId: BOB }, 'evt_left'),
    ...actorRefIndexKeys(ALICE, MADE),
    data: { actorId: ALICE },
  },
  { ...eventKey(BOB, GROUP, MADE, 'left'), ...actorRefIndexKeys(ALICE, MADE), actorId: ALICE },
  // A delivery of her event and its attempt log entry.
  { ...deliveryKey('sub_1', 'evt_alice'), ...personRefIndexKeys(ALICE, MADE) },
  { ...attemptKey('sub_1', MADE * 1000, 'evt_alice', 1), ...personRefIndexKeys(ALICE, MADE) },
  // Her place in a broadcast, the broadcast request's and a direct message's records.
  { ...recipientKey('bc_1', ALICE), ...personRefIndexKeys(ALICE, MADE) },
  { ...broadcastIdempotencyKey('key_1', 'h1'), ...personRefIndexKeys(ALICE, MADE) },
  {
    ...idempotencyKey('key_1', 'h2'),
    ...personRefIndexKeys(ALICE, MADE),
    state: 'done',
    requestHash: 'h3',
    createdAt: MADE,
    expiresAt: MADE + 86_400,
    answer: { status: 201, body: { chatId: ALICE, messageId: 7 } },
  },
];

let root: TestStore;
beforeAll(async () => {
  root = await startTestStore();
});
afterAll(async () => {
  await root?.close();
});

describe('an erasure within the grants of the function that runs it', () => {
  it.each([
    ['webhook', WEBHOOK_GRANTS],
    ['lookup', LOOKUP_GRANTS],
  ] as const)('ends every reference to the person under the %s role', async (_name, grants) => {
    const store = await root.freshTable();
    for (const item of items()) {
      await store.client.send(new PutCommand({ TableName: store.tableName, Item: item }));
    }
    const denied: DynamoRequest[] = [];

    const result = await eraseUser(
      { ...store, client: grantedClient(store.client, grants, denied) },
      ALICE,
      ERASED,
    );

    expect(denied).toEqual([]);
    expect(result.erased).toBe(true);
    const left = await tableSnapshot(store);
    // Her own partition keeps only her tombstones (key and floor: tableSnapshot drops floors).
    const own = left.filter((item) => item.pk === userPk(ALICE));
    expect(own.length).toBeGreaterThan(0);
    for (const item of own) expect(Object.keys(item).sort()).toEqual(['pk', 'sk']);
    // contact.erased carries her id alone, for subscribers.
    // Her verified phone's tombstone holds a keyed hash of it and the floor (phone-floor.ts).
    const others = left.filter(
      (item) =>
        item.pk !== userPk(ALICE) &&
        item.type !== 'contact.erased' &&
        !String(item.pk).startsWith('PHONEFLOOR#'),
    );
    const text = JSON.stringify(others);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(String(ALICE));
    // Bob's events stay, without her as their actor; the direct message's key stays a
    // tombstone naming no one, so that it never sends again.
    expect(others.map((item) => `${item.pk} ${item.sk}`).sort()).toEqual(
      [
        eventKey(BOB, GROUP, MADE, 'left'),
        outboxKey({ userId: BOB }, 'evt_left'),
        idempotencyKey('key_1', 'h2'),
      ]
        .map((key) => `${key.pk} ${key.sk}`)
        .sort(),
    );
    const tombstone = others.find((item) => String(item.pk).startsWith('IDEMPOTENCY#'));
    expect(tombstone).toMatchObject({ state: 'erased', createdAt: MADE });
    for (const gone of ['answer', 'requestHash', 'gsi2pk', 'refAt']) {
      expect(tombstone).not.toHaveProperty(gone);
    }
  });
});
