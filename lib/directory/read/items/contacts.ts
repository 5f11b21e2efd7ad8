/**
 * Contacts and chats from their items: the profile of the newest register (by Telegram's
 * date, then update id), first seen the earliest write, last seen the newest register,
 * counters summed over the months (with a migrated group's copy).
 */
import { privateChatState } from '../../../messaging/store/private-chat.ts';
import { idFromKey, isNotesSk, monthOfSk, PROFILE } from '../../../store/keys.ts';
import type { ChatType, MemberStatus } from '../../../telegram/update/facts.ts';
import {
  CHAT_PROFILE,
  CHAT_PROFILE_AT,
  COPIED_FIRST_SEEN,
  COPIED_LAST_SEEN,
  copiedCounter,
  FIRST_SEEN,
  isRegisterAttr,
  MESSAGE_COUNT,
  type Register,
} from '../../record/registers.ts';
import type { Chat, Contact } from '../shapes.ts';
import { compact, type Item, isoOf, max, min, months, num, str } from './values.ts';

/** Every register of the monthly items, newest first (by date, then update id). */
function registersOf(items: Item[]): Register[] {
  const registers: Register[] = [];
  for (const item of items) {
    if (monthOfSk(String(item.sk)) === undefined) continue;
    for (const [attr, value] of Object.entries(item)) {
      if (isRegisterAttr(attr) && typeof value === 'object' && value !== null) {
        registers.push(value as Register);
      }
    }
  }
  return registers.sort((a, b) => b.t - a.t || b.i - a.i);
}

const counted = (items: Item[], attr: string) =>
  months(items).reduce(
    (sum, i) => sum + (num(i[attr]) ?? 0) + (num(i[copiedCounter(attr)]) ?? 0),
    0,
  );

/** The tags and note of a contact's notes item (`PROFILE#NOTES`, see contact-notes.ts). */
export function notesOf(item: Item | undefined): { tags?: string[]; note?: string } {
  const tags = Array.isArray(item?.tags)
    ? item.tags.filter((t): t is string => typeof t === 'string')
    : [];
  return compact({ tags: tags.length > 0 ? tags : undefined, note: str(item?.note) });
}

/**
 * The contact as the lookup API shows it: with the tags and note of its notes item; null
 * when nothing is known (tags and a note alone make no contact). A function of its own, not
 * part of `toContact`, so the webhook's bundle (which reads contacts for /me) stays without it.
 */
export function toContactWithNotes(items: Item[]): Contact | null {
  const contact = toContact(items);
  return contact && { ...contact, ...notesOf(items.find((i) => isNotesSk(String(i.sk)))) };
}

/**
 * A contact from its monthly items, verified-phone item and messaging items (private-chat.ts:
 * blocked, opted out); null when nothing is known.
 */
export function toContact(items: Item[]): Contact | null {
  const registers = registersOf(items);
  const named = registers.find((r) => typeof r.f === 'string');
  if (!named) return null;
  const phone = items.find((i) => String(i.sk) === `${PROFILE}#PHONE`);
  const id = idFromKey(String(items[0]?.pk));
  const chat = privateChatState(items, id);
  return compact({
    id,
    isBot: named.b ?? false,
    firstName: named.f ?? '',
    lastName: named.l,
    username: named.u,
    languageCode: registers.find((r) => r.lc !== undefined)?.lc,
    isPremium: registers.find((r) => r.pr !== undefined)?.pr,
    phoneNumber: str(phone?.phoneNumber),
    botBlocked: chat.botBlocked,
    broadcastOptOut: chat.broadcastOptOut,
    // The earliest month's first write, or an older update that landed after it.
    firstSeenAt: isoOf(
      min([...months(items).map((i) => num(i[FIRST_SEEN])), ...registers.map((r) => r.t)]),
    ),
    lastSeenAt: isoOf(registers[0]?.t),
    messageCount: counted(items, MESSAGE_COUNT),
  });
}

/** A chat from its profile and monthly items; null when nothing is known. */
export function toChat(items: Item[]): Chat | null {
  const profile = items.find((i) => i.sk === PROFILE);
  const seen = num(profile?.[CHAT_PROFILE_AT]);
  const registers = registersOf(items);
  const fromProfile = profile?.[CHAT_PROFILE] as Register | undefined;
  const typed = [
    ...registers,
    ...(fromProfile ? [{ ...fromProfile, i: 0, t: seen ?? Number.NEGATIVE_INFINITY }] : []),
  ]
    .filter((r) => typeof r.ty === 'string')
    .sort((a, b) => b.t - a.t || b.i - a.i)[0];
  if (!typed) return null;
  return compact({
    id: idFromKey(String(items[0]?.pk)),
    type: typed.ty as ChatType,
    title: typed.ti,
    username: typed.u,
    botStatus: registers.find((r) => r.bs !== undefined)?.bs as MemberStatus | undefined,
    firstSeenAt: isoOf(
      min([
        num(profile?.[FIRST_SEEN]),
        ...months(items).flatMap((i) => [num(i[FIRST_SEEN]), num(i[COPIED_FIRST_SEEN])]),
      ]),
    ),
    lastSeenAt: isoOf(
      max([seen, registers[0]?.t, ...months(items).map((i) => num(i[COPIED_LAST_SEEN]))]),
    ),
    messageCount: counted(items, MESSAGE_COUNT),
  });
}
