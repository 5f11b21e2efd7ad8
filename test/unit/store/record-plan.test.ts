import { describe, expect, it } from 'vitest';
import {
  chatMonthKey,
  contactMonthKey,
  membershipKey,
  phoneItemKey,
} from '../../../lib/store/keys.ts';
import { type PlannedWrite, planRecord } from '../../../lib/store/record-plan.ts';
import type { UpdateFacts } from '../../../lib/telegram/facts.ts';

const ALICE = 1001;
const GROUP = -100200300;
const QUEUE = `c${GROUP}`;

const base: UpdateFacts = {
  updateId: 7,
  kind: 'message',
  at: 1764000000,
  activityDate: '2025-11-24',
  people: [
    { id: ALICE, isBot: false, firstName: 'Alice', username: 'Alice_Smith', isPremium: false },
  ],
  chats: [{ id: GROUP, type: 'supergroup', title: 'Test Group' }],
  memberships: [
    { userId: ALICE, chatId: GROUP, source: 'message', status: 'member', isMember: true },
  ],
  message: { chatId: GROUP, chatType: 'supergroup', senderId: ALICE },
  sharedContacts: [],
};

const keyOf = (k: { pk: string; sk: string }) => `${k.pk}|${k.sk}`;
const writeAt = (writes: PlannedWrite[], key: { pk: string; sk: string }) =>
  writes.find((w) => keyOf(w.update.key) === keyOf(key));
const inputOf = (writes: PlannedWrite[], key: { pk: string; sk: string }) =>
  writeAt(writes, key)?.update.toInput('t');
const namesOf = (writes: PlannedWrite[], key: { pk: string; sk: string }) =>
  Object.values(inputOf(writes, key)?.ExpressionAttributeNames ?? {});
const valuesOf = (writes: PlannedWrite[], key: { pk: string; sk: string }) =>
  Object.values(inputOf(writes, key)?.ExpressionAttributeValues ?? {});

