/**
 * What a message shares with the bot: a contact card (the sender's own, which verifies their
 * phone, or someone else's) and users picked with a `request_users` button. The update facts
 * and the bot's "Saved N" reply both come from here, so the reply counts what is recorded.
 */
import { normalizePhone } from '../../phone.ts';
import type { SharedContactFact } from './facts.ts';
import {
  asRecord,
  compact,
  isPresent,
  type JsonRecord,
  safeInt,
  str,
  username,
} from './json-fields.ts';

/** What `message` shares when `ownerId` sent it. */
export interface MessageShares {
  /** The sender's own card (`contact.user_id == ownerId`) with a usable phone number. */
  verifiedPhone?: { userId: number; phoneNumber: string };
  /** Everything else that names a Telegram user or holds a usable phone number. */
  sharedContacts: SharedContactFact[];
}

/** A positive safe integer: a user id. */
function userId(value: unknown): number | undefined {
  const id = safeInt(value);
  return id !== undefined && id > 0 ? id : undefined;
}

/**
 * The shares of one message. A contact card is the sender's verified phone only when it is
 * their own; anything else, and users shared through a `request_users` button, goes to the
 * sender's shared contacts. Entries the store could not keep (no user id and no phone that
 * normalizes to E.164) are left out, and so is a card whose `user_id` is unreadable. Phone
 * numbers stay as Telegram sent them.
 */
export function messageShares(message: JsonRecord, ownerId: number): MessageShares {
  const shares: MessageShares = { sharedContacts: [] };
  const contact = asRecord(message.contact);
  const contactUserId = userId(contact?.user_id);
  // A `user_id` that is there but no user id (`"1001"`, `1.5`) leaves the card's owner unknown:
  // it is neither the sender's verified phone nor safely someone else's card.
  const unreadable = isPresent(contact?.user_id) && contactUserId === undefined;
  if (contact && !unreadable) {
    const raw = str(contact.phone_number);
    const phoneNumber = raw !== undefined && normalizePhone(raw) ? raw : undefined;
    if (contactUserId === ownerId) {
      if (phoneNumber) shares.verifiedPhone = { userId: ownerId, phoneNumber };
    } else if (phoneNumber !== undefined || contactUserId !== undefined) {
      const names = { firstName: str(contact.first_name), lastName: str(contact.last_name) };
      const card = { ownerId, userId: contactUserId, phoneNumber: raw, ...names };
      shares.sharedContacts.push(compact(card));
    }
  }
  for (const user of sharedUsers(message)) shares.sharedContacts.push({ ownerId, ...user });
  return shares;
}

type SharedUser = Omit<SharedContactFact, 'ownerId'> & { userId: number };

/**
 * The distinct users a message shares, in order of first mention. Telegram has sent them in
 * three shapes: `users_shared.users` (Bot API 7.2, with names), `users_shared.user_ids` (7.0)
 * and `user_shared` (6.5), and during each change sent the old shape beside the new one for
 * the same users. Each user counts once; its names come from the first entry that has them.
 */
export function sharedUsers(message: JsonRecord): SharedUser[] {
  const usersShared = asRecord(message.users_shared);
  const users = Array.isArray(usersShared?.users) ? usersShared.users : [];
  const ids = Array.isArray(usersShared?.user_ids) ? usersShared.user_ids : [];
  const entries = [...users, ...ids.map((id) => ({ user_id: id })), message.user_shared];
  const byId = new Map<number, SharedUser>();
  for (const entry of entries) {
    const user = asRecord(entry);
    const id = userId(user?.user_id);
    if (user === undefined || id === undefined) continue;
    const names = compact({
      firstName: str(user.first_name),
      lastName: str(user.last_name),
      username: username(user.username),
    });
    byId.set(id, { userId: id, ...names, ...byId.get(id) });
  }
  return [...byId.values()];
}
