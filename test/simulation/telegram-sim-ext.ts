/**
 * Red team 2: the simulated Telegram of telegram-sim.ts with more events: a user shares
 * another through a request_users button (`share`, in the sharer's private chat queue) and
 * edits a message (`edit`, edited_message with edit_date, in the chat's queue; not counted).
 * Everything else is telegram-sim.ts's.
 */
import * as base from './telegram-sim.ts';

export type { SimOptions } from './telegram-sim.ts';
export { GROUP, OTHER, SUPERGROUP, USERS, userNames } from './telegram-sim.ts';

export type SimEvent =
  | base.SimEvent
  | { kind: 'share'; user: number; target: number }
  | { kind: 'edit'; user: number; in: number };

export type SimUpdate = Omit<base.SimUpdate, 'event'> & { event: SimEvent };

export function queueOf(event: SimEvent): string {
  if (event.kind === 'share') return `c${event.user}`;
  if (event.kind === 'edit') return `c${event.in}`;
  return base.queueOf(event);
}

const chatOf = (id: number) =>
  id === base.GROUP
    ? { id, type: 'group', title: 'Sim group' }
    : { id, type: 'supergroup', title: id === base.SUPERGROUP ? 'Sim supergroup' : 'Other group' };

export function toTelegramUpdate(u: SimUpdate, date: number): Record<string, unknown> {
  const e = u.event;
  const from = base.userNames(e.user);
  if (e.kind === 'share') {
    const target = base.userNames(e.target);
    return {
      update_id: u.id,
      message: {
        message_id: u.id,
        from,
        chat: { id: e.user, type: 'private', first_name: from.first_name },
        date: u.date,
        users_shared: {
          request_id: 1,
          users: [{ user_id: e.target, first_name: target.first_name, username: target.username }],
        },
      },
    };
  }
  if (e.kind === 'edit') {
    return {
      update_id: u.id,
      edited_message: {
        message_id: 1,
        from,
        chat: chatOf(e.in),
        date: u.date - 30,
        edit_date: u.date,
        text: `edited ${u.id}`,
      },
    };
  }
  return base.toTelegramUpdate(u as base.SimUpdate, date);
}

export function drawEvents(random: () => number, migrated: boolean): SimEvent[] {
  const events: SimEvent[] = base.drawEvents(random, migrated);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const r = random();
  if (r < 0.25) {
    const user = pick(base.USERS);
    const target = pick(base.USERS.filter((u) => u !== user));
    events.push({ kind: 'share', user, target });
  } else if (r < 0.4) {
    events.push({
      kind: 'edit',
      user: pick(base.USERS),
      in: pick(migrated ? [base.SUPERGROUP, base.OTHER] : [base.GROUP, base.OTHER]),
    });
  }
  return events;
}

export const isCounted = (event: SimEvent) =>
  event.kind !== 'share' && event.kind !== 'edit' && base.isCounted(event);
