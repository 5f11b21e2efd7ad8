import { describe, expect, it } from 'vitest';
import { messageShares, sharedUsers } from '../../../lib/telegram/update/shared-contacts.ts';

const ALICE = 1001;

describe('sharedUsers', () => {
  it('reads users (Bot API 7.2), user_ids (7.0) and user_shared (6.5)', () => {
    expect(
      sharedUsers({ users_shared: { request_id: 1, users: [{ user_id: 1002, first_name: 'B' }] } }),
    ).toStrictEqual([{ userId: 1002, firstName: 'B' }]);
    expect(sharedUsers({ users_shared: { request_id: 1, user_ids: [1002, 1003] } })).toStrictEqual([
      { userId: 1002 },
      { userId: 1003 },
    ]);
    expect(sharedUsers({ user_shared: { request_id: 1, user_id: 1002 } })).toStrictEqual([
      { userId: 1002 },
    ]);
  });

  it('counts each user once when Telegram sends the old shape beside the new one (regression)', () => {
    // Prepare: users and user_ids for the same people, and the legacy user_shared too
    const message = {
      users_shared: {
        request_id: 1,
        users: [{ user_id: 1002, first_name: 'Bob', username: 'bob_jones' }, { user_id: 1003 }],
        user_ids: [1002, 1003, 1004],
      },
      user_shared: { request_id: 1, user_id: 1002, first_name: 'Robert' },
    };

    // Act
    const users = sharedUsers(message);

    // Assess: first mention first, names from the first entry that has them
    expect(users).toStrictEqual([
      { userId: 1002, firstName: 'Bob', username: 'bob_jones' },
      { userId: 1003 },
      { userId: 1004 },
    ]);
  });

  it('takes names from a later entry when the first one has none', () => {
    const users = sharedUsers({
      users_shared: { user_ids: [1002], users: [] },
      user_shared: { user_id: 1002, first_name: 'Bob' },
    });

    expect(users).toStrictEqual([{ userId: 1002, firstName: 'Bob' }]);
  });

  it.each([
    ['null fields', { users_shared: null, user_shared: null }],
    ['wrong types', { users_shared: { users: 'all', user_ids: {} }, user_shared: [1002] }],
    [
      'ids that are not user ids',
      { users_shared: { user_ids: [0, -5, '1002', 1.5, 2 ** 53, null], users: [null, 7] } },
    ],
  ])('shares nobody when given %s', (_label, message) => {
    expect(sharedUsers(message)).toStrictEqual([]);
  });
});

describe('messageShares', () => {
  it('gives a verified phone for the sender own card and no shared contact', () => {
    const shares = messageShares(
      { contact: { phone_number: '15551234567', first_name: 'Alice', user_id: ALICE } },
      ALICE,
    );

    expect(shares).toStrictEqual({
      verifiedPhone: { userId: ALICE, phoneNumber: '15551234567' },
      sharedContacts: [],
    });
  });

  it('gives nothing for the sender own card with a number that is no phone number', () => {
    const shares = messageShares(
      { contact: { phone_number: '12', first_name: 'Alice', user_id: ALICE } },
      ALICE,
    );

    expect(shares).toStrictEqual({ sharedContacts: [] });
  });

  it('keeps a card of someone else that names a user even when its number is unusable', () => {
    const shares = messageShares(
      { contact: { phone_number: 'n/a', first_name: 'Bob', user_id: 1002 } },
      ALICE,
    );

    expect(shares.sharedContacts).toStrictEqual([
      { ownerId: ALICE, userId: 1002, phoneNumber: 'n/a', firstName: 'Bob' },
    ]);
  });

  it('leaves out a card with no user and no usable number, as the store would', () => {
    const shares = messageShares({ contact: { phone_number: 'call me', first_name: 'X' } }, ALICE);

    expect(shares).toStrictEqual({ sharedContacts: [] });
  });

  it('lists a contact card first, then the shared users', () => {
    const shares = messageShares(
      {
        contact: { phone_number: '+44 20 7946 0958', first_name: 'Office' },
        users_shared: { request_id: 1, user_ids: [1002] },
      },
      ALICE,
    );

    expect(shares.sharedContacts).toStrictEqual([
      { ownerId: ALICE, phoneNumber: '+44 20 7946 0958', firstName: 'Office' },
      { ownerId: ALICE, userId: 1002 },
    ]);
  });
});
