/**
 * Pure: turns the facts of one update, and the queue it came in, into one conditional
 * UpdateItem per item (see recorder.ts for the protocol and registers.ts for the layout).
 *
 * Every write of a user's item is guarded twice: by the item's erasure floor (an update
 * dated before it is not recorded) and by the high-water mark of the update's queue on that
 * item (an update id at or below it was applied already, or is older than one that was).
 * An ordinary group message is three writes: the sender's month, the chat's month, the
 * membership.
 */
import { normalizePhone } from '../phone.ts';
import type { PersonFact, UpdateFacts } from '../telegram/facts.ts';
import { queueChatId } from '../telegram/update-queue.ts';
import { ItemUpdate } from './item-update.ts';
import {
  chatKey,
  chatMonthKey,
  contactMonthKey,
  type Key,
  keyId,
  membershipIndexKeys,
  membershipKey,
  phoneIndexPk,
  phoneItemKey,
  sharedKey,
  sharedOfPk,
  sharedPhonePk,
  usernameIndexPk,
  userPk,
} from './keys.ts';
import {
  EXPIRES_AT,
  FIRST_SEEN,
  FLOOR,
  MEMBER_CHAT_SNAPSHOT,
  MEMBER_USER_SNAPSHOT,
  memberAttrs,
  type Register,
  registerAttr,
  SINGLE_SOURCE,
} from './registers.ts';

export interface PlannedWrite {
  update: ItemUpdate;
  /** The user whose data the item is; absent for chat items (anonymous aggregates). */
  owner?: number;
  /** The owner's contact month of the update's month: the item an erasure closes first. */
  gate?: boolean;
  /** Guarded by a high-water mark: rejected when the update was applied before. */
  guarded: boolean;
}

export interface RecordPlan {
  writes: PlannedWrite[];
  /** Users named by shared-contact entries (their erasure must also hold against these). */
  sharedUserIds: number[];
  migration?: { fromChatId: number; toChatId: number };
}

export const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/** Names of a person as a register or snapshot holds them. */
function personFields(person: PersonFact) {
  return {
    f: person.firstName,
    ...(person.lastName !== undefined ? { l: person.lastName } : {}),
    ...(person.username !== undefined ? { u: person.username } : {}),
    b: person.isBot,
  };
}

/**
 * A queue's mark is passed by an update dated this long after the mark's own update: Telegram
 * numbers updates afresh after a week without any (Bot API, getUpdates), while a redelivery
 * never carries a later date than the delivery it repeats.
 */
export const RESTART_HORIZON_SECONDS = 25 * 3600;

/**
 * `floorDate`: the earliest the update can have been sent (its date, or for a dateless update
 * its arrival less its queue expiry): an erasure after it refuses the update.
 */
