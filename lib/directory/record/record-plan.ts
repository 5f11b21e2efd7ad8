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

import { outboxUpdate } from '../../events/store/outbox.ts';
import { OPT_OUT } from '../../messaging/store/private-chat.ts';
import { normalizePhone } from '../../phone.ts';
import { ItemUpdate } from '../../store/item-update.ts';
import {
  actorRefIndexKeys,
  chatKey,
  chatMonthKey,
  contactMonthKey,
  eventIndexKeys,
  eventKey,
  type Key,
  keyId,
  membershipIndexKeys,
  membershipKey,
  monthOf,
  phoneIndexPk,
  phoneItemKey,
  prefsKey,
  REF_AT,
  sharedKey,
  sharedOfPk,
  sharedPhonePk,
  usernameIndexPk,
  userPk,
} from '../../store/keys.ts';
import type { MembershipEventFact, PersonFact, UpdateFacts } from '../../telegram/facts.ts';
import { queueChatId } from '../../telegram/update-queue.ts';
import { NO_NAMES, namesHash } from '../read/contact-events.ts';
import { actorRef, planEvents } from './event-plan.ts';
import {
  activeCounter,
  CREATED_BY,
  EXPIRES_AT,
  FIRST_SEEN,
  FLOOR,
  hourCounter,
  MEMBER_CHAT_SNAPSHOT,
  MEMBER_USER_SNAPSHOT,
  memberAttrs,
  memberMonthCount,
  previousNamesAttr,
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
  /** An outbox event (outbox.ts). */
  event?: boolean;
  /**
   * A counted message's membership: when this update is its member's first message of the
   * day in the chat, the chat month's distinct-senders counter of the day goes up once
   * (recorder.ts `countActive`, after the round).
   */
  firstOfDay?: { chatMonth: Key; counter: string; day: number };
}

export interface RecordPlan {
  writes: PlannedWrite[];
  /** Users named by shared-contact entries (their erasure must also hold against these). */
  sharedUserIds: number[];
  /**
   * Contact cards naming only a phone number: the erasure of the number's holder holds
   * against these (phone-floor.ts). `keys`: the card and its contact.shared event.
   */
  sharedPhones: { phone: string; keys: Key[] }[];
  /**
   * Actors of membership events other than the member (an admin's add, promotion, removal):
   * the actor's erasure holds against these (actor-check.ts). `keys`: the events (`EVENT#`)
   * and their outbox copies that name the actor.
   */
  actors: { actorId: number; keys: Key[] }[];
  migration?: { fromChatId: number; toChatId: number };
}

/** The number of a contact.shared event's card that names no Telegram user, if it is one. */
function phoneOnlyCard(data: Record<string, unknown> | undefined): string | undefined {
  const card = data?.sharedContact as { userId?: unknown; phoneNumber?: unknown } | undefined;
  return card?.userId === undefined && typeof card?.phoneNumber === 'string'
    ? card.phoneNumber
    : undefined;
}

export const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/** How long events and per-day activity are kept unless RETENTION_DAYS says otherwise. */
export const DEFAULT_RETENTION_DAYS = 400;
const DAY_SECONDS = 86_400;

/** When a month's item may expire: `retentionDays` after the month ends. */
export function monthExpiry(month: string, retentionDays: number): number {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  return Date.UTC(year, mm, 1) / 1000 + retentionDays * DAY_SECONDS;
}

/**
 * The oldest month (`yyyy-mm`) still kept at `now` (epoch seconds): a month expires
 * `retentionDays` after it ends, so it is kept while it ended less than that long ago.
 */
export function firstKeptMonth(now: number, retentionDays: number): string {
  return monthOf(now - retentionDays * DAY_SECONDS);
}

