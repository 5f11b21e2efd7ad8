/**
 * A seeded stream of realistic updates, as one bot sees them: many users in several groups,
 * messages, edits, joins and leaves, status changes, own and shared contacts, commands,
 * callbacks and inline queries, name and username changes, redeliveries of earlier updates
 * (same update_id), optionally a group migrating to a supergroup and users erasing
 * themselves with /forget. Dates advance through a month boundary.
 */
import { seededRandom } from '../helpers/faults.ts';

export type Update = Record<string, unknown>;

export interface StreamOptions {
  seed: number;
  /** Updates to generate (redeliveries included). */
  updates: number;
  users?: number;
  groups?: number;
  /** Share of updates that are a redelivery of an earlier one (default 0.05). */
  duplicates?: number;
  /** Include /forget confirmations (erasure) and one group migration (default true). */
  erasure?: boolean;
  migration?: boolean;
  /** First update_id (default 100000). */
  firstUpdateId?: number;
}

const NAMES = [
  'Alice',
  'Bob',
  'Алиса',
  'محمد',
  'יוסי',
  '李雷',
  '🦊 Fox',
  'Zoë',
  "O'Brien",
  'a\u200db',
];
const STATUSES = ['member', 'administrator', 'restricted', 'left', 'kicked'] as const;
/** 2025-11-27T00:00:00Z: the stream crosses into December. */
const START = 1_764_201_600;

interface Person {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code: string;
  phone: string;
}

