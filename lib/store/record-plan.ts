/**
 * Pure: turns the facts of one update into the item writes that record them, one
 * ItemUpdate per item. Counters (ADD) make an item guarded; profiles are cacheable.
 */

import { normalizePhone } from '../phone.ts';
import type { PersonFact, UpdateFacts } from '../telegram/facts.ts';
import { ItemUpdate } from './item-update.ts';
import {
  chatKey,
  chatMonthKey,
  contactKey,
  contactMonthKey,
  type Key,
  membershipIndexKeys,
  membershipKey,
  phonePk,
  sharedKey,
  sharedOfPk,
  usernamePk,
  userPk,
} from './keys.ts';

/**
 * Contact profile attribute: the partition keys (`USERNAME#…`, `PHONE#…`) of every index
 * entry written for the contact and not yet removed. Added in the same write that sets the
 * username or phone, so whichever later attempt or update sees an entry there that no longer
 * matches the profile deletes it (see update-recorder.ts); erasure deletes them all.
 */
export const INDEX_ENTRIES = 'ix';

/** A contact profile write, with what its index entries need. */
export interface ContactWrite {
  userId: number;
  update: ItemUpdate;
  username?: string;
  phoneNumber?: string;
}

export interface RecordPlan {
  contacts: ContactWrite[];
  /** Chat profiles, monthly counters, memberships, shared entries. */
  items: ItemUpdate[];
  migration?: { fromChatId: number; toChatId: number };
}

export const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

class ItemSet {
  private readonly byKey = new Map<string, ItemUpdate>();
  get(key: Key): ItemUpdate {
    const id = `${key.pk}|${key.sk}`;
    let item = this.byKey.get(id);
    if (!item) {
      item = new ItemUpdate(key);
      this.byKey.set(id, item);
    }
    return item;
  }
  values(): ItemUpdate[] {
    return [...this.byKey.values()];
  }
}

function contactProfile(items: ItemSet, person: PersonFact, at: string): ItemUpdate {
  const update = items.get(contactKey(person.id));
  update.cacheable = true;
  update
    .set('id', person.id)
    .set('isBot', person.isBot)
    .set('firstName', person.firstName)
    .setIfMissing('firstSeenAt', at);
  // Telegram always sends a user's whole name: an absent last name or username was removed.
  for (const [attr, value] of [
    ['lastName', person.lastName],
    ['username', person.username],
  ] as const) {
    if (value === undefined) update.remove(attr);
    else update.set(attr, value);
  }
  if (person.username) update.addToSet(INDEX_ENTRIES, [usernamePk(person.username)]);
  // Only sent in some contexts: keep what we knew.
  update.set('languageCode', person.languageCode).set('isPremium', person.isPremium);
  return update;
}

/** Plans every write for `facts`; `now` is epoch seconds (for first-seen stamps). */
export function planRecord(facts: UpdateFacts): RecordPlan {
  const profiles = new ItemSet();
  const items = new ItemSet();
  const at = iso(facts.at);
  const month = facts.activityDate.slice(0, 7);
  const day = `d${facts.activityDate.slice(8, 10)}`;

  const contacts = new Map<number, ContactWrite>();
  for (const person of facts.people) {
    contacts.set(person.id, {
      userId: person.id,
      update: contactProfile(profiles, person, at),
      username: person.username,
    });
    items.get(contactMonthKey(person.id, month)).set('seen', facts.at);
  }
  for (const chat of facts.chats) {
    const update = profiles.get(chatKey(chat.id));
    update.cacheable = true;
    update.set('id', chat.id).set('type', chat.type).setIfMissing('firstSeenAt', at);
    update.set('title', chat.title);
    if (chat.username === undefined) update.remove('username');
    else update.set('username', chat.username);
    items.get(chatMonthKey(chat.id, month)).set('seen', facts.at);
  }

  const message = facts.message;
  if (message) {
    if (message.senderId !== undefined) {
      items.get(contactMonthKey(message.senderId, month)).add('n').add(day);
    }
    if (message.chatType !== 'private') {
      items.get(chatMonthKey(message.chatId, month)).add('n').add(day);
    }
  }

  for (const m of facts.memberships) {
    const update = items
      .get(membershipKey(m.userId, m.chatId))
      .set('userId', m.userId)
      .set('chatId', m.chatId)
      .setIfMissing('firstSeenAt', at);
    const index = membershipIndexKeys(m.userId, m.chatId);
    update.set('gsi1pk', index.gsi1pk).set('gsi1sk', index.gsi1sk);
    if (m.source === 'message') {
      // Writing proves membership but says nothing about rank: never downgrade an admin.
      update.set('isMember', true).setIfMissing('status', 'member').set('lastSeenAt', at);
      if (message?.senderId === m.userId && message.chatId === m.chatId) update.add('n');
    } else {
      update.set('status', m.status).set('isMember', m.isMember);
      // A promotion or a restriction is not a join: times move only when membership changes.
      const changed = m.wasMember === undefined || m.wasMember !== m.isMember;
      if (changed && m.isMember) update.set('joinedAt', at);
      if (changed && !m.isMember) update.set('leftAt', at);
    }
  }

  if (facts.verifiedPhone) {
    const e164 = normalizePhone(facts.verifiedPhone.phoneNumber);
    const contact = contacts.get(facts.verifiedPhone.userId);
    if (e164 && contact) {
      contact.update.set('phoneNumber', e164).set('phoneVerifiedAt', at);
      contact.update.addToSet(INDEX_ENTRIES, [phonePk(e164)]);
      contact.phoneNumber = e164;
    }
  }

  for (const shared of facts.sharedContacts) {
    const phone = shared.phoneNumber ? normalizePhone(shared.phoneNumber) : undefined;
    if (shared.userId === undefined && phone === undefined) continue;
    const update = items.get(
      sharedKey(shared.ownerId, { userId: shared.userId, phoneNumber: phone }),
    );
    update
      .set('ownerId', shared.ownerId)
      .set('userId', shared.userId)
      .set('phoneNumber', phone)
      .set('firstName', shared.firstName)
      .set('lastName', shared.lastName)
      .set('username', shared.username)
      .setIfMissing('sharedAt', at);
    if (shared.userId !== undefined) {
      update.set('gsi1pk', sharedOfPk(shared.userId)).set('gsi1sk', userPk(shared.ownerId));
    }
  }

  const bot = facts.botStatus;
  if (bot) {
    if (bot.chatType === 'private' && bot.privateUserId !== undefined) {
      const contact = contacts.get(bot.privateUserId);
      contact?.update.set('botBlocked', bot.status === 'kicked' || bot.status === 'left');
    } else {
      profiles.get(chatKey(bot.chatId)).set('botStatus', bot.status).set('id', bot.chatId);
    }
  }

  const chatProfiles = profiles.values().filter((u) => u.key.pk.startsWith('CHAT#'));
  return {
    contacts: [...contacts.values()],
    items: [...chatProfiles, ...items.values()],
    ...(facts.migration ? { migration: facts.migration } : {}),
  };
}
