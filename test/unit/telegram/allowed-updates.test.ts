import { describe, expect, it } from 'vitest';
import { ALLOWED_UPDATES, IGNORED_UPDATE_KINDS } from '../../../lib/telegram/allowed-updates.ts';
import { UPDATE_KINDS } from '../../../lib/telegram/update/kinds.ts';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';

/** A payload carrying a user and a group at every place some update type keeps them. */
const user = { id: 1001, is_bot: false, first_name: 'Alice' };
const chat = { id: -100200300, type: 'supergroup', title: 'Test Group' };
const EVERYTHING = {
  date: 1764000000,
  from: user,
  user,
  chat,
  actor_chat: chat,
  voter_chat: chat,
  message: { message_id: 1, date: 1764000000, chat, from: user },
  boost: { source: { source: 'premium', user } },
  source: { source: 'premium', user },
  new_chat_member: { status: 'member', user },
  old_chat_member: { status: 'left', user },
};

/** True when the update facts read anything from an update of this kind. */
function isUsed(kind: string): boolean {
  const facts = extractFacts({ update_id: 1, [kind]: EVERYTHING }, { receivedAt: 1764000000 });
  return (
    facts.people.length + facts.chats.length + facts.memberships.length > 0 || !!facts.botStatus
  );
}

describe('ALLOWED_UPDATES', () => {
  it('asks for chat_member, my_chat_member and reactions, which Telegram sends only on request', () => {
    expect(ALLOWED_UPDATES).toEqual(expect.arrayContaining(['chat_member', 'my_chat_member']));
    expect(ALLOWED_UPDATES).toEqual(expect.arrayContaining(['message_reaction', 'message']));
    expect(ALLOWED_UPDATES).toContain('callback_query'); // /forget's confirmation button
  });

  it('holds exactly the update kinds whose facts are read, and names why the rest are not', () => {
    const used = [...UPDATE_KINDS].filter(isUsed);

    expect([...ALLOWED_UPDATES]).toEqual(used);
    expect([...IGNORED_UPDATE_KINDS.keys()]).toEqual(
      [...UPDATE_KINDS].filter((kind) => !used.includes(kind)),
    );
    for (const why of IGNORED_UPDATE_KINDS.values()) expect(why.length).toBeGreaterThan(10);
  });

  it('lists each kind once, all of them Bot API update types', () => {
    expect(new Set(ALLOWED_UPDATES).size).toBe(ALLOWED_UPDATES.length);
    for (const kind of ALLOWED_UPDATES) expect(UPDATE_KINDS.has(kind)).toBe(true);
    expect(Object.isFrozen(ALLOWED_UPDATES)).toBe(true);
  });
});
