/**
 * The membership items of an update (one source's flat attributes, under that source's mark)
 * and the membership events it reports (`EVENT#` items, keyed by the change itself).
 */
import {
  actorRefIndexKeys,
  chatMonthKey,
  eventIndexKeys,
  eventKey,
  keyId,
  membershipIndexKeys,
  membershipKey,
  REF_AT,
} from '../../../store/keys.ts';
import type { MembershipEventFact } from '../../../telegram/update/facts.ts';
import { queueChatId } from '../../../telegram/update/update-queue.ts';
import { actorRef } from '../event-plan.ts';
import { passFlatMark } from '../marks.ts';
import {
  activeCounter,
  EXPIRES_AT,
  MEMBER_CHAT_SNAPSHOT,
  MEMBER_USER_SNAPSHOT,
  memberAttrs,
  memberMonthCount,
  SINGLE_SOURCE,
} from '../registers.ts';
import { DAY_SECONDS, dayStart } from '../retention.ts';
import { chatFields, type PlanBuilder, personFields } from './plan-builder.ts';

/** Each membership fact's item, with the event it reports; the bot's own event too. */
export function planMemberships(plan: PlanBuilder): void {
  const { facts, id, t } = plan;
  const people = new Map(facts.people.map((p) => [p.id, p]));
  const chats = new Map(facts.chats.map((c) => [c.id, c]));
  const ownChat = queueChatId(plan.queue);
  for (const m of facts.memberships) {
    const p = m.source === 'chat_member' ? 'c' : 'm';
    const a = memberAttrs(p);
    const index = membershipIndexKeys(m.userId, m.chatId);
    const update = plan
      .write(membershipKey(m.userId, m.chatId), { owner: m.userId, guarded: true })
      .set('userId', m.userId)
      .set('chatId', m.chatId)
      .set('gsi1pk', index.gsi1pk)
      .set('gsi1sk', index.gsi1sk)
      .set(a.at, t)
      .setIfMissing(a.since, t);
    passFlatMark(update, a.hwm, a.at, id, t);
    const person = people.get(m.userId);
    if (person) update.set(MEMBER_USER_SNAPSHOT, personFields(person));
    const chat = chats.get(m.chatId);
    if (chat) update.set(MEMBER_CHAT_SNAPSHOT, chatFields(chat));
    if (m.source === 'message') {
      update.set(a.seen, t).copy(a.prevSeen, a.seen, 0);
      const message = facts.message;
      if (message?.senderId === m.userId && message.chatId === m.chatId) {
        update.add(a.count).add(memberMonthCount('m', plan.month));
        const planned = plan.writes.get(keyId(membershipKey(m.userId, m.chatId)));
        if (planned && m.chatId === ownChat) {
          planned.firstOfDay = {
            chatMonth: chatMonthKey(m.chatId, plan.month),
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
    if (m.event) planMembershipEvent(plan, m.userId, m.chatId, m.event, m.source === 'chat_member');
  }
  const bot = facts.botStatus;
  if (bot?.event && bot.botUserId !== undefined)
    planMembershipEvent(plan, bot.botUserId, bot.chatId, bot.event, true);
}

/**
 * A membership event: its key is the change itself, so writing it again is harmless. A
 * service message and a chat_member update of the same second are one event: the
 * chat_member update (the authoritative status, the invite link) fills in the rest.
 */
function planMembershipEvent(
  plan: PlanBuilder,
  userId: number,
  chatId: number,
  event: MembershipEventFact,
  authoritative: boolean,
): void {
  const t = plan.t;
  const update = plan.write(eventKey(userId, chatId, t, event.kind), {
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
    .set(EXPIRES_AT, t + plan.retentionDays * DAY_SECONDS);
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
    plan.namesActor(ref.actor, update.key);
    if (authoritative) update.set('gsi2pk', keys.gsi2pk).set(REF_AT, keys[REF_AT]);
    else update.setIfMissing('gsi2pk', keys.gsi2pk).setIfMissing(REF_AT, keys[REF_AT]);
  } else if (authoritative) update.remove('gsi2pk').remove(REF_AT);
}
