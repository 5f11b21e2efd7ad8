import { describe, expect, it } from 'vitest';
import { type PlannedWrite, planRecord } from '../../../../lib/directory/record/record-plan.ts';
import { monthExpiry } from '../../../../lib/directory/record/retention.ts';
import {
  chatMonthKey,
  contactMonthKey,
  eventKey,
  membershipKey,
  phoneItemKey,
} from '../../../../lib/store/keys.ts';
import type { UpdateFacts } from '../../../../lib/telegram/update/facts.ts';

const ALICE = 1001;
const BOB = 1002;
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

describe('planRecord membership events', () => {
  const T = 1764000000;
  const joinFact = (source: 'join' | 'chat_member') => ({
    ...base,
    message: undefined,
    memberships: [
      {
        userId: BOB,
        chatId: GROUP,
        source,
        status: 'member' as const,
        isMember: true,
        ...(source === 'chat_member' ? { wasMember: false } : {}),
        event: {
          kind: 'join' as const,
          fromStatus: 'left' as const,
          toStatus: 'member' as const,
          actorId: ALICE,
          ...(source === 'chat_member' ? { inviteLink: 'spring', viaJoinRequest: true } : {}),
        },
      },
    ],
  });
  const eventAt = eventKey(BOB, GROUP, T, 'join');

  it('writes an event item keyed by the change under the member, indexed by the chat', () => {
    const { writes } = planRecord(joinFact('chat_member'), `j${BOB}`, T, 30);
    expect(eventAt).toEqual({ pk: `USER#${BOB}`, sk: `EVENT#${T}#${GROUP}#join` });
    const planned = writeAt(writes, eventAt);
    expect(planned).toMatchObject({ owner: BOB, guarded: false });
    expect(planned?.gate).toBeUndefined();
    const input = planned?.update.toInput('t');
    const values = (name: string) => {
      const names = input?.ExpressionAttributeNames ?? {};
      const token = Object.keys(names).find((k) => names[k] === name);
      const match = new RegExp(`${token} = (?:if_not_exists\\(${token}, )?(:v\\d+)`).exec(
        input?.UpdateExpression ?? '',
      );
      return match ? input?.ExpressionAttributeValues?.[match[1] as string] : undefined;
    };
    expect(values('gsi1pk')).toBe(`EVENTS#${GROUP}`);
    expect(values('gsi1sk')).toBe(`${T}#${BOB}#join`);
    expect(values('userId')).toBe(BOB);
    expect(values('chatId')).toBe(GROUP);
    expect(values('at')).toBe(T);
    expect(values('kind')).toBe('join');
    expect(values('inviteLink')).toBe('spring');
    expect(values('viaJoinRequest')).toBe(true);
    expect(values('actorId')).toBe(ALICE);
    // A single-source item for erasure (st, s0), expiring retentionDays after the change.
    expect(values('st')).toBe(T);
    expect(values('s0')).toBe(T);
    expect(values('expiresAt')).toBe(T + 30 * 86_400);
    // Under the erasure floor like every user item; no high-water mark (the key is the change).
    expect(input?.ConditionExpression).toMatch(/<= :f/);
    expect(input?.ConditionExpression).not.toMatch(/:id/);
  });

  it('lets the chat_member update set the fields and a service message only fill them in', () => {
    const fromChatMember = inputOf(planRecord(joinFact('chat_member'), `j${BOB}`).writes, eventAt);
    const fromMessage = inputOf(planRecord(joinFact('join'), QUEUE).writes, eventAt);
    const names = (input: typeof fromMessage) => input?.ExpressionAttributeNames ?? {};
    const token = (input: typeof fromMessage, name: string) =>
      Object.keys(names(input)).find((k) => names(input)[k] === name);
    for (const field of ['fromStatus', 'toStatus', 'actorId']) {
      const c = token(fromChatMember, field);
      const m = token(fromMessage, field);
      expect(fromChatMember?.UpdateExpression).toMatch(new RegExp(`${c} = :v`));
      expect(fromMessage?.UpdateExpression).toMatch(new RegExp(`${m} = if_not_exists\\(${m},`));
    }
    // A service message knows no link: it writes none (and removes none).
    expect(Object.values(names(fromMessage))).not.toContain('inviteLink');
    expect(fromMessage?.UpdateExpression).not.toMatch(/REMOVE/);
  });

  it('writes no event for a membership fact without one', () => {
    const { writes } = planRecord(base, QUEUE);
    expect(writes.some((w) => w.update.key.sk.startsWith('EVENT#'))).toBe(false);
  });

  it("writes the bot's own event under the bot's id, not in a private chat", () => {
    const botEvent = {
      kind: 'join' as const,
      fromStatus: 'left' as const,
      toStatus: 'administrator' as const,
      actorId: ALICE,
    };
    const inGroup = planRecord(
      {
        ...base,
        kind: 'my_chat_member',
        message: undefined,
        memberships: [],
        botStatus: {
          chatId: GROUP,
          chatType: 'supergroup',
          status: 'administrator',
          botUserId: 999,
          event: botEvent,
        },
      },
      `y${GROUP}`,
    );
    expect(writeAt(inGroup.writes, eventKey(999, GROUP, T, 'join'))?.owner).toBe(999);
    const inPrivate = planRecord(
      {
        ...base,
        kind: 'my_chat_member',
        message: undefined,
        memberships: [],
        chats: [],
        botStatus: {
          chatId: ALICE,
          chatType: 'private',
          status: 'kicked',
          privateUserId: ALICE,
          botUserId: 999,
        },
      },
      `y${ALICE}`,
    );
    expect(inPrivate.writes.some((w) => w.update.key.sk.startsWith('EVENT#'))).toBe(false);
  });
});