export function generateStream(options: StreamOptions): Update[] {
  const random = seededRandom(options.seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
  const chance = (p: number) => random() < p;

  const people: Person[] = Array.from({ length: options.users ?? 40 }, (_, i) => ({
    // Small ids, ids past 2^32 and ids near 2^53.
    id: i % 5 === 4 ? Number.MAX_SAFE_INTEGER - i : i % 5 === 3 ? 2 ** 40 + i * 7919 : 5000 + i,
    first_name: NAMES[i % NAMES.length] as string,
    ...(i % 3 === 0 ? { last_name: `${NAMES[(i + 3) % NAMES.length]} ${i}` } : {}),
    ...(i % 4 !== 1 ? { username: `user_${i}` } : {}),
    language_code: pick(['en', 'ru', 'ar', 'he']),
    phone: `1555${String(1_000_000 + i).slice(1)}`,
  }));
  const groups = Array.from({ length: options.groups ?? 6 }, (_, i) => ({
    id: i === 0 ? -4_001_002 : -1_002_000_000_000 - i * 17,
    type: i === 0 ? 'group' : 'supergroup',
    title: `${pick(['Group', 'Группа', 'קבוצה', '🎉 Party'])} ${i}`,
  }));
  const migrateAt = options.migration === false ? -1 : Math.floor(options.updates * 0.5);
  const migratedTo = { id: -1_009_000_000_001, type: 'supergroup', title: 'Group 0 (super)' };

  const stream: Update[] = [];
  let updateId = options.firstUpdateId ?? 100_000;
  let date = START;
  let messageId = 1;

  const user = ({ phone: _phone, ...profile }: Person) => ({ is_bot: false, ...profile });
  const chatOf = () => pick(groups);
  const message = (chat: object, from: Person, extra: object = {}) => ({
    message_id: messageId++,
    date,
    chat,
    from: user(from),
    ...extra,
  });
  const dm = (p: Person) => ({ id: p.id, type: 'private', first_name: p.first_name });
  /** `p` presses the /forget confirmation's button (`cancel` or `confirm`). */
  const forgetAnswer = (p: Person, choice: 'cancel' | 'confirm') => ({
    callback_query: {
      id: String(int(1e9)),
      from: user(p),
      chat_instance: '1',
      data: `forget:${choice}`,
      message: message(dm(p), p, { text: 'Erase?' }),
    },
  });
  const member = (p: Person, status: string) => ({
    user: user(p),
    status,
    ...(status === 'restricted' ? { is_member: chance(0.5), until_date: 0 } : {}),
  });

  while (stream.length < options.updates) {
    date += int(2400);
    if (stream.length > 0 && chance(options.duplicates ?? 0.05)) {
      // A redelivery: Telegram did not get our answer and sends the same update again.
      stream.push(structuredClone(pick(stream)));
      continue;
    }
    if (stream.length === migrateAt) {
      const old = groups[0] as { id: number; type: string; title: string };
      const by = pick(people);
      stream.push({
        update_id: updateId++,
        message: message(old, by, { migrate_to_chat_id: migratedTo.id }),
      });
      stream.push({
        update_id: updateId++,
        message: message(migratedTo, by, { migrate_from_chat_id: old.id }),
      });
      groups[0] = migratedTo;
      continue;
    }
    const p = pick(people);
    if (chance(0.03)) p.first_name = `${pick(NAMES)}${int(10)}`;
    if (chance(0.02)) p.username = chance(0.8) ? `user_${p.id % 1000}_${int(100)}` : undefined;
    const roll = random();
    let update: Update;
    if (roll < 0.4) {
      update = { message: message(chatOf(), p, { text: pick(['hi', 'привет', 'שלום 👋', '']) }) };
    } else if (roll < 0.45) {
      const text = pick(['/start', 'hello bot', '/me']);
      const entities = text.startsWith('/')
        ? [{ type: 'bot_command', offset: 0, length: text.length }]
        : undefined;
      update = { message: message(dm(p), p, { text, ...(entities ? { entities } : {}) }) };
    } else if (roll < 0.5) {
      update = {
        edited_message: message(chatOf(), p, { text: 'edited', edit_date: date + 5 }),
      };
    } else if (roll < 0.55) {
      const joined = [p, ...(chance(0.3) ? [pick(people)] : [])].map(user);
      update = { message: message(chatOf(), p, { new_chat_members: joined }) };
    } else if (roll < 0.59) {
      update = { message: message(chatOf(), p, { left_chat_member: user(p) }) };
    } else if (roll < 0.64) {
      const admin = pick(people);
      update = {
        chat_member: {
          chat: chatOf(),
          from: user(admin),
          date,
          old_chat_member: member(p, pick(STATUSES)),
          new_chat_member: member(p, pick(STATUSES)),
        },
      };
    } else if (roll < 0.66) {
      const inGroup = chance(0.5);
      update = {
        my_chat_member: {
          chat: inGroup ? chatOf() : dm(p),
          from: user(p),
          date,
          old_chat_member: { user: { id: 999, is_bot: true, first_name: 'Bot' }, status: 'member' },
          new_chat_member: {
            user: { id: 999, is_bot: true, first_name: 'Bot' },
            status: pick(['member', 'administrator', 'kicked', 'left']),
          },
        },
      };
    } else if (roll < 0.7) {
      if (chance(0.2)) p.phone = `1666${String(1_000_000 + int(999_999)).slice(1)}`;
      const contact = { phone_number: p.phone, first_name: p.first_name, user_id: p.id };
      update = { message: message(dm(p), p, { contact }) };
    } else if (roll < 0.73) {
      const other = pick(people);
      const contact = {
        phone_number: chance(0.5) ? `+${other.phone}` : `+44 20 7946 ${String(int(10_000))}`,
        first_name: other.first_name,
        ...(chance(0.7) ? { user_id: other.id } : {}),
      };
      update = { message: message(dm(p), p, { contact }) };
    } else if (roll < 0.76) {
      const users = [pick(people), pick(people)].map((o) => ({
        user_id: o.id,
        first_name: o.first_name,
        ...(o.username ? { username: o.username } : {}),
      }));
      update = { message: message(dm(p), p, { users_shared: { request_id: 1, users } }) };
    } else if (roll < 0.79) {
      update = forgetAnswer(p, 'cancel');
    } else if (roll < 0.82) {
      update = { inline_query: { id: String(int(1e9)), from: user(p), query: 'x', offset: '' } };
    } else if (roll < 0.84) {
      update = {
        message_reaction: {
          chat: chatOf(),
          message_id: 1,
          user: user(p),
          date,
          old_reaction: [],
          new_reaction: [{ type: 'emoji', emoji: '👍' }],
        },
      };
    } else if (roll < 0.86) {
      update = { chat_join_request: { chat: chatOf(), from: user(p), user_chat_id: p.id, date } };
    } else if (roll < 0.88) {
      const channel = { id: -1_003_000_000_000, type: 'channel', title: 'News 📰' };
      update = { channel_post: { message_id: messageId++, date, chat: channel, text: 'news' } };
    } else if (roll < 0.9 && options.erasure !== false) {
      update = forgetAnswer(p, 'confirm');
    } else {
      update = { message: message(chatOf(), p, { text: `message ${messageId}` }) };
    }
    stream.push({ update_id: updateId++, ...structuredClone(update) });
  }
  return stream.slice(0, options.updates);
}
