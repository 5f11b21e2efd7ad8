import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_USER_IDS, type UpdateFacts } from '../../../lib/telegram/update/facts.ts';
import { UPDATE_KINDS } from '../../../lib/telegram/update/kinds.ts';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';
import { corpusUpdate, loadCorpus } from '../../fixtures/corpus.ts';

const BOT_ID = 999;
const RECEIVED_AT = 1_764_100_000;
const options = { receivedAt: RECEIVED_AT, botId: BOT_ID };
const corpus = loadCorpus();

/** The ids of chats the update itself says are private (a message's chat, a member update's). */
function privateChatIds(update: Record<string, unknown>): Set<number> {
  const ids = new Set<number>();
  for (const payload of Object.values(update)) {
    const chat = (payload as { chat?: { id?: unknown; type?: unknown } } | null)?.chat;
    if (chat?.type === 'private' && typeof chat.id === 'number') ids.add(chat.id);
  }
  return ids;
}

/** A message in a channel: a channel post, or any message kind whose chat is a channel. */
function isChannelMessage(update: Record<string, unknown>, facts: UpdateFacts): boolean {
  if (facts.kind === 'channel_post' || facts.kind === 'edited_channel_post') return true;
  const chat = (update[facts.kind] as { chat?: { type?: unknown } } | null)?.chat;
  return facts.kind.endsWith('message') && chat?.type === 'channel';
}

describe('extractFacts over the corpus of real-shaped updates', () => {
  it('holds every update kind the facts know and 60 to 100 updates', () => {
    const kinds = new Set(corpus.map(({ update }) => extractFacts(update, options).kind));

    expect([...UPDATE_KINDS].filter((kind) => !kinds.has(kind))).toStrictEqual([]);
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(corpus.length).toBeLessThanOrEqual(100);
    expect(new Set(corpus.map(({ name }) => name)).size).toBe(corpus.length);
  });

  it.each(corpus.map((entry) => [`${entry.file}/${entry.name}`, entry.update] as const))(
    'gives well-formed facts for %s',
    (_name, update) => {
      // Act
      const facts = extractFacts(update, options);

      // Assess
      const people = new Set(facts.people.map((person) => person.id));
      const chats = new Set(facts.chats.map((chat) => chat.id));
      for (const id of people) {
        expect(PLACEHOLDER_USER_IDS.has(id) || id === BOT_ID, `person ${id}`).toBe(false);
      }
      if (facts.message) {
        expect(Number.isSafeInteger(facts.message.chatId) && facts.message.chatId !== 0).toBe(true);
        if (facts.message.chatType !== 'private') {
          expect(chats.has(facts.message.chatId)).toBe(true);
        }
        if (facts.message.senderId !== undefined) {
          expect(people.has(facts.message.senderId)).toBe(true);
        }
      }
      if (isChannelMessage(update, facts)) {
        expect(facts.message?.senderId).toBeUndefined();
        expect(facts.people).toStrictEqual([]);
        expect(facts.memberships).toStrictEqual([]);
      }
      const privateIds = privateChatIds(update);
      for (const membership of facts.memberships) {
        expect(privateIds.has(membership.chatId)).toBe(false);
        expect(chats.has(membership.chatId) && people.has(membership.userId)).toBe(true);
      }
      expect(Number.isFinite(facts.at) && facts.at > 0).toBe(true);
      expect(facts.activityDate).toBe(new Date(facts.at * 1000).toISOString().slice(0, 10));
      if (facts.migration) {
        const { fromChatId, toChatId } = facts.migration;
        expect(fromChatId !== 0 && toChatId !== 0 && fromChatId !== toChatId).toBe(true);
      }
      expect(JSON.parse(JSON.stringify(facts))).toStrictEqual(facts);
    },
  );
});

/** The facts in short: people and chats by id, the rest as they are. */
function summary(name: string) {
  const {
    people,
    chats,
    updateId: _id,
    activityDate: _day,
    ...rest
  } = extractFacts(corpusUpdate(name), options);
  return { ...rest, people: people.map((p) => p.id), chats: chats.map((c) => c.id) };
}

const SUPER = -100200300;
const GROUP = -4001002;
const FORUM = -100300400;
const CHANNEL = -100500600;
const T0 = 1_764_000_000;
const none = { memberships: [], sharedContacts: [] };
const wrote = (userId: number, chatId: number) =>
  ({ userId, chatId, source: 'message', status: 'member', isMember: true }) as const;
const addedBy1001 = (userId: number) =>
  ({ userId, chatId: SUPER, source: 'join', status: 'member', isMember: true }) as const;
const joinedBy = (actorId: number) =>
  ({ kind: 'join', fromStatus: 'left', toStatus: 'member', actorId }) as const;
const counted = (chatId: number, chatType: string, senderId?: number) =>
  senderId === undefined ? { chatId, chatType } : { chatId, chatType, senderId };

