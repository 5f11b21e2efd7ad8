/**
 * Pure: the subscriber events an update causes that its facts alone decide (membership
 * changes, the bot blocked or unblocked, a verified phone, shared contacts, a chat the bot
 * joined, a migration). Each id is derived from what happened, so a redelivery writes the
 * same events again (refused) and two reports of one change are one event. The events that
 * depend on what was stored before (contact.created, contact.updated) are decided by the
 * recorder from its writes' answers (contact-events.ts).
 */

import { eventIdOf, type OutboxEvent, type PersonRef } from '../../events/store/outbox.ts';
import { normalizePhone } from '../../phone.ts';
import type {
  ChatFact,
  MembershipEventFact,
  PersonFact,
  UpdateFacts,
} from '../../telegram/update/facts.ts';

const iso = (at: number) => new Date(at * 1000).toISOString();

/** A person as the API's ContactSummary shows them. */
export function contactData(person: PersonFact): Record<string, unknown> {
  return {
    id: person.id,
    isBot: person.isBot,
    firstName: person.firstName,
    ...(person.lastName !== undefined ? { lastName: person.lastName } : {}),
    ...(person.username !== undefined ? { username: person.username } : {}),
    ...(person.languageCode !== undefined ? { languageCode: person.languageCode } : {}),
    ...(person.isPremium !== undefined ? { isPremium: person.isPremium } : {}),
  };
}

/** A chat as the API's ChatSummary shows it. */
function chatData(chat: ChatFact): Record<string, unknown> {
  return {
    id: chat.id,
    type: chat.type,
    ...(chat.title !== undefined ? { title: chat.title } : {}),
    ...(chat.username !== undefined ? { username: chat.username } : {}),
  };
}

/**
 * The reference of a membership event made by someone else than the member (an admin's add,
 * promotion or removal): the actor's erasure nulls its `actorId`.
 */
export function actorRef(memberId: number, actorId: number | undefined): { ref?: PersonRef } {
  return actorId !== undefined && actorId !== memberId ? { ref: { actor: actorId } } : {};
}

const MEMBER_TYPES = {
  join: 'member.joined',
  leave: 'member.left',
  remove: 'member.left',
  change: 'member.updated',
} as const;

export function planEvents(facts: UpdateFacts): OutboxEvent[] {
  const { updateId: id, at } = facts;
  const people = new Map(facts.people.map((p) => [p.id, p]));
  const chats = new Map(facts.chats.map((c) => [c.id, c]));
  const events: OutboxEvent[] = [];

  const membershipData = (userId: number, chatId: number, event: MembershipEventFact) => {
    const person = people.get(userId);
    const chat = chats.get(chatId);
    return {
      chatId,
      userId,
      at: iso(at),
      kind: event.kind,
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      ...(event.actorId !== undefined ? { actorId: event.actorId } : {}),
      ...(event.inviteLink !== undefined ? { inviteLink: event.inviteLink } : {}),
      viaJoinRequest: event.viaJoinRequest ?? false,
      ...(person ? { user: contactData(person) } : {}),
      ...(chat ? { chat: chatData(chat) } : {}),
    };
  };

  for (const m of facts.memberships) {
    if (!m.event) continue;
    // The membership event's own identity (keys.ts eventKey): the same change, one event.
    events.push({
      eventId: eventIdOf('member', m.userId, m.chatId, at, m.event.kind),
      type: MEMBER_TYPES[m.event.kind],
      at,
      userId: m.userId,
      data: membershipData(m.userId, m.chatId, m.event),
      ...actorRef(m.userId, m.event.actorId),
      authoritative: m.source === 'chat_member',
    });
  }

  const bot = facts.botStatus;
  if (bot?.chatType !== 'private' && bot?.event?.kind === 'join') {
    const chat = chats.get(bot.chatId);
    events.push({
      eventId: eventIdOf('chat.created', bot.chatId, at),
      type: 'chat.created',
      at,
      chatId: bot.chatId,
      data: { chat: chat ? chatData(chat) : { id: bot.chatId, type: bot.chatType } },
    });
  }
  if (bot?.chatType === 'private' && bot.privateUserId !== undefined) {
    const person = people.get(bot.privateUserId);
    const blocked = bot.status === 'kicked' && bot.previousStatus !== 'kicked';
    const unblocked = bot.status === 'member' && bot.previousStatus === 'kicked';
    if (blocked || unblocked) {
      events.push({
        eventId: eventIdOf('bot', bot.privateUserId, id, at),
        type: blocked ? 'bot.blocked' : 'bot.unblocked',
        at,
        userId: bot.privateUserId,
        data: { contact: person ? contactData(person) : { id: bot.privateUserId } },
      });
    }
  }

  if (facts.verifiedPhone) {
    const { userId, phoneNumber } = facts.verifiedPhone;
    const e164 = normalizePhone(phoneNumber);
    const person = people.get(userId);
    if (e164) {
      events.push({
        eventId: eventIdOf('contact.phone_verified', userId, id, at),
        type: 'contact.phone_verified',
        at,
        userId,
        data: {
          contact: { ...(person ? contactData(person) : { id: userId }), phoneNumber: e164 },
        },
      });
    }
  }

  for (const shared of facts.sharedContacts) {
    const phone = shared.phoneNumber ? normalizePhone(shared.phoneNumber) : undefined;
    if (shared.userId === undefined && phone === undefined) continue;
    const owner = people.get(shared.ownerId);
    events.push({
      eventId: eventIdOf('contact.shared', shared.ownerId, shared.userId ?? phone ?? '', id, at),
      type: 'contact.shared',
      at,
      userId: shared.ownerId,
      ...(shared.userId !== undefined ? { otherUserIds: [shared.userId] } : {}),
      // Whom the card names (by id, else by the number alone): their erasure deletes it.
      ...(shared.userId !== undefined
        ? shared.userId !== shared.ownerId
          ? { ref: { user: shared.userId } }
          : {}
        : phone !== undefined
          ? { ref: { phone } }
          : {}),
      data: {
        sharedContact: {
          ownerId: shared.ownerId,
          ...(shared.userId !== undefined ? { userId: shared.userId } : {}),
          ...(phone !== undefined ? { phoneNumber: phone } : {}),
          ...(shared.firstName !== undefined ? { firstName: shared.firstName } : {}),
          ...(shared.lastName !== undefined ? { lastName: shared.lastName } : {}),
          ...(shared.username !== undefined ? { username: shared.username } : {}),
          sharedAt: iso(at),
        },
        ...(owner ? { owner: contactData(owner) } : {}),
      },
    });
  }

  if (facts.migration) {
    const { fromChatId, toChatId } = facts.migration;
    const chat = chats.get(toChatId);
    events.push({
      eventId: eventIdOf('chat.migrated', fromChatId, toChatId),
      type: 'chat.migrated',
      at,
      chatId: toChatId,
      data: { fromChatId, toChatId, ...(chat ? { chat: chatData(chat) } : {}) },
    });
  }
  return events;
}