/** The start (epoch seconds) of the UTC day of `at`. */
export const dayStart = (at: number) => at - (((at % DAY_SECONDS) + DAY_SECONDS) % DAY_SECONDS);

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
  retentionDays: number = DEFAULT_RETENTION_DAYS,
): RecordPlan {
  const { updateId: id, at: t } = facts;
  const stale = t - RESTART_HORIZON_SECONDS;
  const month = facts.activityDate.slice(0, 7);
  const day = `d${facts.activityDate.slice(8, 10)}`;
  const hour = hourCounter(t);
  const expiresAt = monthExpiry(month, retentionDays);
  const writes = new Map<string, PlannedWrite>();
  const actors = new Map<number, Map<string, Key>>();
  const namesActor = (actorId: number, key: Key) =>
    actors.set(actorId, (actors.get(actorId) ?? new Map()).set(keyId(key), key));
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
    register.h = namesHash(person);
    if (bot?.chatType === 'private' && bot.privateUserId === person.id) {
      register.bb = bot.status === 'kicked' || bot.status === 'left';
    }
    guardRegister(update, register);
    update
      .copy(previousNamesAttr(queue), `${registerAttr(queue)}.h`, NO_NAMES)
      .setIfMissing(CREATED_BY, id);
    if (person.username) update.set('gsi2pk', usernameIndexPk(person.username));
    else update.remove('gsi2pk');
    update.set(EXPIRES_AT, expiresAt);
    if (message?.senderId === person.id) update.add('n').add(day).add(hour);
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
      update.set(EXPIRES_AT, expiresAt);
      if (message && message.chatId === chat.id && message.chatType !== 'private') {
        update.add('n').add(day).add(hour);
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

  // A membership event: its key is the change itself, so writing it again is harmless. A
  // service message and a chat_member update of the same second are one event: the
  // chat_member update (the authoritative status, the invite link) fills in the rest.
  const planEvent = (
    userId: number,
    chatId: number,
    event: MembershipEventFact,
    authoritative: boolean,
  ) => {
    const update = write(eventKey(userId, chatId, t, event.kind), {
      owner: userId,
      guarded: false,
    });
    const index = eventIndexKeys(userId, chatId, t, event.kind);
    update
      .set('userId', userId)
      .set('chatId', chatId)
      .set('at', t)
      .set('kind', event.kind)
      .set('gsi1pk', index.gsi1pk)
      .set('gsi1sk', index.gsi1sk)
      .set(SINGLE_SOURCE.at, t)
      .setIfMissing(SINGLE_SOURCE.since, t)
      .set(EXPIRES_AT, t + retentionDays * DAY_SECONDS);
    const fields = {
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      actorId: event.actorId,
      inviteLink: event.inviteLink,
      viaJoinRequest: event.viaJoinRequest,
    };
    for (const [name, value] of Object.entries(fields)) {
      if (authoritative) update.set(name, value);
      else update.setIfMissing(name, value);
    }
    // An actor other than the member is someone else's data here: their erasure nulls it.
    const { ref } = actorRef(userId, event.actorId);
    if (ref && 'actor' in ref) {
      const keys = actorRefIndexKeys(ref.actor, t);
      namesActor(ref.actor, update.key);
      if (authoritative) update.set('gsi2pk', keys.gsi2pk).set(REF_AT, keys[REF_AT]);
      else update.setIfMissing('gsi2pk', keys.gsi2pk).setIfMissing(REF_AT, keys[REF_AT]);
    } else if (authoritative) update.remove('gsi2pk').remove(REF_AT);
  };

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
      update.set(a.seen, t).copy(a.prevSeen, a.seen, 0);
      if (message?.senderId === m.userId && message.chatId === m.chatId) {
        update.add(a.count).add(memberMonthCount('m', month));
        const planned = writes.get(keyId(membershipKey(m.userId, m.chatId)));
        if (planned && m.chatId === ownChat) {
          planned.firstOfDay = {
            chatMonth: chatMonthKey(m.chatId, month),
            counter: activeCounter(facts.activityDate.slice(8, 10)),
            day: dayStart(t),
          };
        }
      }
    } else {
      update.set(a.status, m.status).set(a.isMember, m.isMember).set(a.statusAt, t);
      // A promotion or a restriction is not a join: times move only when membership changes.
      const changed = m.wasMember === undefined || m.wasMember !== m.isMember;
      if (changed) update.set(m.isMember ? a.joinedAt : a.leftAt, t);
    }
    if (m.event) {
      planEvent(m.userId, m.chatId, m.event, m.source === 'chat_member');
    }
  }
  if (bot?.event && bot.botUserId !== undefined)
    planEvent(bot.botUserId, bot.chatId, bot.event, true);

  const phoneCards = new Map<string, { phone: string; keys: Key[] }>();
  const phoneCard = (ownerId: number, phone: string) => {
    const id = `${ownerId} ${phone}`;
    const found = phoneCards.get(id) ?? { phone, keys: [] };
    phoneCards.set(id, found);
    return found;
  };
  for (const event of planEvents(facts)) {
    const update = outboxUpdate(event);
    const card = event.type === 'contact.shared' ? phoneOnlyCard(event.data) : undefined;
    if (event.ref && 'actor' in event.ref) namesActor(event.ref.actor, update.key);
    if (card && event.userId !== undefined) phoneCard(event.userId, card).keys.push(update.key);
    if (event.userId !== undefined) {
      update.when(`attribute_not_exists(#{${FLOOR}}) OR #{${FLOOR}} <= :f`, { ':f': floorDate });
    }
    writes.set(keyId(update.key), {
      update,
      ...(event.userId !== undefined ? { owner: event.userId } : {}),
      guarded: false,
      event: true,
    });
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

  // /stop and /start: one source, the user's private chat, whose queue orders them.
  if (facts.broadcastPreference) {
    const { userId, optOut } = facts.broadcastPreference;
    const update = write(prefsKey(userId), { owner: userId, guarded: true })
      .set(OPT_OUT, optOut)
      .set(SINGLE_SOURCE.at, t)
      .setIfMissing(SINGLE_SOURCE.since, t);
    guardFlat(update, SINGLE_SOURCE.hwm, SINGLE_SOURCE.at);
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
      phoneCard(shared.ownerId, phone).keys.push(key);
    }
  }

  return {
    writes: [...writes.values()],
    sharedUserIds: [...sharedUserIds],
    sharedPhones: [...phoneCards.values()],
    actors: [...actors].map(([actorId, keys]) => ({ actorId, keys: [...keys.values()] })),
    ...(facts.migration ? { migration: facts.migration } : {}),
  };
}
