import { describe, expect, it } from 'vitest';
import type { MemberStatus } from '../../../lib/telegram/update/facts.ts';
import { membershipEvent } from '../../../lib/telegram/update/member-facts.ts';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';
import {
  at,
  type ChatRef,
  chatMemberUpdate,
  joinedMessage,
  leftMessage,
  type MemberState,
  myChatMemberUpdate,
  type Who,
} from '../../helpers/member-updates.ts';

const MEMBER = 1002;
const ADMIN = 1001;

/** The seven states a member can be in: restricted with and without membership. */
const STATES = {
  creator: { status: 'creator', isMember: true },
  administrator: { status: 'administrator', isMember: true },
  member: { status: 'member', isMember: true },
  'restricted+': { status: 'restricted', isMember: true },
  'restricted-': { status: 'restricted', isMember: false },
  left: { status: 'left', isMember: false },
  kicked: { status: 'kicked', isMember: false },
} as const satisfies Record<string, { status: MemberStatus; isMember: boolean }>;
type State = keyof typeof STATES;
const NAMES = Object.keys(STATES) as State[];

/**
 * The kind of every transition (row: before, column: after), made by an administrator and
 * by the member themself. `-`: no event.
 */
const BY_ADMIN = `
              creator  administrator member  restricted+ restricted- left    kicked
creator       -        change        change  change      remove      remove  remove
administrator change   -             change  change      remove      remove  remove
member        change   change        -       change      remove      remove  remove
restricted+   change   change        change  -           remove      remove  remove
restricted-   join     join          join    join        -           -       -
left          join     join          join    join        -           -       -
kicked        join     join          join    join        -           -       -`;
const BY_SELF = `
              creator  administrator member  restricted+ restricted- left    kicked
creator       -        change        change  change      leave       leave   remove
administrator change   -             change  change      leave       leave   remove
member        change   change        -       change      leave       leave   remove
restricted+   change   change        change  -           leave       leave   remove
restricted-   join     join          join    join        -           -       -
left          join     join          join    join        -           -       -
kicked        join     join          join    join        -           -       -`;

function parseTable(table: string): [State, State, string][] {
  const [header = '', ...rows] = table.trim().split('\n');
  const columns = header.trim().split(/\s+/) as State[];
  return rows.flatMap((row) => {
    const [before, ...kinds] = row.trim().split(/\s+/) as [State, ...string[]];
    return kinds.map((kind, i): [State, State, string] => [before, columns[i] as State, kind]);
  });
}

describe('membershipEvent', () => {
  it('covers all 49 transitions in each table', () => {
    for (const table of [BY_ADMIN, BY_SELF]) {
      const cells = parseTable(table);
      expect(cells).toHaveLength(49);
      expect(new Set(cells.map(([b, a]) => `${b}>${a}`)).size).toBe(49);
      expect(new Set(cells.map(([before]) => before))).toEqual(new Set(NAMES));
      expect(new Set(cells.map(([, after]) => after))).toEqual(new Set(NAMES));
    }
  });

  it.each(parseTable(BY_ADMIN))('%s -> %s by an administrator: %s', (before, after, kind) => {
    const event = membershipEvent(STATES[before], STATES[after], MEMBER, ADMIN);
    if (kind === '-') {
      expect(event).toBeUndefined();
    } else {
      expect(event).toEqual({
        kind,
        fromStatus: STATES[before].status,
        toStatus: STATES[after].status,
        actorId: ADMIN,
      });
    }
  });

  it.each(parseTable(BY_SELF))('%s -> %s by the member: %s', (before, after, kind) => {
    const event = membershipEvent(STATES[before], STATES[after], MEMBER, MEMBER);
    expect(event?.kind ?? '-').toBe(kind);
    if (event) expect(event.actorId).toBe(MEMBER);
  });

  it('takes a change without a known actor as the member’s own, unless banned', () => {
    const noActor = (before: State, after: State) =>
      membershipEvent(STATES[before], STATES[after], MEMBER, undefined);
    expect(noActor('member', 'left')).toEqual({
      kind: 'leave',
      fromStatus: 'member',
      toStatus: 'left',
    });
    expect(noActor('member', 'kicked')?.kind).toBe('remove');
    expect(noActor('left', 'member')).toEqual({
      kind: 'join',
      fromStatus: 'left',
      toStatus: 'member',
    });
    expect(noActor('left', 'member')).not.toHaveProperty('actorId');
  });
});

const CHAT: ChatRef = { id: -100200300, type: 'supergroup', title: 'Test Group' };
const ALICE: Who = { id: ADMIN, first_name: 'Alice' };
const BOB: Who = { id: MEMBER, first_name: 'Bob' };
const T = at('2026-01-05T10:00:00');
const options = { receivedAt: T + 60, botId: 999 };

const memberFact = (update: unknown) => extractFacts(update, options).memberships;

