/**
 * What a contact's PROFILE items say about their private chat with the bot (pure): whether
 * there is one, whether they blocked the bot, whether they opted out of broadcasts.
 *
 * - A private chat: a register of the chat's own queues in any contact month, `q:c<id>` (a
 *   message in it) or `q:y<id>` (the bot's status in it, my_chat_member).
 * - Blocked: the newest evidence wins, by its date: a `q:y<id>` register's `bb` (Telegram's
 *   my_chat_member: `kicked` blocks, `member` unblocks), a send Telegram refused with 403
 *   (`PROFILE#BLOCKED`, blocks), a message in the private chat (nobody writes to a bot they
 *   block). Absent when there is no block evidence at all (no my_chat_member, no 403).
 * - Opted out: the `PROFILE#PREFS` item's `optOut` (`/stop` sets it, `/start` clears it).
 */

import { type Register, registerAttr } from '../../directory/record/registers.ts';
import { isBlockedSk, isPrefsSk, monthOfSk } from '../../store/keys.ts';

type Item = Record<string, unknown>;

export interface PrivateChatState {
  privateChat: boolean;
  /** Absent when nothing says either way (no my_chat_member seen, no refused send). */
  botBlocked?: boolean;
  broadcastOptOut: boolean;
}

/** Attribute of a `PROFILE#BLOCKED` item: when the refused send was made (epoch seconds). */
export const BLOCKED_AT = 'blockedAt';
/** Attribute of a `PROFILE#PREFS` item: opted out of broadcasts. */
export const OPT_OUT = 'optOut';

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

function registersIn(items: Item[], attr: string): Register[] {
  return items
    .filter((item) => monthOfSk(String(item.sk)) !== undefined)
    .map((item) => item[attr])
    .filter((value): value is Register => typeof value === 'object' && value !== null);
}

/** The state of `userId`'s private chat from their PROFILE items (one contact Query). */
export function privateChatState(items: Item[], userId: number): PrivateChatState {
  const messages = registersIn(items, registerAttr(`c${userId}`));
  const statuses = registersIn(items, registerAttr(`y${userId}`));
  // Evidence, in the order that wins a tie of dates: a refused send, a message, Telegram's
  // own status of the chat.
  const evidence: { t: number; blocked: boolean; explicit: boolean }[] = [];
  const blockedAt = num(items.find((i) => isBlockedSk(String(i.sk)))?.[BLOCKED_AT]);
  if (blockedAt !== undefined) evidence.push({ t: blockedAt, blocked: true, explicit: true });
  for (const r of messages) evidence.push({ t: r.t, blocked: false, explicit: false });
  for (const r of statuses) {
    if (r.bb !== undefined) evidence.push({ t: r.t, blocked: r.bb, explicit: true });
  }
  let newest: (typeof evidence)[number] | undefined;
  for (const e of evidence) if (!newest || e.t >= newest.t) newest = e;
  const prefs = items.find((i) => isPrefsSk(String(i.sk)));
  return {
    privateChat: messages.length > 0 || statuses.length > 0,
    ...(evidence.some((e) => e.explicit) && newest ? { botBlocked: newest.blocked } : {}),
    broadcastOptOut: prefs?.[OPT_OUT] === true,
  };
}