describe('extractFacts for named corpus updates', () => {
  it.each([
    [
      'topic-message',
      {
        kind: 'message',
        at: T0 + 77,
        people: [1002],
        chats: [FORUM],
        memberships: [wrote(1002, FORUM)],
        sharedContacts: [],
        message: counted(FORUM, 'supergroup', 1002),
      },
    ],
    [
      'reply-to-message',
      {
        kind: 'message',
        at: T0 + 72,
        people: [1001],
        chats: [SUPER],
        memberships: [wrote(1001, SUPER)],
        sharedContacts: [],
        message: counted(SUPER, 'supergroup', 1001),
      },
    ],
    [
      'forward-origin-channel',
      {
        kind: 'message',
        at: T0 + 76,
        people: [1003],
        chats: [SUPER],
        memberships: [wrote(1003, SUPER)],
        sharedContacts: [],
        message: counted(SUPER, 'supergroup', 1003),
      },
    ],
    [
      'automatic-forward',
      {
        kind: 'message',
        at: T0 + 80,
        people: [],
        chats: [SUPER, CHANNEL],
        ...none,
        message: counted(SUPER, 'supergroup'),
      },
    ],
    [
      'big-user-id',
      {
        kind: 'message',
        at: T0 + 85,
        people: [7300000001],
        chats: [SUPER],
        memberships: [wrote(7300000001, SUPER)],
        sharedContacts: [],
        message: counted(SUPER, 'supergroup', 7300000001),
      },
    ],
    [
      'new-chat-members-added',
      {
        kind: 'message',
        at: T0 + 200,
        people: [1001, 1002, 1003],
        chats: [SUPER],
        memberships: [
          { ...addedBy1001(1002), event: joinedBy(1001) },
          { ...addedBy1001(1003), event: joinedBy(1001) },
        ],
        sharedContacts: [],
      },
    ],
    [
      'bot-added-to-group',
      { kind: 'message', at: T0 + 202, people: [1001], chats: [GROUP], ...none },
    ],
    [
      'migrate-from-anonymous',
      {
        kind: 'message',
        at: T0 + 213,
        people: [],
        chats: [SUPER],
        ...none,
        migration: { fromChatId: GROUP, toChatId: SUPER },
      },
    ],
    [
      'forum-topic-closed',
      { kind: 'message', at: T0 + 215, people: [1001], chats: [FORUM], ...none },
    ],
    [
      'auto-delete-timer-off',
      { kind: 'message', at: T0 + 218, people: [1001], chats: [SUPER], ...none },
    ],
    [
      'channel-post-signed-with-from',
      {
        kind: 'channel_post',
        at: T0 + 300,
        people: [],
        chats: [CHANNEL],
        ...none,
        message: counted(CHANNEL, 'channel'),
      },
    ],
    [
      'chat-member-joined-by-invite-link',
      {
        kind: 'chat_member',
        at: T0 + 400,
        people: [7300000001],
        chats: [SUPER],
        sharedContacts: [],
        memberships: [
          {
            userId: 7300000001,
            chatId: SUPER,
            source: 'chat_member',
            status: 'member',
            isMember: true,
            wasMember: false,
            event: { ...joinedBy(7300000001), inviteLink: 'spring' },
          },
        ],
      },
    ],
    [
      'chat-member-left-channel',
      {
        kind: 'chat_member',
        at: T0 + 405,
        people: [1002],
        chats: [CHANNEL],
        sharedContacts: [],
        memberships: [
          {
            userId: 1002,
            chatId: CHANNEL,
            source: 'chat_member',
            status: 'left',
            isMember: false,
            wasMember: true,
            event: { kind: 'leave', fromStatus: 'member', toStatus: 'left', actorId: 1002 },
          },
        ],
      },
    ],
    [
      'my-chat-member-channel-admin',
      {
        kind: 'my_chat_member',
        at: T0 + 411,
        people: [1001],
        chats: [CHANNEL],
        ...none,
        botStatus: {
          chatId: CHANNEL,
          chatType: 'channel',
          status: 'administrator',
          botUserId: BOT_ID,
          event: { kind: 'join', fromStatus: 'left', toStatus: 'administrator', actorId: 1001 },
        },
      },
    ],
    [
      'my-chat-member-unblocked',
      {
        kind: 'my_chat_member',
        at: T0 + 408,
        people: [1003],
        chats: [],
        ...none,
        // In a private chat the bot's status is no membership event: it says blocked or not.
        botStatus: {
          chatId: 1003,
          chatType: 'private',
          status: 'member',
          privateUserId: 1003,
          botUserId: BOT_ID,
          previousStatus: 'kicked',
        },
      },
    ],
    [
      'users-shared-both-shapes',
      {
        kind: 'message',
        at: T0 + 127,
        people: [1001],
        chats: [],
        memberships: [],
        sharedContacts: [
          { ownerId: 1001, userId: 1002, firstName: 'Bob' },
          { ownerId: 1001, userId: 1003, firstName: 'Carol' },
        ],
      },
    ],
    [
      'message-reaction-anonymous',
      { kind: 'message_reaction', at: T0 + 505, people: [], chats: [SUPER], ...none },
    ],
    [
      'chat-boost-giveaway',
      { kind: 'chat_boost', at: T0 + 508, people: [7300000001], chats: [CHANNEL], ...none },
    ],
    [
      'business-message',
      { kind: 'business_message', at: T0 + 502, people: [1003], chats: [], ...none },
    ],
    [
      'poll-answer-by-chat',
      { kind: 'poll_answer', at: RECEIVED_AT, people: [], chats: [CHANNEL], ...none },
    ],
    [
      'zero-filled-text',
      {
        kind: 'message',
        at: T0 + 601,
        people: [1002],
        chats: [SUPER],
        memberships: [wrote(1002, SUPER)],
        sharedContacts: [],
        message: counted(SUPER, 'supergroup', 1002),
      },
    ],
    [
      'null-filled-migration',
      {
        kind: 'message',
        at: T0 + 606,
        people: [1001],
        chats: [GROUP],
        ...none,
        migration: { fromChatId: GROUP, toChatId: SUPER },
      },
    ],
  ])('gives the expected facts for %s', (name, expected) => {
    expect(summary(name)).toStrictEqual(expected);
  });
});