describe('planRecord distinct senders and month counters', () => {
  it("marks a counted group message in the chat's own queue as a possible first of the day", () => {
    const { writes } = planRecord(base, QUEUE);
    expect(writeAt(writes, membershipKey(ALICE, GROUP))?.firstOfDay).toEqual({
      chatMonth: chatMonthKey(GROUP, '2025-11'),
      counter: 'a24',
      day: Date.UTC(2025, 10, 24) / 1000,
    });
    // Only the membership carries it; the membership keeps its previous last seen for it.
    expect(writes.filter((w) => w.firstOfDay)).toHaveLength(1);
    expect(namesOf(writes, membershipKey(ALICE, GROUP))).toEqual(
      expect.arrayContaining(['mp', 'ms', 'n202511']),
    );
  });

  it('marks nothing in another queue, for an uncounted update, or for a membership not of the sender', () => {
    const other = planRecord(base, 'x');
    expect(other.writes.some((w) => w.firstOfDay)).toBe(false);
    const edited = planRecord({ ...base, kind: 'edited_message', message: undefined }, QUEUE);
    expect(edited.writes.some((w) => w.firstOfDay)).toBe(false);
    const bobJoins = planRecord(
      {
        ...base,
        memberships: [
          ...base.memberships,
          { userId: BOB, chatId: GROUP, source: 'join', status: 'member', isMember: true },
        ],
      },
      QUEUE,
    );
    expect(writeAt(bobJoins.writes, membershipKey(BOB, GROUP))?.firstOfDay).toBeUndefined();
    expect(namesOf(bobJoins.writes, membershipKey(BOB, GROUP))).not.toContain('n202511');
  });

  it('counts the hour of the week in the contact and chat months, which expire after retention', () => {
    const { writes } = planRecord(base, QUEUE, base.at, 10);
    // Monday 24 November 2025, 16:00 UTC.
    for (const key of [contactMonthKey(ALICE, '2025-11'), chatMonthKey(GROUP, '2025-11')]) {
      expect(namesOf(writes, key)).toEqual(
        expect.arrayContaining(['h016', 'd24', 'n', 'expiresAt']),
      );
      expect(valuesOf(writes, key)).toContain(monthExpiry('2025-11', 10));
    }
    expect(monthExpiry('2025-11', 10)).toBe(Date.UTC(2025, 11, 11) / 1000);
    // The membership has no expiry of its own (it removes an erasure's).
    expect(inputOf(writes, membershipKey(ALICE, GROUP))?.UpdateExpression).toMatch(/REMOVE/);
    expect(valuesOf(writes, membershipKey(ALICE, GROUP))).not.toContain(monthExpiry('2025-11', 10));
  });
});
