/**
 * The bot's answer to a message that shares contacts: a contact card or users picked with the
 * `request_users` button. It is worked out from the same update facts the store records (one
 * function, telegram/update/shared-contacts.ts, decides what a message shares), so "Saved N" is the
 * number of entries stored, whichever shape (`users`, `user_ids`, `user_shared`) Telegram used.
 */

import { asRecord, isPresent } from '../telegram/update/json-fields.ts';
import { extractFacts } from '../telegram/update/read-update.ts';
import { INVALID_PHONE_TEXT, OWN_CONTACT_TEXT, sharedText } from './messages.ts';

/**
 * The reply text for a `message` update that shares something, else `undefined`. A verified
 * own phone is confirmed; otherwise the shared entries are counted; a contact card that stores
 * nothing (someone else's, with no Telegram user and no valid number) is said to be invalid.
 */
export function shareReply(update: object, botId: number | undefined): string | undefined {
  const message = asRecord((update as { message?: unknown }).message);
  if (message === undefined) return undefined;
  const sharesContact = isPresent(message.contact);
  const sharesUsers = isPresent(message.users_shared) || isPresent(message.user_shared);
  if (!sharesContact && !sharesUsers) return undefined;
  const facts = extractFacts(update, { receivedAt: 0, botId });
  if (facts.kind !== 'message') return undefined;
  const saved = facts.sharedContacts.length;
  if (facts.verifiedPhone) {
    return saved > 0 ? `${OWN_CONTACT_TEXT} ${sharedText(saved)}` : OWN_CONTACT_TEXT;
  }
  return saved === 0 && sharesContact && !sharesUsers ? INVALID_PHONE_TEXT : sharedText(saved);
}
