/**
 * The month items of an update: each person's contact month (their gate) and the chat's own
 * month, each holding a register of the update's queue and the month's counters; a chat seen
 * from another queue gets its profile item instead (no counters, the newest date wins).
 */
import { chatKey, chatMonthKey, contactMonthKey, usernameIndexPk } from '../../../store/keys.ts';
import { queueChatId } from '../../../telegram/update/update-queue.ts';
import { NO_NAMES, namesHash } from '../../read/contact-events.ts';
import { passMapMark } from '../marks.ts';
import {
  CHAT_PROFILE,
  CHAT_PROFILE_AT,
  CREATED_BY,
  EXPIRES_AT,
  FIRST_SEEN,
  MESSAGE_COUNT,
  previousNamesAttr,
  type Register,
  registerAttr,
} from '../registers.ts';
import { chatFields, type PlanBuilder, personFields } from './plan-builder.ts';

/** Each person's contact month of the update's month: their gate. */
export function planContactMonths(plan: PlanBuilder): void {
  const { facts, queue, id, t } = plan;
  const bot = facts.botStatus;
  for (const person of facts.people) {
    const update = plan.write(contactMonthKey(person.id, plan.month), {
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
    passMapMark(update, registerAttr(queue), register);
    update
      .copy(previousNamesAttr(queue), `${registerAttr(queue)}.h`, NO_NAMES)
      .setIfMissing(CREATED_BY, id);
    if (person.username) update.set('gsi2pk', usernameIndexPk(person.username));
    else update.remove('gsi2pk');
    update.set(EXPIRES_AT, plan.expiresAt);
    if (facts.message?.senderId === person.id) {
      update.add(MESSAGE_COUNT).add(plan.day).add(plan.hour);
    }
  }
}

/** The chat's own month (its queue's register and counters), or another chat's profile. */
export function planChats(plan: PlanBuilder): void {
  const { facts, id, t } = plan;
  const { message, botStatus: bot } = facts;
  const ownChat = queueChatId(plan.queue);
  for (const chat of facts.chats) {
    const profile = chatFields(chat);
    if (chat.id === ownChat) {
      const update = plan.write(chatMonthKey(chat.id, plan.month), { guarded: true });
      const register: Register = { i: id, t, ...profile };
      if (bot && bot.chatId === chat.id && bot.chatType !== 'private') register.bs = bot.status;
      passMapMark(update, registerAttr(plan.queue), register);
      update.set(EXPIRES_AT, plan.expiresAt);
      if (message && message.chatId === chat.id && message.chatType !== 'private') {
        update.add(MESSAGE_COUNT).add(plan.day).add(plan.hour);
      }
    } else {
      // A chat seen from another queue (a member's chat_member, a callback, a sender_chat):
      // no counters, so no high-water mark; the newest update by date wins.
      plan
        .write(chatKey(chat.id), { guarded: false })
        .set(CHAT_PROFILE_AT, t)
        .set(CHAT_PROFILE, profile)
        .setIfMissing(FIRST_SEEN, t)
        .when(`attribute_not_exists(#{${CHAT_PROFILE_AT}}) OR #{${CHAT_PROFILE_AT}} <= :t`, {
          ':t': t,
        });
    }
  }
}
