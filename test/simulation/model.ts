/**
 * The plain reference model of the simulation: from the updates Telegram had acknowledged
 * (or dropped after an attempt) and each user's last erasure, what the directory must hold.
 * It knows nothing of items, queues' marks or settling: only the product's rules.
 *
 * - An erasure at E (seconds) removes everything about the user dated before E + 1; what is
 *   dated later counts afresh. Chats keep anonymous counts.
 * - A membership's status is its newest status event by date (a tie goes to chat_member over
 *   a join/leave message over the group it migrated from); a later message proves
 *   membership; a supergroup's membership includes the group's it migrated from.
 */
import { normalizePhone } from '../../lib/phone.ts';
import { GROUP, isCounted, oldStatusOf, type SimUpdate, SUPERGROUP } from './telegram-sim.ts';

/**
 * The membership event an update is, by the product's rules: a join or leave message; a
 * chat_member update from a member or non-member status to another (join: now a member;
 * leave or remove: no longer one, remove when banned (the simulated user acts on their own
 * membership); change: still one, with another status). As `chat|date|kind`.
 */
export function eventOf(u: SimUpdate): { user: number; chat: number; key: string } | undefined {
  const e = u.event;
  const at = (chat: number, kind: string) => ({
    user: e.user,
    chat,
    key: `${chat}|${u.date}|${kind}|${e.user}`,
  });
  if (e.kind === 'join') return at(e.chat, 'join');
  if (e.kind === 'leave') return at(e.chat, 'leave');
  if (e.kind !== 'chat_member') return undefined;
  const wasMember = oldStatusOf(u) === 'member';
  if (!wasMember && e.isMember) return at(e.chat, 'join');
  if (wasMember && !e.isMember) return at(e.chat, e.status === 'kicked' ? 'remove' : 'leave');
  if (wasMember && e.isMember && e.status !== 'member') return at(e.chat, 'change');
  return undefined;
}

/**
 * An update whose last attempt may have written what no later attempt settles: dropped after
 * an attempt, or acknowledged while another attempt of it crashed (recorder.ts, outside the
 * model). What it wrote may stay, also when dated before its user's erasure.
 */
export const mayLeave = (u: SimUpdate) => (!u.acked && u.attempted) || u.orphaned === true;

/**
 * A user's membership events: `required` from the updates that counted (dated from their
 * erasure on), `allowed` also from those that may have left theirs (mayLeave).
 */
export function expectedEvents(input: ModelInput, user: number) {
  const floor = input.floors.get(user) ?? 0;
  const sureFrom = Math.max(floor, input.maybeFloors?.get(user) ?? 0);
  const keys = (list: SimUpdate[]) =>
    new Set(
      list
        .filter((u) => u.event.user === user)
        .map(eventOf)
        .filter((e) => e !== undefined)
        .map((e) => e.key),
    );
  const required = keys(input.updates.filter((u) => u.acked && u.date >= sureFrom));
  const allowed = new Set([
    ...keys(input.updates.filter((u) => u.acked && u.date >= floor)),
    ...keys(input.updates.filter(mayLeave)),
  ]);
  return { required, allowed };
}

const dayOf = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/**
 * Distinct senders of a chat per day, as bounds. At least the users with a counted message
 * there that day dated from their erasure on, unless an attempt of theirs was dropped that
 * day (it may have been their first, and counted or not); at most one per user and erasure
 * (a user erased and writing again that day counts again). `erasures`: per user, how many.
 */
export function expectedActive(
  input: ModelInput,
  chat: number,
  erasures: Map<number, number>,
): Map<string, Bounds> {
  const days = new Map<
    string,
    { sure: Set<number>; unsure: Set<number>; max: Map<number, number> }
  >();
  const dayEntry = (day: string) => {
    let entry = days.get(day);
    if (!entry) {
      entry = { sure: new Set(), unsure: new Set(), max: new Map() };
      days.set(day, entry);
    }
    return entry;
  };
  for (const u of input.updates) {
    const e = u.event;
    if (e.kind !== 'message' || e.chat !== chat || !(u.acked || u.attempted)) continue;
    const entry = dayEntry(dayOf(u.date));
    const sureFrom = Math.max(input.floors.get(e.user) ?? 0, input.maybeFloors?.get(e.user) ?? 0);
    if (u.acked && u.date >= sureFrom) entry.sure.add(e.user);
    if (!u.acked) entry.unsure.add(e.user);
    entry.max.set(e.user, (entry.max.get(e.user) ?? 0) + 1);
  }
  const bounds = new Map<string, Bounds>();
  for (const [day, entry] of days) {
    const min = [...entry.sure].filter((user) => !entry.unsure.has(user)).length;
    let max = 0;
    for (const [user, messages] of entry.max) {
      max += Math.min(messages, 1 + (erasures.get(user) ?? 0));
    }
    bounds.set(day, { min: input.outOfOrder ? 0 : min, max });
  }
  return bounds;
}

