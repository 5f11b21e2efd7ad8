/**
 * `/stop` and `/start` in a user's private chat with the bot: opting out of broadcasts and
 * back in. A command is matched as telegraf matches it (bot/create-bot.ts answers the same
 * messages): a `bot_command` entity at offset 0, `/stop` or `/stop@<this bot>`.
 */
import type { ChatFact, PersonFact, UpdateFacts } from './facts.ts';
import { asRecord, type JsonRecord, safeInt } from './json-fields.ts';

const COMMANDS: ReadonlyMap<string, boolean> = new Map([
  ['stop', true],
  ['start', false],
]);

/**
 * The preference a message sets: `/stop` opts its sender out of broadcasts, `/start` opts
 * them back in. Only in the sender's own private chat; `botUsername` (when known) must match
 * a `/command@name`.
 */
export function broadcastPreference(
  message: JsonRecord,
  chat: ChatFact | undefined,
  sender: PersonFact | undefined,
  botUsername?: string,
): UpdateFacts['broadcastPreference'] {
  if (!sender || chat?.type !== 'private' || chat.id !== sender.id) return undefined;
  const text = message.text;
  const first = Array.isArray(message.entities) ? asRecord(message.entities[0]) : undefined;
  if (typeof text !== 'string' || first?.type !== 'bot_command' || first.offset !== 0) {
    return undefined;
  }
  const length = safeInt(first.length);
  if (length === undefined || length < 2) return undefined;
  const [command, to] = text.slice(0, length).split('@');
  if (
    to !== undefined &&
    botUsername !== undefined &&
    to.toLowerCase() !== botUsername.toLowerCase()
  ) {
    return undefined;
  }
  const optOut = COMMANDS.get(command?.slice(1) ?? '');
  return optOut === undefined ? undefined : { userId: sender.id, optOut };
}
