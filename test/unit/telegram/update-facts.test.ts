import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UPDATE_KINDS } from '../../../lib/telegram/update/kinds.ts';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';
import { ALICE_AS_RECORDED, loadUpdate, type UpdateFixtureName } from '../../fixtures/updates.ts';

const BOT_ID = 999;
const RECEIVED_AT = 1_764_100_000; // 2025-11-25T19:46:40Z, a day after the fixtures' dates
const options = { receivedAt: RECEIVED_AT, botId: BOT_ID };

const alice = { id: 1001, ...ALICE_AS_RECORDED };
const bob = {
  id: 1002,
  isBot: false,
  firstName: 'Bob',
  lastName: 'Jones',
  username: 'bob_jones',
  languageCode: 'de',
  isPremium: false,
};
const group = { id: -100200300, type: 'supergroup', title: 'Test Group' };
const channel = {
  id: -100500600,
  type: 'channel',
  title: 'Test Channel',
  username: 'test_channel',
};

/** Bob's membership in the group as a fact: its `fields` and the `event` that made it. */
const bobInGroup = (
  fields: { source: string; status: string; isMember: boolean; wasMember?: boolean },
  event: Record<string, unknown>,
) => ({ userId: 1002, chatId: -100200300, ...fields, event });

function factsOf(name: UpdateFixtureName, change?: (update: Record<string, unknown>) => void) {
  const update = loadUpdate(name, { asWritten: true });
  change?.(update);
  return extractFacts(update, options);
}

/** The inner object of an update (its `message`, `chat_member`, ...), for tests to modify. */
function inner(update: Record<string, unknown>, key: string): Record<string, unknown> {
  return update[key] as Record<string, unknown>;
}