export interface Bounds {
  min: number;
  max: number;
}

export interface ExpectedMembership {
  messages: Bounds;
  status?: string;
  isMember?: boolean;
}

export interface ExpectedContact {
  /** Every value below is exact (no update of this user may or may not count). */
  exact: boolean;
  /** Whether the contact must exist (undefined: either may be right). */
  exists?: boolean;
  messages: Bounds;
  lastSeen?: number;
  phone?: string;
  memberships: Map<number, ExpectedMembership>;
}

export interface Expected {
  contacts: Map<number, ExpectedContact>;
  chats: Map<number, Bounds>;
}

/** Which updates surely count (`sure`) and which may (`maybe`: an attempt, then dropped). */
export interface ModelInput {
  updates: SimUpdate[];
  floors: Map<number, number>;
  /** Updates of one queue were delivered out of order: only upper bounds hold. */
  outOfOrder: boolean;
  /**
   * Per user, the time (+1) of a /forget that ran and was then dropped unacknowledged: it may
   * have erased what was dated before it, or not.
   */
  maybeFloors?: Map<number, number>;
}

interface StatusEvent {
  rank: number;
  at: number;
  status: string;
  isMember: boolean;
}

const RANK = { g: 0, m: 1, c: 3 } as const;

function fold(
  events: SimUpdate[],
  copied?: { state: StatusEvent | undefined; seen: number | undefined },
) {
  let m: StatusEvent | undefined;
  let c: StatusEvent | undefined;
  let mt: number | undefined;
  for (const u of [...events].sort((a, b) => a.id - b.id)) {
    const e = u.event;
    if (e.kind === 'chat_member') {
      c = { rank: RANK.c, at: u.date, status: e.status, isMember: e.isMember };
    } else {
      if (e.kind === 'message') mt = u.date;
      if (e.kind === 'join') m = { rank: RANK.m, at: u.date, status: 'member', isMember: true };
      if (e.kind === 'leave') m = { rank: RANK.m, at: u.date, status: 'left', isMember: false };
    }
  }
  const candidates = [copied?.state, m, c].filter((s): s is StatusEvent => s !== undefined);
  let winner: StatusEvent | undefined;
  for (const s of candidates.sort((a, b) => a.rank - b.rank)) {
    if (!winner || s.at >= winner.at) winner = s;
  }
  const seenValues = [mt, copied?.seen].filter((v): v is number => v !== undefined);
  const seen = seenValues.length ? Math.max(...seenValues) : undefined;
  if (!winner) return { state: undefined, seen, status: 'member', isMember: true };
  if (!winner.isMember && seen !== undefined && seen > winner.at) {
    return {
      state: { rank: RANK.g, at: seen, status: 'member', isMember: true },
      seen,
      status: 'member',
      isMember: true,
    };
  }
  return {
    state: { ...winner, rank: RANK.g },
    seen,
    status: winner.status,
    isMember: winner.isMember,
  };
}

const chatOfEvent = (u: SimUpdate) => ('chat' in u.event ? u.event.chat : undefined);