describe('extractFacts: membership events of chat_member updates', () => {
  const change = (from: MemberState, to: MemberState, more = {}) =>
    memberFact(
      chatMemberUpdate({ chat: CHAT, actor: BOB, member: BOB, from, to, date: T, ...more }),
    );

  it("names a join's invite link by its name, else by the link itself", () => {
    const named = change('left', 'member', {
      inviteLink: { invite_link: 'https://t.me/+AbC...', name: 'spring' },
    });
    expect(named[0]?.event).toEqual({
      kind: 'join',
      fromStatus: 'left',
      toStatus: 'member',
      actorId: MEMBER,
      inviteLink: 'spring',
    });
    const unnamed = change('left', 'member', {
      inviteLink: { invite_link: 'https://t.me/+AbC...' },
    });
    expect(unnamed[0]?.event?.inviteLink).toBe('https://t.me/+AbC...');
    expect(change('left', 'member')[0]?.event).not.toHaveProperty('inviteLink');
  });

  it('marks a join by an approved request, and only a join', () => {
    const approved = memberFact(
      chatMemberUpdate({
        chat: CHAT,
        actor: ALICE,
        member: BOB,
        from: 'left',
        to: 'member',
        date: T,
        viaJoinRequest: true,
      }),
    );
    expect(approved[0]?.event).toEqual({
      kind: 'join',
      fromStatus: 'left',
      toStatus: 'member',
      actorId: ADMIN,
      viaJoinRequest: true,
    });
    expect(change('left', 'member', { viaJoinRequest: false })[0]?.event).not.toHaveProperty(
      'viaJoinRequest',
    );
    // A link or a request flag on anything but a join is not the event's.
    const promoted = change('member', 'administrator', {
      viaJoinRequest: true,
      inviteLink: { invite_link: 'https://t.me/+x', name: 'x' },
    });
    expect(promoted[0]?.event).toEqual({
      kind: 'change',
      fromStatus: 'member',
      toStatus: 'administrator',
      actorId: MEMBER,
    });
  });

  it('gives a membership but no event without an old status, or when nothing changed', () => {
    const update = chatMemberUpdate({
      chat: CHAT,
      actor: ALICE,
      member: BOB,
      from: 'member',
      to: 'member',
      date: T,
    });
    expect(memberFact(update)[0]).not.toHaveProperty('event');
    delete (update.chat_member as Record<string, unknown>).old_chat_member;
    const [fact] = memberFact(update);
    expect(fact).toMatchObject({ userId: MEMBER, status: 'member', isMember: true });
    expect(fact).not.toHaveProperty('event');
    expect(fact).not.toHaveProperty('wasMember');
  });

  it('gives a channel member an event too', () => {
    const channel: ChatRef = { id: -100500600, type: 'channel', title: 'Test Channel' };
    const [fact] = memberFact(
      chatMemberUpdate({
        chat: channel,
        actor: BOB,
        member: BOB,
        from: 'member',
        to: 'left',
        date: T,
      }),
    );
    expect(fact).toMatchObject({ chatId: channel.id, event: { kind: 'leave' } });
  });
});

describe('extractFacts: membership events of service messages', () => {
  it('joins each added member, by whoever added them (the member themself by link)', () => {
    const carol: Who = { id: 1003, first_name: 'Carol' };
    const added = memberFact(
      joinedMessage({ chat: CHAT, actor: ALICE, members: [BOB, carol], date: T }),
    );
    expect(added.map((m) => [m.userId, m.event])).toEqual([
      [MEMBER, { kind: 'join', fromStatus: 'left', toStatus: 'member', actorId: ADMIN }],
      [1003, { kind: 'join', fromStatus: 'left', toStatus: 'member', actorId: ADMIN }],
    ]);
    const byLink = memberFact(joinedMessage({ chat: CHAT, actor: BOB, members: [BOB], date: T }));
    expect(byLink[0]?.event?.actorId).toBe(MEMBER);
  });

  it('is a leave when the member left and a removal when someone else removed them', () => {
    const left = memberFact(leftMessage({ chat: CHAT, actor: BOB, member: BOB, date: T }));
    expect(left[0]?.event).toEqual({
      kind: 'leave',
      fromStatus: 'member',
      toStatus: 'left',
      actorId: MEMBER,
    });
    const removed = memberFact(leftMessage({ chat: CHAT, actor: ALICE, member: BOB, date: T }));
    expect(removed[0]?.event).toEqual({
      kind: 'remove',
      fromStatus: 'member',
      toStatus: 'left',
      actorId: ADMIN,
    });
  });

  it('gives no event for the bot itself leaving (not a person)', () => {
    const bot: Who = { id: 999, first_name: 'Contacts', is_bot: true };
    expect(memberFact(leftMessage({ chat: CHAT, actor: ALICE, member: bot, date: T }))).toEqual([]);
  });
});

describe("extractFacts: the bot's own membership (my_chat_member)", () => {
  it('is an event of the bot in a group, supergroup or channel', () => {
    for (const chat of [
      { id: -4001002, type: 'group', title: 'Old Group' },
      CHAT,
      { id: -100500600, type: 'channel', title: 'Test Channel' },
    ] as ChatRef[]) {
      const facts = extractFacts(
        myChatMemberUpdate({ chat, actor: ALICE, from: 'left', to: 'administrator', date: T }),
        options,
      );
      expect(facts.botStatus).toEqual({
        chatId: chat.id,
        chatType: chat.type,
        status: 'administrator',
        botUserId: 999,
        event: { kind: 'join', fromStatus: 'left', toStatus: 'administrator', actorId: ADMIN },
      });
    }
    const removed = extractFacts(
      myChatMemberUpdate({ chat: CHAT, actor: ALICE, from: 'member', to: 'kicked', date: T }),
      options,
    );
    expect(removed.botStatus?.event).toEqual({
      kind: 'remove',
      fromStatus: 'member',
      toStatus: 'kicked',
      actorId: ADMIN,
    });
  });

  it('is no event in a private chat: a block or an unblock', () => {
    const privateChat = { id: ADMIN, type: 'private', first_name: 'Alice' } as const;
    for (const [from, to] of [
      ['member', 'kicked'],
      ['kicked', 'member'],
    ] as const) {
      const facts = extractFacts(
        myChatMemberUpdate({ chat: privateChat, actor: ALICE, from, to, date: T }),
        options,
      );
      expect(facts.botStatus).toMatchObject({ chatType: 'private', status: to });
      expect(facts.botStatus).not.toHaveProperty('event');
    }
  });
});
