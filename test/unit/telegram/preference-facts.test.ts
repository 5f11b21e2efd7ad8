import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';
import { loadUpdate } from '../../fixtures/updates.ts';

const options = { receivedAt: 1_764_100_000, botId: 999, botUsername: 'contacts_test_bot' };

type Message = Record<string, unknown>;

/** Alice's /start fixture with its text (and command entity) replaced. */
function command(text: string, change?: (message: Message) => void) {
  const update = loadUpdate('start-command') as { message: Message };
  const length = /^\S+/.exec(text)?.[0].length ?? 0;
  update.message.text = text;
  update.message.entities = [{ offset: 0, length, type: 'bot_command' }];
  change?.(update.message);
  return extractFacts(update, options);
}

describe('broadcast preference facts', () => {
  it('opts the sender out of broadcasts when they send /stop in their private chat', () => {
    expect(command('/stop').broadcastPreference).toStrictEqual({ userId: 1001, optOut: true });
  });

  it('opts the sender back in when they send /start, with or without a deep-link payload', () => {
    expect(command('/start').broadcastPreference).toStrictEqual({ userId: 1001, optOut: false });
    expect(command('/start ref42').broadcastPreference).toStrictEqual({
      userId: 1001,
      optOut: false,
    });
  });

  it('accepts the command addressed to this bot by name, in any case', () => {
    expect(command('/stop@Contacts_Test_Bot').broadcastPreference).toStrictEqual({
      userId: 1001,
      optOut: true,
    });
  });

  it('sets nothing for a command addressed to another bot', () => {
    expect(command('/stop@other_bot').broadcastPreference).toBeUndefined();
  });

  it('sets nothing for other commands, plain text or a command not at the start', () => {
    expect(command('/me').broadcastPreference).toBeUndefined();
    expect(command('/stopping').broadcastPreference).toBeUndefined();
    expect(
      command('please /stop', (m) => {
        m.entities = [{ offset: 7, length: 5, type: 'bot_command' }];
      }).broadcastPreference,
    ).toBeUndefined();
    expect(
      command('/stop', (m) => {
        delete m.entities;
      }).broadcastPreference,
    ).toBeUndefined();
  });

  it('sets nothing for /stop in a group', () => {
    const facts = command('/stop', (m) => {
      m.chat = { id: -100200300, type: 'supergroup', title: 'Test Group' };
    });
    expect(facts.broadcastPreference).toBeUndefined();
    expect(facts.message?.chatId).toBe(-100200300);
  });

  it('sets nothing for an edited /stop (only a new message is a command)', () => {
    const update = loadUpdate('start-command') as { message?: Message; edited_message?: Message };
    const message = { ...(update.message as Message), text: '/stop', edit_date: 1764000200 };
    delete update.message;
    update.edited_message = message;
    expect(extractFacts(update, options).broadcastPreference).toBeUndefined();
  });

  it('sets nothing for malformed entities', () => {
    expect(
      command('/stop', (m) => {
        m.entities = [{ offset: 0, length: 'x', type: 'bot_command' }];
      }).broadcastPreference,
    ).toBeUndefined();
    expect(
      command('/stop', (m) => {
        m.entities = 'nope';
      }).broadcastPreference,
    ).toBeUndefined();
  });
});