export function expected(input: ModelInput): Expected {
  const sure = input.updates.filter((u) => u.acked);
  const maybe = input.updates.filter((u) => !u.acked && u.attempted);
  // An update acknowledged while another attempt of it crashed, dated before its user's
  // erasure, may have left what that attempt wrote: that user's figures are uncertain, not
  // everyone's.
  const orphanedBefore = (user: number) =>
    input.updates.some(
      (u) => u.event.user === user && u.orphaned && u.date < (input.floors.get(user) ?? 0),
    );
  const uncertainRun = input.outOfOrder || maybe.length > 0;
  const contacts = new Map<number, ExpectedContact>();
  const chats = new Map<number, Bounds>();
  const migrated = sure.some((u) => u.event.kind.startsWith('migrate'));
  // A migration attempted and then dropped may have copied the group's counts (upper bounds).
  const maybeMigrated = migrated || maybe.some((u) => u.event.kind.startsWith('migrate'));

  const countIn = (list: SimUpdate[], pred: (u: SimUpdate) => boolean) => list.filter(pred).length;
  for (const chat of [GROUP, SUPERGROUP, -1006001]) {
    const inChat = (withGroup: boolean) => (u: SimUpdate) =>
      isCounted(u.event) &&
      (chatOfEvent(u) === chat || (chat === SUPERGROUP && withGroup && chatOfEvent(u) === GROUP));
    const min = countIn(sure, inChat(migrated));
    const max = countIn(sure, inChat(maybeMigrated)) + countIn(maybe, inChat(maybeMigrated));
    chats.set(chat, { min: input.outOfOrder ? 0 : min, max });
  }

  const users = new Set(input.updates.map((u) => u.event.user));
  for (const user of users) {
    const floor = input.floors.get(user) ?? 0;
    const uncertain = uncertainRun || orphanedBefore(user);
    const kept = (u: SimUpdate) => u.event.user === user && u.date >= floor;
    const mine = sure.filter(kept);
    // An update dropped after a crashed attempt may have left what it wrote, even across an
    // erasure that came later (recorder.ts, outside the model): upper bounds include it.
    const mineMaybe = input.updates.filter(
      (u) => u.event.user === user && ((!u.acked && u.attempted) || (u.orphaned && u.date < floor)),
    );
    const counted = (u: SimUpdate) => isCounted(u.event);
    const min = countIn(mine, counted);
    const contact: ExpectedContact = {
      messages: { min: input.outOfOrder ? 0 : min, max: min + countIn(mineMaybe, counted) },
      exact: !uncertain,
      memberships: new Map(),
    };
    if (!uncertain) {
      contact.exists = mine.length > 0;
      if (mine.length > 0) contact.lastSeen = Math.max(...mine.map((u) => u.date));
      const phones = mine.filter((u) => u.event.kind === 'contact');
      const last = phones.sort((a, b) => a.id - b.id).at(-1)?.event;
      if (last?.kind === 'contact') contact.phone = normalizePhone(last.phone);
    } else if (mine.length > 0) contact.exists = true;
    else if (mineMaybe.length === 0) contact.exists = false;

    const memberEvents = (chat: number, list: SimUpdate[]) =>
      list.filter((u) => chatOfEvent(u) === chat);
    for (const chat of [GROUP, SUPERGROUP, -1006001]) {
      if (chat === GROUP && migrated) {
        // The group's memberships are the supergroup's now; only an update dropped after a
        // crashed attempt may have left one of its own there (recorder.ts, outside the model).
        const left = memberEvents(GROUP, mineMaybe);
        if (left.length > 0) {
          const n = countIn(left, (u) => u.event.kind === 'message');
          contact.memberships.set(GROUP, { messages: { min: 0, max: n } });
        }
        continue;
      }
      const own = memberEvents(chat, mine);
      const group = chat === SUPERGROUP && migrated ? memberEvents(GROUP, mine) : [];
      const ownMaybe = memberEvents(chat, mineMaybe);
      const groupMaybe = chat === SUPERGROUP && maybeMigrated ? memberEvents(GROUP, mineMaybe) : [];
      // The group's counted messages a migration that may have happened copied here.
      const groupCopied =
        chat === SUPERGROUP && maybeMigrated && !migrated ? memberEvents(GROUP, mine) : [];
      const any = own.length + group.length + ownMaybe.length + groupMaybe.length;
      if (any + groupCopied.length === 0) continue;
      const n = countIn([...own, ...group], (u) => u.event.kind === 'message');
      const nMaybe = countIn(
        [...ownMaybe, ...groupMaybe, ...groupCopied],
        (u) => u.event.kind === 'message',
      );
      const membership: ExpectedMembership = {
        messages: { min: input.outOfOrder ? 0 : n, max: n + nMaybe },
      };
      if (!uncertain && own.length + group.length > 0) {
        const copied = group.length ? fold(group) : undefined;
        const state = fold(own, copied ? { state: copied.state, seen: copied.seen } : undefined);
        membership.status = state.status;
        membership.isMember = state.isMember;
      }
      contact.memberships.set(chat, membership);
    }
    contacts.set(user, contact);
  }
  return { contacts, chats };
}