describe('extractFacts', () => {
  describe('messages that count', () => {
    it('records sender, chat, membership and message when a person writes in a group', () => {
      // Prepare + Act
      const facts = factsOf('group-message');

      // Assess
      expect(facts).toStrictEqual({
        updateId: 10001,
        kind: 'message',
        at: 1764000000,
        activityDate: '2025-11-24',
        people: [alice],
        chats: [group],
        memberships: [
          { userId: 1001, chatId: -100200300, source: 'message', status: 'member', isMember: true },
        ],
        message: { chatId: -100200300, chatType: 'supergroup', senderId: 1001 },
        sharedContacts: [],
      });
    });

    it('records the person and a private message but no chat or membership when in private', () => {
      const facts = factsOf('private-message');

      expect(facts.people).toStrictEqual([alice]);
      expect(facts.chats).toStrictEqual([]);
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.message).toStrictEqual({ chatId: 1001, chatType: 'private', senderId: 1001 });
    });

    it.each(['start-command', 'me-command', 'forget-command'] as const)(
      'records a counted private message when the update is %s',
      (name) => {
        const facts = factsOf(name);

        expect(facts.kind).toBe('message');
        expect(facts.message).toStrictEqual({ chatId: 1001, chatType: 'private', senderId: 1001 });
        expect(facts.people).toStrictEqual([alice]);
      },
    );

    it('records the channel and a sender-less message when a channel post arrives', () => {
      const facts = factsOf('channel-post');

      expect(facts.kind).toBe('channel_post');
      expect(facts.people).toStrictEqual([]);
      expect(facts.chats).toStrictEqual([channel]);
      expect(facts.message).toStrictEqual({ chatId: -100500600, chatType: 'channel' });
      expect(facts.memberships).toStrictEqual([]);
    });

    it('records both chats and no person when a message is sent on behalf of a channel', () => {
      const facts = factsOf('sender-chat-message');

      expect(facts.people).toStrictEqual([]);
      expect(facts.chats).toStrictEqual([group, channel]);
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.message).toStrictEqual({ chatId: -100200300, chatType: 'supergroup' });
    });

    it('records the group only when an anonymous administrator writes', () => {
      const facts = factsOf('anonymous-admin-message');

      expect(facts.people).toStrictEqual([]);
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.message).toStrictEqual({ chatId: -100200300, chatType: 'supergroup' });
    });

    it('records no person when Telegram forwards a linked channel post automatically', () => {
      const facts = factsOf('service-notification');

      expect(facts.people).toStrictEqual([]);
      expect(facts.chats).toStrictEqual([group, channel]);
      expect(facts.message).toStrictEqual({ chatId: -100200300, chatType: 'supergroup' });
    });

    it('records no person but counts the message when a placeholder writes without sender_chat', () => {
      const facts = factsOf('service-notification', (update) => {
        delete inner(update, 'message').sender_chat;
      });

      expect(facts.people).toStrictEqual([]);
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.message).toStrictEqual({ chatId: -100200300, chatType: 'supergroup' });
    });
  });

  describe('contacts', () => {
    it('records a verified phone, raw, when the sender shares their own contact', () => {
      const facts = factsOf('contact-own');

      expect(facts.verifiedPhone).toStrictEqual({ userId: 1001, phoneNumber: '15551234567' });
      expect(facts.sharedContacts).toStrictEqual([]);
      expect(facts.message).toStrictEqual({ chatId: 1001, chatType: 'private', senderId: 1001 });
    });

    it('records a shared contact and no verified phone when the contact is someone else', () => {
      const facts = factsOf('contact-other');

      expect(facts.verifiedPhone).toBeUndefined();
      expect(facts.sharedContacts).toStrictEqual([
        {
          ownerId: 1001,
          userId: 1002,
          phoneNumber: '+44 20 7946 0958',
          firstName: 'Bob',
          lastName: 'Jones',
        },
      ]);
      expect(facts.people).toStrictEqual([alice]);
      expect(facts.message).toBeDefined();
    });

    it('records a shared contact without user id when the card has none', () => {
      const facts = factsOf('contact-other', (update) => {
        delete (inner(update, 'message').contact as Record<string, unknown>).user_id;
      });

      expect(facts.verifiedPhone).toBeUndefined();
      expect(facts.sharedContacts).toStrictEqual([
        { ownerId: 1001, phoneNumber: '+44 20 7946 0958', firstName: 'Bob', lastName: 'Jones' },
      ]);
    });

    it('records no verified phone when the contact is sent on behalf of a chat', () => {
      const facts = factsOf('contact-own', (update) => {
        inner(update, 'message').sender_chat = { id: -100500600, type: 'channel', title: 'C' };
      });

      expect(facts.verifiedPhone).toBeUndefined();
      expect(facts.sharedContacts).toStrictEqual([]);
    });

    it('records shared contacts with names when users are shared', () => {
      const facts = factsOf('users-shared');

      expect(facts.sharedContacts).toStrictEqual([
        { ownerId: 1001, userId: 1002, firstName: 'Bob', lastName: 'Jones', username: 'bob_jones' },
        { ownerId: 1001, userId: 1003, firstName: 'Carol' },
      ]);
      expect(facts.people).toStrictEqual([alice]);
      expect(facts.message).toBeUndefined();
    });

    it('records shared contacts when the legacy user_shared or user_ids shapes arrive', () => {
      const legacy = factsOf('users-shared', (update) => {
        const message = inner(update, 'message');
        delete message.users_shared;
        message.user_shared = { request_id: 1, user_id: 1002 };
      });
      const idsOnly = factsOf('users-shared', (update) => {
        inner(update, 'message').users_shared = { request_id: 1, user_ids: [1002, 'x', 1003] };
      });

      expect(legacy.sharedContacts).toStrictEqual([{ ownerId: 1001, userId: 1002 }]);
      expect(idsOnly.sharedContacts).toStrictEqual([
        { ownerId: 1001, userId: 1002 },
        { ownerId: 1001, userId: 1003 },
      ]);
    });
  });

  describe('memberships from service messages', () => {
    it('records a join for each new member and does not count the message', () => {
      const facts = factsOf('new-chat-members');

      expect(facts.people).toStrictEqual([alice, bob]);
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.memberships).toStrictEqual([
        bobInGroup(
          // Alice added Bob.
          { source: 'join', status: 'member', isMember: true },
          { kind: 'join', fromStatus: 'left', toStatus: 'member', actorId: 1001 },
        ),
      ]);
      expect(facts.message).toBeUndefined();
    });

    it('records no join for the bot itself or a placeholder when they are added', () => {
      const facts = factsOf('new-chat-members', (update) => {
        inner(update, 'message').new_chat_members = [
          { id: BOT_ID, is_bot: true, first_name: 'Contacts', username: 'contacts_test_bot' },
          { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' },
        ];
      });

      expect(facts.people).toStrictEqual([alice]);
      expect(facts.memberships).toStrictEqual([]);
    });

    it('records a leave when a member leaves and does not count the message', () => {
      const facts = factsOf('left-chat-member');

      expect(facts.people).toStrictEqual([bob]);
      expect(facts.memberships).toStrictEqual([
        bobInGroup(
          { source: 'leave', status: 'left', isMember: false },
          { kind: 'leave', fromStatus: 'member', toStatus: 'left', actorId: 1002 },
        ),
      ]);
      expect(facts.message).toBeUndefined();
    });

    it('records no message when the group photo changes', () => {
      const facts = factsOf('group-message', (update) => {
        const message = inner(update, 'message');
        delete message.text;
        message.new_chat_photo = [{ file_id: 'a', file_unique_id: 'b', width: 1, height: 1 }];
      });

      expect(facts.message).toBeUndefined();
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.people).toStrictEqual([alice]);
    });
  });

  describe('migrations', () => {
    it('records the migration from the old group when migrate_to_chat_id arrives', () => {
      const facts = factsOf('migrate-to-chat');

      expect(facts.migration).toStrictEqual({ fromChatId: -4001002, toChatId: -100200300 });
      expect(facts.chats).toStrictEqual([{ id: -4001002, type: 'group', title: 'Test Group' }]);
      expect(facts.message).toBeUndefined();
      expect(facts.memberships).toStrictEqual([]);
    });

    it('records the migration into the supergroup when migrate_from_chat_id arrives', () => {
      const facts = factsOf('migrate-from-chat');

      expect(facts.migration).toStrictEqual({ fromChatId: -4001002, toChatId: -100200300 });
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.message).toBeUndefined();
    });
  });

  describe('chat_member', () => {
    it('records the actor, the member and a restricted membership with its is_member', () => {
      const facts = factsOf('chat-member-restricted');

      expect(facts.kind).toBe('chat_member');
      expect(facts.at).toBe(1764000600);
      expect(facts.people).toStrictEqual([alice, bob]);
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.memberships).toStrictEqual([
        bobInGroup(
          { source: 'chat_member', status: 'restricted', isMember: true, wasMember: true },
          { kind: 'change', fromStatus: 'member', toStatus: 'restricted', actorId: 1001 },
        ),
      ]);
      expect(facts.message).toBeUndefined();
    });

    it('records a restricted non-member when is_member is false', () => {
      const facts = factsOf('chat-member-restricted', (update) => {
        (inner(update, 'chat_member').new_chat_member as Record<string, unknown>).is_member = false;
      });

      expect(facts.memberships).toMatchObject([{ status: 'restricted', isMember: false }]);
    });

    it('records an administrator as a member', () => {
      const facts = factsOf('chat-member-admin');

      expect(facts.memberships).toStrictEqual([
        bobInGroup(
          { source: 'chat_member', status: 'administrator', isMember: true, wasMember: true },
          { kind: 'change', fromStatus: 'member', toStatus: 'administrator', actorId: 1001 },
        ),
      ]);
    });

    it('records whether the user was a member before, so a join can be told from a promotion', () => {
      const facts = factsOf('chat-member-admin', (update) => {
        (inner(update, 'chat_member').old_chat_member as Record<string, unknown>).status = 'left';
      });

      expect(facts.memberships).toMatchObject([{ isMember: true, wasMember: false }]);
    });

    it.each([
      ['creator', true],
      ['member', true],
      ['left', false],
      ['kicked', false],
    ] as const)('records status %s with isMember %s', (status, isMember) => {
      const facts = factsOf('chat-member-admin', (update) => {
        inner(update, 'chat_member').new_chat_member = {
          user: { id: 1002, first_name: 'Bob' },
          status,
        };
      });

      expect(facts.memberships).toMatchObject([{ status, isMember }]);
    });

    it('records no membership when the status is unknown or is_member is missing', () => {
      const unknown = factsOf('chat-member-admin', (update) => {
        const member = inner(update, 'chat_member').new_chat_member as Record<string, unknown>;
        member.status = 'superadmin';
      });
      const noIsMember = factsOf('chat-member-restricted', (update) => {
        delete (inner(update, 'chat_member').new_chat_member as Record<string, unknown>).is_member;
      });

      expect(unknown.memberships).toStrictEqual([]);
      expect(unknown.people).toStrictEqual([alice, bob]);
      expect(noIsMember.memberships).toStrictEqual([]);
    });
  });

  describe('my_chat_member', () => {
    it('records the bot blocked by the user when kicked in a private chat', () => {
      const facts = factsOf('my-chat-member-kicked-private');

      expect(facts.botStatus).toStrictEqual({
        chatId: 1001,
        chatType: 'private',
        status: 'kicked',
        privateUserId: 1001,
        botUserId: BOT_ID,
        previousStatus: 'member',
      });
      expect(facts.people).toStrictEqual([alice]);
      expect(facts.chats).toStrictEqual([]);
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.activityDate).toBe('2025-11-24');
    });

    it('records the bot status and the chat but not the bot when added to a group', () => {
      const facts = factsOf('my-chat-member-added-group');

      expect(facts.botStatus).toStrictEqual({
        chatId: -100200300,
        chatType: 'supergroup',
        status: 'member',
        botUserId: BOT_ID,
        event: { kind: 'join', fromStatus: 'left', toStatus: 'member', actorId: 1001 },
      });
      expect(facts.people).toStrictEqual([alice]);
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.memberships).toStrictEqual([]);
    });

    it('records no bot status when the status is unknown', () => {
      const facts = factsOf('my-chat-member-added-group', (update) => {
        inner(update, 'my_chat_member').new_chat_member = { status: 42 };
      });

      expect(facts.botStatus).toBeUndefined();
      expect(facts.chats).toStrictEqual([group]);
    });
  });

  describe('updates that only refresh', () => {
    it('records the editor and the chat but no message when a message is edited', () => {
      const facts = factsOf('edited-message');

      expect(facts.kind).toBe('edited_message');
      expect(facts.at).toBe(1764000840);
      expect(facts.people).toStrictEqual([alice]);
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.message).toBeUndefined();
      expect(facts.memberships).toStrictEqual([]);
    });

    it('records the user but not the bot when a button is pressed in a private chat', () => {
      const facts = factsOf('callback-query-forget-confirm');

      expect(facts.kind).toBe('callback_query');
      expect(facts.people).toStrictEqual([alice]);
      expect(facts.chats).toStrictEqual([]);
      expect(facts.message).toBeUndefined();
      expect(facts.at).toBe(RECEIVED_AT);
      expect(facts.activityDate).toBe('2025-11-25');
    });

    it('records the user and the chat when a button of an inaccessible message is pressed', () => {
      const facts = factsOf('callback-query');

      expect(facts.people).toStrictEqual([bob]);
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.message).toBeUndefined();
    });

    it('records the user when an inline query arrives', () => {
      const facts = factsOf('inline-query');

      expect(facts.kind).toBe('inline_query');
      expect(facts.people).toStrictEqual([alice]);
      expect(facts.chats).toStrictEqual([]);
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.message).toBeUndefined();
    });

    it('records the user and the chat but no membership when a join is requested', () => {
      const facts = factsOf('chat-join-request');

      expect(facts.people).toStrictEqual([bob]);
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.at).toBe(1764000900);
    });

    it('records the reacting user and the chat when a reaction changes', () => {
      const facts = factsOf('message-reaction');

      expect(facts.kind).toBe('message_reaction');
      expect(facts.people).toStrictEqual([bob]);
      expect(facts.chats).toStrictEqual([group]);
      expect(facts.message).toBeUndefined();
      expect(facts.at).toBe(1764001320);
    });

    it('records the chat but no message when a channel post is edited', () => {
      const facts = factsOf('channel-post', (update) => {
        update.edited_channel_post = { ...inner(update, 'channel_post'), edit_date: 1764002000 };
        delete update.channel_post;
      });

      expect(facts.kind).toBe('edited_channel_post');
      expect(facts.chats).toStrictEqual([channel]);
      expect(facts.message).toBeUndefined();
    });

    it('records the user but no message when a business message arrives', () => {
      const facts = factsOf('private-message', (update) => {
        update.business_message = { ...inner(update, 'message'), business_connection_id: 'bc1' };
        delete update.message;
      });

      expect(facts.kind).toBe('business_message');
      expect(facts.people).toStrictEqual([alice]);
      expect(facts.message).toBeUndefined();
    });
  });

  describe('kind, ids and dates', () => {
    it('records kind unknown, empty lists and the received time when the type is unknown', () => {
      const facts = factsOf('unknown-type');

      expect(facts).toStrictEqual({
        updateId: 10026,
        kind: 'unknown',
        at: RECEIVED_AT,
        activityDate: '2025-11-25',
        people: [],
        chats: [],
        memberships: [],
        sharedContacts: [],
      });
    });

    it('records the first known update key as the kind when several keys are present', () => {
      const facts = extractFacts(
        { update_id: 5, future_thing: {}, poll: { id: '1' }, message: {} },
        options,
      );

      expect(facts.kind).toBe('poll');
    });

    it('records the received time when the update date is not a positive integer', () => {
      for (const date of [0, -5, 1.5, '1764000000', 1e300]) {
        const facts = factsOf('group-message', (update) => {
          inner(update, 'message').date = date;
        });

        expect(facts.at).toBe(RECEIVED_AT);
      }
    });

    it('records ids beyond 2^31 and skips ids beyond 2^53', () => {
      const big = 2 ** 40 + 7;
      const facts = factsOf('group-message', (update) => {
        const message = inner(update, 'message');
        message.from = { id: big, is_bot: false, first_name: 'Big' };
        message.chat = { id: -(2 ** 53 + 2), type: 'supergroup', title: 'Too big' };
      });

      expect(facts.people).toStrictEqual([
        { id: big, isBot: false, firstName: 'Big', isPremium: false },
      ]);
      expect(facts.chats).toStrictEqual([]);
      expect(facts.message).toBeUndefined();
    });

    it('records a person with an empty first name when first_name is missing', () => {
      const facts = factsOf('group-message', (update) => {
        inner(update, 'message').from = { id: 1003, is_bot: false, is_premium: true };
      });

      expect(facts.people).toStrictEqual([
        { id: 1003, isBot: false, firstName: '', isPremium: true },
      ]);
    });

    it('skips users without an integer id and chats of unknown type', () => {
      const facts = factsOf('group-message', (update) => {
        const message = inner(update, 'message');
        message.from = { id: '1001', first_name: 'Alice' };
        message.chat = { id: -100200300, type: 'megagroup' };
      });

      expect(facts.people).toStrictEqual([]);
      expect(facts.chats).toStrictEqual([]);
      expect(facts.message).toBeUndefined();
    });

    it('records each person once when the same user appears twice', () => {
      const facts = factsOf('new-chat-members', (update) => {
        const message = inner(update, 'message');
        message.new_chat_members = [
          message.from,
          { ...(message.from as object), is_premium: true },
        ];
      });

      expect(facts.people).toStrictEqual([{ ...alice, isPremium: true }]);
      expect(facts.memberships).toHaveLength(2);
    });

    it('records no bot when the bot itself is the sender', () => {
      const facts = extractFacts(loadUpdate('group-message'), { ...options, botId: 1001 });

      expect(facts.people).toStrictEqual([]);
      expect(facts.memberships).toStrictEqual([]);
      expect(facts.message).toStrictEqual({ chatId: -100200300, chatType: 'supergroup' });
    });
  });

  describe('totality', () => {
    it.each([
      ['null', null],
      ['undefined', undefined],
      ['an array', []],
      ['a string', 'update'],
      ['a number', 42],
      ['a message that is a number', { update_id: 1, message: 5 }],
      ['a message that is an array', { update_id: 1, message: [1, 2] }],
      ['wrong field types', { update_id: '1', message: { chat: 'x', from: [], date: {} } }],
      [
        'deeply wrong types',
        {
          update_id: 1,
          message: {
            chat: { id: -1, type: 'group' },
            from: { id: 2 },
            new_chat_members: 'all',
            left_chat_member: [1],
            contact: { user_id: 2, phone_number: 7 },
            users_shared: { users: [null, 3, { user_id: 'x' }], user_ids: 'no' },
            migrate_to_chat_id: 'soon',
          },
        },
      ],
      ['a chat_member without members', { update_id: 1, chat_member: { chat: null } }],
      ['a my_chat_member with a bad status', { update_id: 1, my_chat_member: { status: {} } }],
    ])('returns facts without throwing when the update is %s', (_label, update) => {
      const facts = extractFacts(update, options);

      expect(facts.people).toBeInstanceOf(Array);
      expect(typeof facts.activityDate).toBe('string');
    });

    it('never throws for any value', () => {
      fc.assert(
        fc.property(fc.anything(), (update) => {
          const facts = extractFacts(update, options);
          return /^\d{4}-\d{2}-\d{2}$/.test(facts.activityDate);
        }),
        { seed: 42, numRuns: 300 },
      );
    });

    it('never throws for structurally random updates', () => {
      const pickOften = <T>(usual: T[], odd: T[]) =>
        fc.oneof({ arbitrary: fc.constantFrom(...usual), weight: 4 }, fc.constantFrom(...odd));
      const userId = pickOften([1001, 1002, 1003], [BOT_ID, 777000, 2 ** 53, 0, -1]);
      const chatId = pickOften([-100200300, -4001002, 1001], [0, 2 ** 53, 1.5]);
      const chatType = pickOften(['private', 'group', 'supergroup', 'channel'], ['secret']);
      const status = pickOften(['member', 'restricted', 'kicked', 'left'], ['owner', '']);
      const date = pickOften([1764000000], [0, -1, 1.5, 1e20]);
      const word = fc.constantFrom('Alice', '', '15551234567');
      const wrong = fc.oneof(fc.constant(undefined), fc.anything({ maxDepth: 2 }), userId, word);
      /** Mostly a plausible value, sometimes anything at all (including absent). */
      const maybe = (good: fc.Arbitrary<unknown>) =>
        fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: wrong, weight: 1 });
      /** Usually absent: service-message fields, so that plain messages are common too. */
      const rarely = (arb: fc.Arbitrary<unknown>) =>
        fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: arb, weight: 1 });
      const partial = (fields: Record<string, fc.Arbitrary<unknown>>) => maybe(fc.record(fields));
      const user = partial({ id: maybe(userId), is_bot: maybe(fc.boolean()), first_name: word });
      const chat = partial({ id: maybe(chatId), type: maybe(chatType), title: word });
      const message = partial({
        from: user,
        chat,
        sender_chat: chat,
        date,
        edit_date: date,
        text: word,
        new_chat_members: rarely(maybe(fc.array(user, { maxLength: 3 }))),
        left_chat_member: rarely(user),
        contact: rarely(partial({ user_id: maybe(userId), phone_number: maybe(word) })),
        users_shared: rarely(
          fc.record({
            users: maybe(fc.array(partial({ user_id: maybe(userId), first_name: word }))),
            user_ids: maybe(fc.array(maybe(userId))),
          }),
        ),
        user_shared: rarely(partial({ user_id: maybe(userId) })),
        migrate_to_chat_id: rarely(maybe(chatId)),
        migrate_from_chat_id: rarely(maybe(chatId)),
        pinned_message: rarely(wrong),
      });
      const other = partial({
        from: user,
        user,
        chat,
        actor_chat: chat,
        voter_chat: chat,
        date,
        message,
        new_chat_member: partial({ user, status: maybe(status), is_member: maybe(fc.boolean()) }),
        source: partial({ user }),
        boost: partial({ source: partial({ user }) }),
      });
      const body = fc.oneof(message, other);
      const update = fc.record({
        update_id: fc.oneof(fc.integer(), fc.anything()),
        kind: pickOften(
          ['message', 'chat_member', 'my_chat_member'],
          [...UPDATE_KINDS, 'unknown_kind'],
        ),
        body,
      });

      fc.assert(
        fc.property(update, ({ update_id, kind, body }) => {
          const facts = extractFacts({ update_id, [kind]: body }, options);
          const ids = new Set(facts.people.map((person) => person.id));
          expect(ids.has(BOT_ID) || ids.has(777000)).toBe(false);
          expect(facts.memberships.every((membership) => ids.has(membership.userId))).toBe(true);
          const senderId = facts.message?.senderId;
          expect(senderId === undefined || ids.has(senderId)).toBe(true);
        }),
        { seed: 42, numRuns: 300 },
      );
    });
  });
});
