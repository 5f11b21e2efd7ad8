/**
 * A simulated Telegram for the recorder's simulation test: people write in groups and in
 * private, join, leave, change status, share their own phone, ask the bot to forget them
 * (/forget then the confirm button), get erased through the API, and a group migrates to a
 * supergroup. Updates are numbered in creation order and travel in Telegram's queues
 * (tdlib/telegram-bot-api: messages by chat, chat_member by user, callbacks by user): one
 * update per queue in flight, the head retried with a doubling delay (capped at 120 s)
 * until acknowledged or 24 h past its date, when it is dropped. Deliveries crash after any
 * store call, lose their acknowledgement, run twice at once, and several queues deliver in
 * each round, their store calls interleaved by the seeded scheduler.
 *
 * The simulation records what happened (which update was acknowledged, dropped after an
 * attempt, when each erasure took effect); model.ts says from that what the directory holds.
 */

export const USERS = [2001, 2002, 2003, 2004] as const;
/** A group that migrates to SUPERGROUP part-way, and another supergroup. */
export const GROUP = -5001;

/**
 * The status a chat_member update says the member had before: `left` for every third update
 * id (a join, or no change for a non-member), else `member`. From the id, not the random
 * stream, so that seeds replay as they did before events were modelled.
 */
export const oldStatusOf = (u: { id: number }) => (u.id % 3 === 0 ? 'left' : 'member');
export const SUPERGROUP = -1005001;
export const OTHER = -1006001;

export type SimEvent =
  | { kind: 'message'; user: number; chat: number }
  | { kind: 'private'; user: number; text: string }
  | { kind: 'contact'; user: number; phone: string }
  | { kind: 'join' | 'leave'; user: number; chat: number }
  | { kind: 'chat_member'; user: number; chat: number; status: string; isMember: boolean }
  | { kind: 'forget_confirm'; user: number }
  | { kind: 'migrate_to' | 'migrate_from'; user: number };

export interface SimUpdate {
  id: number;
  queue: string;
  event: SimEvent;
  /** Telegram's date; for a callback (no date of its own) the round it was acknowledged in. */
  date: number;
  dateless: boolean;
  /** Counts as a message of its user (and of its chat when a group). */
  counted: boolean;
  acked: boolean;
  attempted: boolean;
  /**
   * Acknowledged while another attempt of it crashed in the same round: that attempt may have
   * written after the acknowledged one checked the erasure floor, and nothing follows it, as
   * after a dropped update (recorder.ts, outside the model).
   */
  orphaned?: boolean;
  dropped: boolean;
  fails: number;
  nextAttempt: number;
}

export const userNames = (id: number) => ({
  id,
  is_bot: false,
  first_name: `User${id}`,
  username: `user_${id}`,
  language_code: 'en',
});

const chatOf = (id: number) =>
  id === GROUP
    ? { id, type: 'group', title: 'Sim group' }
    : { id, type: 'supergroup', title: id === SUPERGROUP ? 'Sim supergroup' : 'Other group' };

export function queueOf(event: SimEvent): string {
  switch (event.kind) {
    case 'message':
    case 'join':
    case 'leave':
      return `c${event.chat}`;
    case 'private':
    case 'contact':
      return `c${event.user}`;
    case 'chat_member':
      return `j${event.user}`;
    case 'forget_confirm':
      return `k${event.user}`;
    case 'migrate_to':
      return `c${GROUP}`;
    case 'migrate_from':
      return `c${SUPERGROUP}`;
  }
}

/** The Bot API update for `u`, dated `date` (arrival time for a callback). */
export function toTelegramUpdate(u: SimUpdate, date: number): Record<string, unknown> {
  const e = u.event;
  const from = userNames(e.user);
  const message = (chat: Record<string, unknown>, extra: Record<string, unknown>) => ({
    update_id: u.id,
    message: { message_id: u.id, from, chat, date: u.date, ...extra },
  });
  const privateChat = { id: e.user, type: 'private', first_name: from.first_name };
  switch (e.kind) {
    case 'message':
      return message(chatOf(e.chat), { text: `hello ${u.id}` });
    case 'private':
      return message(privateChat, {
        text: e.text,
        ...(e.text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: e.text.length }] }
          : {}),
      });
    case 'contact':
      return message(privateChat, {
        contact: { phone_number: e.phone, first_name: from.first_name, user_id: e.user },
      });
    case 'join':
      return message(chatOf(e.chat), { new_chat_members: [from] });
    case 'leave':
      return message(chatOf(e.chat), { left_chat_member: from });
    case 'migrate_to':
      return message(chatOf(GROUP), { migrate_to_chat_id: SUPERGROUP });
    case 'migrate_from':
      return message(chatOf(SUPERGROUP), { migrate_from_chat_id: GROUP });
    case 'chat_member':
      return {
        update_id: u.id,
        chat_member: {
          chat: chatOf(e.chat),
          from,
          date: u.date,
          old_chat_member: { user: from, status: oldStatusOf(u) },
          new_chat_member: {
            user: from,
            status: e.status,
            ...(e.status === 'restricted' ? { is_member: e.isMember } : {}),
          },
        },
      };
    case 'forget_confirm':
      return {
        update_id: u.id,
        callback_query: {
          id: `cb${u.id}`,
          from,
          chat_instance: 'sim',
          data: 'forget:confirm',
          message: { message_id: 1, chat: privateChat, date: date - 5, text: 'Forget?' },
        },
      };
  }
}

export interface SimOptions {
  random: () => number;
  steps: number;
  /** Probability that a delivery attempt crashes after a random store call. */
  crashRate: number;
  /** Probability that a successful delivery's acknowledgement is lost. */
  lostAckRate: number;
  /** Probability that a head is delivered twice at once. */
  duplicateRate: number;
  /** Deliver any pending update of a queue, not only its head (outside the model). */
  outOfOrder: boolean;
  /** Probability that a round's clock jumps by hours (queues then expire). */
  outageRate: number;
  /** Receives a line per round, and on failure every update and item (to replay a seed). */
  debug?: (line: string) => void;
}

const STATUSES: [string, boolean][] = [
  ['member', true],
  ['administrator', true],
  ['left', false],
  ['kicked', false],
  ['restricted', true],
  ['restricted', false],
];

/** Draws the events of one round. */
export function drawEvents(random: () => number, migrated: boolean): SimEvent[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const events: SimEvent[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    const user = pick(USERS);
    const chat = pick(migrated ? [SUPERGROUP, OTHER] : [GROUP, OTHER]);
    const r = random();
    if (r < 0.45) events.push({ kind: 'message', user, chat });
    else if (r < 0.52) events.push({ kind: 'private', user, text: pick(['hi', '/start']) });
    else if (r < 0.6) events.push({ kind: 'join', user, chat });
    else if (r < 0.68) events.push({ kind: 'leave', user, chat });
    else if (r < 0.8) {
      const [status, isMember] = pick(STATUSES);
      events.push({ kind: 'chat_member', user, chat, status, isMember });
    } else if (r < 0.88) {
      events.push({
        kind: 'contact',
        user,
        phone: `+1 555 ${user}${Math.floor(random() * 90 + 10)}`,
      });
    } else if (r < 0.92) {
      events.push({ kind: 'private', user, text: '/forget' });
      events.push({ kind: 'forget_confirm', user });
    }
  }
  return events;
}

export const isCounted = (event: SimEvent) =>
  event.kind === 'message' || event.kind === 'private' || event.kind === 'contact';
