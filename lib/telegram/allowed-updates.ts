/**
 * The update types the bot asks Telegram for (`allowed_updates` of setWebhook and getUpdates).
 * Left unset, Telegram sends every type except `chat_member`, `message_reaction` and
 * `message_reaction_count`, and the membership record depends on `chat_member`; so the list is
 * explicit: every kind of {@link UPDATE_KINDS} that the update facts or the bot behaviours
 * read something from. test/unit/telegram/allowed-updates.test.ts keeps the two in step.
 */
import { UPDATE_KINDS } from './update/kinds.ts';

/** Kinds Telegram can send that nothing here uses, and why. */
export const IGNORED_UPDATE_KINDS: ReadonlyMap<string, string> = new Map([
  ['poll', 'a poll changed state: it names neither a user nor a chat'],
]);

/** What setWebhook's `allowed_updates` is set to, in UPDATE_KINDS order. */
export const ALLOWED_UPDATES: readonly string[] = Object.freeze(
  [...UPDATE_KINDS].filter((kind) => !IGNORED_UPDATE_KINDS.has(kind)),
);