describe('planRecord', () => {
  it('plans an ordinary group message as three guarded writes: sender month, chat month, membership', () => {
    const { writes } = planRecord(base, QUEUE);
    expect(writes.map((w) => keyOf(w.update.key)).sort()).toEqual(
      [
        keyOf(contactMonthKey(ALICE, '2025-11')),
        keyOf(chatMonthKey(GROUP, '2025-11')),
        keyOf(membershipKey(ALICE, GROUP)),
      ].sort(),
    );
    expect(writes.every((w) => w.guarded)).toBe(true);
    expect(writeAt(writes, contactMonthKey(ALICE, '2025-11'))).toMatchObject({
      owner: ALICE,
      gate: true,
    });
    expect(writeAt(writes, membershipKey(ALICE, GROUP))).toMatchObject({ owner: ALICE });
    expect(writeAt(writes, chatMonthKey(GROUP, '2025-11'))?.owner).toBeUndefined();
  });

  it("guards each item by the queue's high-water mark and each user item by the erasure floor", () => {
    const { writes } = planRecord(base, QUEUE);
    const month = inputOf(writes, contactMonthKey(ALICE, '2025-11'));
    expect(month?.ConditionExpression).toMatch(
      /attribute_not_exists\(#a\d+\) OR #a\d+\.#a\d+ < :id OR #a\d+\.#a\d+ < :stale/,
    );
    expect(month?.ConditionExpression).toMatch(/#a\d+ <= :f/);
    // A day past the mark's date passes it: Telegram numbers afresh after a quiet week.
    expect(month?.ExpressionAttributeValues?.[':stale']).toBe(1764000000 - 25 * 3600);
    expect(namesOf(writes, contactMonthKey(ALICE, '2025-11'))).toEqual(
      expect.arrayContaining([`q:${QUEUE}`, 'floor', 'n', 'd24']),
    );
    expect(month?.ExpressionAttributeValues?.[':id']).toBe(7);
    const chat = inputOf(writes, chatMonthKey(GROUP, '2025-11'));
    expect(chat?.ConditionExpression).not.toMatch(/floor/);
    expect(Object.values(chat?.ExpressionAttributeNames ?? {})).not.toContain('floor');
  });

  it('holds the profile the update showed in the queue register, and drops a username no longer sent', () => {
    const { writes } = planRecord(base, QUEUE);
    expect(valuesOf(writes, contactMonthKey(ALICE, '2025-11'))).toContainEqual(
      expect.objectContaining({ i: 7, t: 1764000000, f: 'Alice', u: 'Alice_Smith' }),
    );
    const plain = planRecord(
      { ...base, people: [{ id: ALICE, isBot: false, firstName: 'Alice' }] },
      QUEUE,
    );
    expect(inputOf(plain.writes, contactMonthKey(ALICE, '2025-11'))?.UpdateExpression).toMatch(
      /REMOVE .*#a\d+/,
    );
    expect(namesOf(plain.writes, contactMonthKey(ALICE, '2025-11'))).toContain('gsi2pk');
  });

  it('does not count an update that is not a new message', () => {
    const { writes } = planRecord(
      { ...base, kind: 'edited_message', message: undefined, memberships: [] },
      QUEUE,
    );
    for (const w of writes) expect(w.update.toInput('t').UpdateExpression).not.toMatch(/ADD/);
  });

  it('writes a chat seen from another queue as its profile, newest date wins, no counters', () => {
    const { writes } = planRecord({ ...base, message: undefined, memberships: [] }, `k${ALICE}`);
    const profile = inputOf(writes, { pk: `CHAT#${GROUP}`, sk: 'PROFILE' });
    expect(profile?.ConditionExpression).toMatch(/attribute_not_exists\(#a\d+\) OR #a\d+ <= :t/);
    expect(profile?.UpdateExpression).not.toMatch(/ADD/);
  });

  it('stores a verified phone normalized on its own indexed item, and ignores one that is not a phone number', () => {
    const verified = planRecord(
      { ...base, verifiedPhone: { userId: ALICE, phoneNumber: '15551234567' } },
      `c${ALICE}`,
    );
    expect(valuesOf(verified.writes, phoneItemKey(ALICE))).toEqual(
      expect.arrayContaining(['+15551234567', 'PHONE#+15551234567']),
    );
    const invalid = planRecord(
      { ...base, verifiedPhone: { userId: ALICE, phoneNumber: 'not a phone' } },
      `c${ALICE}`,
    );
    expect(writeAt(invalid.writes, phoneItemKey(ALICE))).toBeUndefined();
  });
});

describe('planRecord memberships', () => {
  const change = (wasMember: boolean | undefined, isMember: boolean) =>
    namesOf(
      planRecord(
        {
          ...base,
          message: undefined,
          memberships: [
            {
              userId: ALICE,
              chatId: GROUP,
              source: 'chat_member',
              status: isMember ? 'administrator' : 'left',
              isMember,
              ...(wasMember === undefined ? {} : { wasMember }),
            },
          ],
        },
        `j${ALICE}`,
      ).writes,
      membershipKey(ALICE, GROUP),
    );

  it("writes a message as the chat queue's source, a chat_member as the member queue's", () => {
    expect(namesOf(planRecord(base, QUEUE).writes, membershipKey(ALICE, GROUP))).toEqual(
      expect.arrayContaining(['mi', 'mt', 'ms', 'n']),
    );
    expect(change(false, true)).toEqual(expect.arrayContaining(['ci', 'cst', 'cim', 'csa']));
    expect(change(false, true)).not.toContain('mi');
  });

  it('never sets a status from a message (writing proves membership, not rank)', () => {
    expect(namesOf(planRecord(base, QUEUE).writes, membershipKey(ALICE, GROUP))).not.toContain(
      'mst',
    );
  });

  it('sets the join time on a join and the leave time on a leave', () => {
    expect(change(false, true)).toContain('cj');
    expect(change(true, false)).toContain('clt');
  });

  it('moves neither time on a promotion of an existing member', () => {
    const names = change(true, true);
    expect(names).not.toContain('cj');
    expect(names).not.toContain('clt');
  });
});
