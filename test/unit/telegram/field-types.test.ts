import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';
import { corpusUpdate } from '../../fixtures/corpus.ts';

const RECEIVED_AT = 1_764_100_000;
const options = { receivedAt: RECEIVED_AT, botId: 999 };

type Json = Record<string, unknown>;

/** Facts of the named corpus update after `change` edits its inner object (`message`, ...). */
function factsOf(name: string, change: (inner: Json) => void) {
  const update = corpusUpdate(name);
  const kind = Object.keys(update).find((key) => key !== 'update_id') as string;
  change(update[kind] as Json);
  return extractFacts(update, options);
}

describe('extractFacts: migrations', () => {
  it.each([
    ['0', 0],
    ['a positive id (a user, not a group)', 1002],
    ['a string', '-100200300'],
    ['beyond 2^53', -(2 ** 53) - 2],
    ['the same chat', -4001002],
  ])('records no migration and no message when migrate_to_chat_id is %s', (_label, id) => {
    const facts = factsOf('migrate-to-supergroup', (message) => {
      message.migrate_to_chat_id = id;
    });

    expect(facts.migration).toBeUndefined();
    // A present field still makes a service message; only absent ones (0) let it count.
    expect(facts.message === undefined).toBe(id !== 0);
  });

  it('records no migration to a supergroup announced in a chat that is not a group', () => {
    const inSupergroup = factsOf('migrate-to-supergroup', (message) => {
      message.chat = { id: -100999, type: 'supergroup', title: 'Already super' };
    });
    const inChannel = factsOf('migrate-from-group', (message) => {
      message.chat = { id: -100500600, type: 'channel', title: 'Test Channel' };
    });

    expect(inSupergroup.migration).toBeUndefined();
    expect(inChannel.migration).toBeUndefined();
  });

  it('records the migration from either side with two different negative ids', () => {
    const to = factsOf('migrate-to-supergroup', () => {});
    const from = factsOf('migrate-from-group', () => {});

    expect(to.migration).toStrictEqual({ fromChatId: -4001002, toChatId: -100200300 });
    expect(from.migration).toStrictEqual(to.migration);
  });
});

describe('extractFacts: dates', () => {
  it('dates a boost by its add_date', () => {
    expect(extractFacts(corpusUpdate('chat-boost'), options).at).toBe(1_764_000_507);
  });

  it.each([
    ['negative', -1_764_000_000],
    ['a string', '1764000560'],
    ['a fraction', 1_764_000_560.5],
    ['past year 9999', 253_402_300_800],
  ])(
    'dates an edit on arrival when edit_date is %s (never by its old message date)',
    (_label, editDate) => {
      const facts = factsOf('edited-message', (message) => {
        message.edit_date = editDate;
      });

      expect(facts.at).toBe(RECEIVED_AT);
    },
  );

  it('falls back to the received time when a boost date is negative', () => {
    const facts = factsOf('removed-chat-boost', (removed) => {
      removed.remove_date = -5;
    });

    expect(facts.at).toBe(RECEIVED_AT);
    expect(facts.activityDate).toBe('2025-11-25');
  });
});

describe('extractFacts: fields of the wrong type', () => {
  it('counts the sender when sender_chat is there but is no chat', () => {
    const facts = factsOf('text-in-supergroup', (message) => {
      message.sender_chat = { id: 0, type: 'channel' };
    });

    expect(facts.message?.senderId).toBe(1001);
    expect(facts.chats.map((chat) => chat.id)).toStrictEqual([-100200300]);
  });

  it('records neither a verified phone nor a shared card when contact.user_id is a string', () => {
    const facts = factsOf('contact-own', (message) => {
      (message.contact as Json).user_id = '1002';
    });

    expect(facts.verifiedPhone).toBeUndefined();
    expect(facts.sharedContacts).toStrictEqual([]);
  });

  it('reads a contact card whose user_id a serializer wrote as 0 as a card without user', () => {
    const facts = factsOf('contact-without-user-id', (message) => {
      (message.contact as Json).user_id = 0;
    });

    expect(facts.sharedContacts).toStrictEqual([
      { ownerId: 1001, phoneNumber: '+1 (555) 010-9999', firstName: 'Plumber' },
    ]);
  });

  it('records no join but treats the message as service when new_chat_members is not a list', () => {
    const facts = factsOf('new-chat-members-added', (message) => {
      message.new_chat_members = { 0: { id: 1002, is_bot: false, first_name: 'Bob' } };
    });

    expect(facts.memberships).toStrictEqual([]);
    expect(facts.message).toBeUndefined();
  });

  it('records no person for ids written as strings or beyond 2^53', () => {
    for (const id of ['1002', 2 ** 53, -1002, 1002.5]) {
      const facts = factsOf('text-in-supergroup', (message) => {
        message.from = { id, is_bot: false, first_name: 'Bob' };
      });

      expect(facts.people).toStrictEqual([]);
      expect(facts.message).toStrictEqual({ chatId: -100200300, chatType: 'supergroup' });
    }
  });
});
