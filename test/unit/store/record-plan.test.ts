import { describe, expect, it } from 'vitest';
import { contactMonthKey, membershipKey } from '../../../lib/store/keys.ts';
import { planRecord } from '../../../lib/store/record-plan.ts';
import type { UpdateFacts } from '../../../lib/telegram/facts.ts';

const base: UpdateFacts = {
  updateId: 1,
  kind: 'message',
  at: 1764000000,
  activityDate: '2025-11-24',
  people: [
    { id: 1001, isBot: false, firstName: 'Alice', username: 'Alice_Smith', isPremium: false },
  ],
  chats: [{ id: -100200300, type: 'supergroup', title: 'Test Group' }],
  memberships: [
    { userId: 1001, chatId: -100200300, source: 'message', status: 'member', isMember: true },
  ],
  message: { chatId: -100200300, chatType: 'supergroup', senderId: 1001 },
  sharedContacts: [],
};

const keyOf = (k: { pk: string; sk: string }) => `${k.pk}|${k.sk}`;

describe('planRecord', () => {
  it('plans one write per item, guarding the items that carry counters', () => {
    const plan = planRecord(base);
    const keys = [...plan.contacts.map((c) => c.update.key), ...plan.items.map((i) => i.key)].map(
      keyOf,
    );
    expect(new Set(keys).size).toBe(keys.length);
    const guarded = plan.items.filter((i) => i.guarded).map((i) => keyOf(i.key));
    expect(guarded.sort()).toEqual(
      [
        keyOf(contactMonthKey(1001, '2025-11')),
        keyOf(membershipKey(1001, -100200300)),
        'CHAT#-100200300|PROFILE#2025-11',
      ].sort(),
    );
    expect(plan.contacts[0]?.update.cacheable).toBe(true);
  });

  it('counts the day of the update own date on the monthly item', () => {
    const plan = planRecord(base);
    const month = plan.items.find((i) => keyOf(i.key) === keyOf(contactMonthKey(1001, '2025-11')));
    const input = month?.toInput('t', 1);
    expect(input?.UpdateExpression).toContain('ADD');
    expect(Object.values(input?.ExpressionAttributeNames ?? {})).toEqual(
      expect.arrayContaining(['n', 'd24', 'g']),
    );
  });

  it('does not count an update that is not a new message', () => {
    const plan = planRecord({
      ...base,
      kind: 'edited_message',
      message: undefined,
      memberships: [],
    });
    expect(plan.items.some((i) => i.guarded)).toBe(false);
  });

  it('never downgrades a member status from a message, but sets it from chat_member', () => {
    const fromMessage = planRecord(base).items.find(
      (i) => keyOf(i.key) === keyOf(membershipKey(1001, -100200300)),
    );
    expect(fromMessage?.toInput('t').UpdateExpression).toMatch(/if_not_exists\(#a\d+, :v\d+\)/);
    const fromChatMember = planRecord({
      ...base,
      message: undefined,
      memberships: [
        {
          userId: 1001,
          chatId: -100200300,
          source: 'chat_member',
          status: 'administrator',
          isMember: true,
        },
      ],
    }).items.find((i) => keyOf(i.key) === keyOf(membershipKey(1001, -100200300)));
    const input = fromChatMember?.toInput('t');
    expect(Object.values(input?.ExpressionAttributeValues ?? {})).toContain('administrator');
    expect(fromChatMember?.guarded).toBe(false);
  });

  it('stores a verified phone normalized, and ignores one that is not a phone number', () => {
    const verified = planRecord({
      ...base,
      verifiedPhone: { userId: 1001, phoneNumber: '15551234567' },
    });
    expect(verified.contacts[0]?.phoneNumber).toBe('+15551234567');
    const invalid = planRecord({
      ...base,
      verifiedPhone: { userId: 1001, phoneNumber: 'not a phone' },
    });
    expect(invalid.contacts[0]?.phoneNumber).toBeUndefined();
  });

  it('removes a last name and username that are no longer sent', () => {
    const input = planRecord(base).contacts[0]?.update.toInput('t');
    expect(input?.UpdateExpression).toMatch(/REMOVE/);
    expect(Object.values(input?.ExpressionAttributeNames ?? {})).toContain('lastName');
  });
});

describe('planRecord membership times', () => {
  const change = (wasMember: boolean | undefined, isMember: boolean) =>
    planRecord({
      ...base,
      message: undefined,
      memberships: [
        {
          userId: 1001,
          chatId: -100200300,
          source: 'chat_member',
          status: isMember ? 'administrator' : 'left',
          isMember,
          ...(wasMember === undefined ? {} : { wasMember }),
        },
      ],
    })
      .items.filter((i) => keyOf(i.key) === keyOf(membershipKey(1001, -100200300)))
      .flatMap((i) => Object.values(i.toInput('t').ExpressionAttributeNames ?? {}));

  it('sets joinedAt on a join and leftAt on a leave', () => {
    expect(change(false, true)).toContain('joinedAt');
    expect(change(true, false)).toContain('leftAt');
  });

  it('moves neither time on a promotion of an existing member', () => {
    const names = change(true, true);
    expect(names).not.toContain('joinedAt');
    expect(names).not.toContain('leftAt');
  });
});
