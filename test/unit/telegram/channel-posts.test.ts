import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';
import { corpusUpdate } from '../../fixtures/corpus.ts';

const options = { receivedAt: 1_764_100_000, botId: 999 };
const channel = {
  id: -100500600,
  type: 'channel',
  title: 'Test Channel',
  username: 'test_channel',
};

/** What every channel post gives: the channel, and nothing about any person. */
const noPersonFacts = { people: [], memberships: [], sharedContacts: [] };

describe('extractFacts for channel posts', () => {
  it('counts a signed channel post for the channel, not for the person in from (regression)', () => {
    // Prepare: nutgram-shaped, a `from` and no `sender_chat`
    const update = corpusUpdate('channel-post-signed-with-from');

    // Act
    const facts = extractFacts(update, options);

    // Assess
    expect(facts).toMatchObject({ kind: 'channel_post', chats: [channel], ...noPersonFacts });
    expect(facts.message).toStrictEqual({ chatId: -100500600, chatType: 'channel' });
  });

  it('gives no person facts for an edited channel post that carries from', () => {
    const facts = extractFacts(corpusUpdate('edited-channel-post-with-from'), options);

    expect(facts).toMatchObject({
      kind: 'edited_channel_post',
      chats: [channel],
      ...noPersonFacts,
    });
    expect(facts.message).toBeUndefined();
    expect(facts.at).toBe(1_764_000_400);
  });

  it('gives no membership when a channel post announces new members', () => {
    const facts = extractFacts(corpusUpdate('channel-post-new-members'), options);

    expect(facts).toMatchObject(noPersonFacts);
    expect(facts.message).toBeUndefined();
  });

  it('records no verified phone or shared contact from a contact posted in a channel', () => {
    const update = corpusUpdate('channel-post-signed-with-from');
    const post = update.channel_post as Record<string, unknown>;
    post.contact = { phone_number: '15551234567', first_name: 'Alice', user_id: 1001 };
    post.users_shared = { request_id: 1, users: [{ user_id: 1002 }] };

    const facts = extractFacts(update, options);

    expect(facts).toMatchObject(noPersonFacts);
    expect(facts.verifiedPhone).toBeUndefined();
  });

  it('gives no person facts for a message whose chat is a channel, whatever the update kind', () => {
    const update = corpusUpdate('channel-post-signed-with-from');
    update.message = update.channel_post;
    delete update.channel_post;

    const facts = extractFacts(update, options);

    expect(facts.kind).toBe('message');
    expect(facts).toMatchObject({ chats: [channel], ...noPersonFacts });
    expect(facts.message).toStrictEqual({ chatId: -100500600, chatType: 'channel' });
  });

  it('still counts the person in from for a supergroup message (the rule is for channels only)', () => {
    const facts = extractFacts(corpusUpdate('text-in-supergroup'), options);

    expect(facts.people.map((person) => person.id)).toStrictEqual([1001]);
    expect(facts.message?.senderId).toBe(1001);
  });
});