export function planRecord(
  facts: UpdateFacts,
  queue: string,
  floorDate: number = facts.at,
): RecordPlan {
  const { updateId: id, at: t } = facts;
  const stale = t - RESTART_HORIZON_SECONDS;
  const month = facts.activityDate.slice(0, 7);
  const day = `d${facts.activityDate.slice(8, 10)}`;
  const writes = new Map<string, PlannedWrite>();
  const write = (key: Key, init: Omit<PlannedWrite, 'update'>) => {
    let planned = writes.get(keyId(key));
    if (!planned) {
      planned = { update: new ItemUpdate(key), ...init };
      writes.set(keyId(key), planned);
      if (init.owner !== undefined) {
        planned.update
          .remove(EXPIRES_AT)
          .when(`attribute_not_exists(#{${FLOOR}}) OR #{${FLOOR}} <= :f`, { ':f': floorDate });
      }
      if (init.guarded) planned.update.setIfMissing(FIRST_SEEN, t);
    }
    return planned.update;
  };
  const guardFlat = (update: ItemUpdate, hwm: string, at: string) =>
    update
      .set(hwm, id)
      .when(`attribute_not_exists(#{${hwm}}) OR #{${hwm}} < :id OR #{${at}} < :stale`, {
        ':id': id,
        ':stale': stale,
      });
  const guardRegister = (update: ItemUpdate, register: Register) => {
    const attr = registerAttr(queue);
    return update
      .set(attr, register)
      .when(`attribute_not_exists(#{${attr}}) OR #{${attr}.i} < :id OR #{${attr}.t} < :stale`, {
        ':id': id,
        ':stale': stale,
      });
  };
  const message = facts.message;
  const people = new Map(facts.people.map((p) => [p.id, p]));
  const chats = new Map(facts.chats.map((c) => [c.id, c]));
  const bot = facts.botStatus;

  for (const person of facts.people) {
    const update = write(contactMonthKey(person.id, month), {
      owner: person.id,
      gate: true,
      guarded: true,
    });
    const register: Register = { i: id, t, ...personFields(person) };
    if (person.languageCode !== undefined) register.lc = person.languageCode;
    if (person.isPremium !== undefined) register.pr = person.isPremium;
    if (bot?.chatType === 'private' && bot.privateUserId === person.id) {
      register.bb = bot.status === 'kicked' || bot.status === 'left';
    }
    guardRegister(update, register);
    if (person.username) update.set('gsi2pk', usernameIndexPk(person.username));
    else update.remove('gsi2pk');
    if (message?.senderId === person.id) update.add('n').add(day);
  }

  const ownChat = queueChatId(queue);
  for (const chat of facts.chats) {
    const profile = {
      ty: chat.type,
      ...(chat.title !== undefined ? { ti: chat.title } : {}),
      ...(chat.username !== undefined ? { u: chat.username } : {}),
    };
    if (chat.id === ownChat) {
      const update = write(chatMonthKey(chat.id, month), { guarded: true });
      const register: Register = { i: id, t, ...profile };
      if (bot && bot.chatId === chat.id && bot.chatType !== 'private') register.bs = bot.status;
      guardRegister(update, register);
      if (message && message.chatId === chat.id && message.chatType !== 'private') {
        update.add('n').add(day);
      }
    } else {
      // A chat seen from another queue (a member's chat_member, a callback, a sender_chat):
      // no counters, so no high-water mark; the newest update by date wins.
      write(chatKey(chat.id), { guarded: false })
        .set('t', t)
        .set('p', profile)
        .setIfMissing(FIRST_SEEN, t)
        .when('attribute_not_exists(#{t}) OR #{t} <= :t', { ':t': t });
    }
  }

  for (const m of facts.memberships) {
    const p = m.source === 'chat_member' ? 'c' : 'm';
    const a = memberAttrs(p);
    const index = membershipIndexKeys(m.userId, m.chatId);
    const update = write(membershipKey(m.userId, m.chatId), { owner: m.userId, guarded: true })
      .set('userId', m.userId)
      .set('chatId', m.chatId)
      .set('gsi1pk', index.gsi1pk)
      .set('gsi1sk', index.gsi1sk)
      .set(a.at, t)
      .setIfMissing(a.since, t);
    guardFlat(update, a.hwm, a.at);
    const person = people.get(m.userId);
    if (person) update.set(MEMBER_USER_SNAPSHOT, personFields(person));
    const chat = chats.get(m.chatId);
    if (chat) {
      update.set(MEMBER_CHAT_SNAPSHOT, {
        ty: chat.type,
        ...(chat.title !== undefined ? { ti: chat.title } : {}),
        ...(chat.username !== undefined ? { u: chat.username } : {}),
      });
    }
    if (m.source === 'message') {
      update.set(a.seen, t);
      if (message?.senderId === m.userId && message.chatId === m.chatId) update.add(a.count);
    } else {
      update.set(a.status, m.status).set(a.isMember, m.isMember).set(a.statusAt, t);
      // A promotion or a restriction is not a join: times move only when membership changes.
      const changed = m.wasMember === undefined || m.wasMember !== m.isMember;
      if (changed) update.set(m.isMember ? a.joinedAt : a.leftAt, t);
    }
  }

  if (facts.verifiedPhone) {
    const e164 = normalizePhone(facts.verifiedPhone.phoneNumber);
    const userId = facts.verifiedPhone.userId;
    if (e164) {
      const update = write(phoneItemKey(userId), { owner: userId, guarded: true })
        .set('phoneNumber', e164)
        .set('gsi2pk', phoneIndexPk(e164))
        .set(SINGLE_SOURCE.at, t)
        .setIfMissing(SINGLE_SOURCE.since, t);
      guardFlat(update, SINGLE_SOURCE.hwm, SINGLE_SOURCE.at);
    }
  }

  const sharedUserIds = new Set<number>();
  for (const shared of facts.sharedContacts) {
    const phone = shared.phoneNumber ? normalizePhone(shared.phoneNumber) : undefined;
    if (shared.userId === undefined && phone === undefined) continue;
    const key = sharedKey(shared.ownerId, { userId: shared.userId, phoneNumber: phone });
    const update = write(key, { owner: shared.ownerId, guarded: true })
      .set('ownerId', shared.ownerId)
      .set('userId', shared.userId)
      .set('phoneNumber', phone)
      .set('firstName', shared.firstName)
      .set('lastName', shared.lastName)
      .set('username', shared.username)
      .setIfMissing('sharedAt', iso(t))
      .set(SINGLE_SOURCE.at, t)
      .setIfMissing(SINGLE_SOURCE.since, t);
    guardFlat(update, SINGLE_SOURCE.hwm, SINGLE_SOURCE.at);
    if (shared.userId !== undefined) {
      sharedUserIds.add(shared.userId);
      update.set('gsi1pk', sharedOfPk(shared.userId)).set('gsi1sk', userPk(shared.ownerId));
    } else if (phone !== undefined) {
      // Found by erasing whoever holds this number as their verified phone.
      update.set('gsi1pk', sharedPhonePk(phone)).set('gsi1sk', userPk(shared.ownerId));
    }
  }

  return {
    writes: [...writes.values()],
    sharedUserIds: [...sharedUserIds],
    ...(facts.migration ? { migration: facts.migration } : {}),
  };
}
