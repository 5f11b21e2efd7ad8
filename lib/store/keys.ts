/**
 * Key strings of the single table. Every `pk`/`sk`/`gsi1pk`/`gsi1sk`/`gsi2pk` value is built here
 * (the directory's items, the references to a person, the erased phone) or in service-keys.ts
 * (API keys, events, deliveries, broadcasts, idempotency records).
 *
 * | item                  | pk               | sk                  | gsi1pk           | gsi1sk        | gsi2pk            |
 * | --------------------- | ---------------- | ------------------- | ---------------- | ------------- | ----------------- |
 * | contact month         | USER#<id>        | PROFILE#<yyyy-mm>   |                  |               | USERNAME#<lower>  |
 * | verified phone        | USER#<id>        | PROFILE#PHONE       |                  |               | PHONE#<e164>      |
 * | tags and note         | USER#<id>        | PROFILE#NOTES       |                  |               |                   |
 * | contact's creator     | USER#<id>        | LIFE                |                  |               |                   |
 * | messaging preferences | USER#<id>        | PROFILE#PREFS       |                  |               |                   |
 * | blocked by a send     | USER#<id>        | PROFILE#BLOCKED     |                  |               |                   |
 * | tag entry             | USER#<id>        | TAG#<tag>           | TAG#<tag>        | USER#<id>     |                   |
 * | membership event      | USER#<id>        | EVENT#<at>#<chat>#<kind> | EVENTS#<chat> | <at>#<id>#<kind> |              |
 * | membership            | USER#<id>        | CHAT#<chatId>       | CHAT#<chatId>    | USER#<id>     |                   |
 * | shared contact        | USER#<ownerId>   | SHARED#<ref>        | SHAREDOF#<id> or SHAREDPHONE#<e164> | USER#<owner> |  |
 * | chat profile          | CHAT#<id>        | PROFILE             |                  |               |                   |
 * | chat month            | CHAT#<id>        | PROFILE#<yyyy-mm>   |                  |               |                   |
 * | API key               | APIKEY#<sha256>  | APIKEY              | APIKEYS          | <created>#<id>|                   |
 * | outbox event          | USER#<id>, CHAT#<id> or OUTBOX#<ev> | OUTBOX#<ev> | OUTBOX (until fanned out) | <at>#<ev> |  |
 * | idempotent request    | IDEMPOTENCY#<keyId>#<sha256> | IDEMPOTENCY |              |               | REF#<recipient>   |
 * | subscription          | SUB#<sub>        | SUB                 | SUBS             | <created>#<sub>|                  |
 * | delivery              | SUB#<sub>        | DELIVERY#<ev>       | DUE (while pending) | <next>#<sub>#<ev> |             |
 * | delivery attempt      | SUB#<sub>        | ATTEMPT#<ms>#<ev>#<n> |                |               |                   |
 * | broadcast             | BROADCAST#<bc>   | BROADCAST           | BROADCASTS       | <created>#<bc>|                   |
 * | broadcast to send     | BROADCAST#<bc>   | PENDING             | BROADCASTING (until done) | <createdMs>#<bc> |        |
 * | broadcast recipient   | BROADCAST#<bc>   | R#<userId>          |                  |               |                   |
 * | broadcast sender lease| BROADCAST#SENDER | LEASE               |                  |               |                   |
 * | broadcast idempotency | BROADCAST#IDEM#<keyId>#<sha256> | IDEMPOTENCY |         |               |                   |
 * | erased phone          | PHONEFLOOR#<hmac> | FLOOR              |                  |               |                   |
 *
 * A contact has no single profile item: each month's item holds that month's counters and,
 * per delivery queue, the profile the queue's last update showed (see record-plan.ts). One
 * Query (`begins_with(sk, 'PROFILE')`) reads a whole contact or chat. Partition keys start
 * with `USER#`, `CHAT#`, `APIKEY#`, `OUTBOX#`, `SUB#`, `IDEMPOTENCY#`, `BROADCAST#` or
 * `PHONEFLOOR#`: IAM grants each function its prefixes.
 */
export interface Key {
  pk: string;
  sk: string;
}

export const PROFILE = 'PROFILE';
export const USER_PREFIX = 'USER#';
export const CHAT_PREFIX = 'CHAT#';

export const userPk = (userId: number) => `${USER_PREFIX}${userId}`;
export const chatPk = (chatId: number) => `${CHAT_PREFIX}${chatId}`;

export const chatKey = (chatId: number): Key => ({ pk: chatPk(chatId), sk: PROFILE });

/** `month` is `yyyy-mm`. */
export const monthSk = (month: string) => `${PROFILE}#${month}`;
export const contactMonthKey = (userId: number, month: string): Key => ({
  pk: userPk(userId),
  sk: monthSk(month),
});
export const chatMonthKey = (chatId: number, month: string): Key => ({
  pk: chatPk(chatId),
  sk: monthSk(month),
});
/** The UTC month (`yyyy-mm`) of a time in epoch seconds. */
export const monthOf = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 7);

/** The month (`yyyy-mm`) of a monthly item's sort key, or undefined for other items. */
export function monthOfSk(sk: string): string | undefined {
  const match = /^PROFILE#(\d{4}-\d{2})$/.exec(sk);
  return match?.[1];
}

export const phoneItemKey = (userId: number): Key => ({
  pk: userPk(userId),
  sk: `${PROFILE}#PHONE`,
});

/**
 * Which update created the contact, since its last erasure (contact-events.ts): the one
 * arbiter of `contact.created`. Not a `PROFILE` item: no reader of contacts sees it.
 */
export const contactLifeKey = (userId: number): Key => ({ pk: userPk(userId), sk: 'LIFE' });

/** Tags and note an application set on a contact (PATCH); read with the contact's months. */
export const notesKey = (userId: number): Key => ({ pk: userPk(userId), sk: `${PROFILE}#NOTES` });
export const isNotesSk = (sk: string) => sk === `${PROFILE}#NOTES`;
/**
 * A contact's messaging preferences (`/stop` and `/start` in the private chat: opted out of
 * broadcasts or not); a single-source item the recorder writes, read with the months.
 */
export const prefsKey = (userId: number): Key => ({ pk: userPk(userId), sk: `${PROFILE}#PREFS` });
export const isPrefsSk = (sk: string) => sk === `${PROFILE}#PREFS`;
/**
 * A send that Telegram refused with 403 (the user blocked the bot): a single-source item the
 * lookup writes, read with the months and folded with the private chat's my_chat_member.
 */
export const blockedKey = (userId: number): Key => ({
  pk: userPk(userId),
  sk: `${PROFILE}#BLOCKED`,
});
export const isBlockedSk = (sk: string) => sk === `${PROFILE}#BLOCKED`;
export const TAG_PREFIX = 'TAG#';
/** One item per tag of a contact, indexed by tag in GSI1 (`TAG#<tag>` / `USER#<id>`). */
export const tagKey = (userId: number, tag: string): Key => ({
  pk: userPk(userId),
  sk: `${TAG_PREFIX}${tag}`,
});
export const tagIndexKeys = (userId: number, tag: string) => ({
  gsi1pk: `${TAG_PREFIX}${tag}`,
  gsi1sk: userPk(userId),
});
export const tagIndexPk = (tag: string) => tagIndexKeys(0, tag).gsi1pk;
/** The tag of a tag entry's sort key (`TAG#<tag>`). */
export const tagOfSk = (sk: string) => sk.slice(TAG_PREFIX.length);

export const EVENT_PREFIX = 'EVENT#';
/** The latest time an event key can hold (2286-11-20T17:46:39Z): 10 digits. */
export const MAX_EVENT_TIME = 9_999_999_999;
/**
 * Epoch seconds as 10 digits: event keys sort by time. Times outside 0..MAX_EVENT_TIME are
 * clamped (as strings, an 11-digit time would sort before most 10-digit ones).
 */
export const eventTime = (at: number) =>
  String(Math.min(MAX_EVENT_TIME, Math.max(0, Math.floor(at)))).padStart(10, '0');
/**
 * A membership event. Its key is what it says (who, where, when, what): the same change
 * reported twice (a redelivery, or a chat_member update and a service message of the same
 * second) is one event.
 */
export const eventKey = (userId: number, chatId: number, at: number, kind: string): Key => ({
  pk: userPk(userId),
  sk: `${EVENT_PREFIX}${eventTime(at)}#${chatId}#${kind}`,
});
export const chatEventsPk = (chatId: number) => `EVENTS#${chatId}`;
export const eventIndexKeys = (userId: number, chatId: number, at: number, kind: string) => ({
  gsi1pk: chatEventsPk(chatId),
  gsi1sk: `${eventTime(at)}#${userId}#${kind}`,
});

export const MEMBERSHIP_PREFIX = 'CHAT#';
export const membershipKey = (userId: number, chatId: number): Key => ({
  pk: userPk(userId),
  sk: `${MEMBERSHIP_PREFIX}${chatId}`,
});
export const membershipIndexKeys = (userId: number, chatId: number) => ({
  gsi1pk: chatPk(chatId),
  gsi1sk: userPk(userId),
});

export const SHARED_PREFIX = 'SHARED#';
/** A shared entry is identified by the shared user's id, else by the phone number. */
export const sharedKey = (
  ownerId: number,
  ref: { userId?: number; phoneNumber?: string },
): Key => ({
  pk: userPk(ownerId),
  sk:
    ref.userId !== undefined
      ? `${SHARED_PREFIX}USER#${ref.userId}`
      : `${SHARED_PREFIX}PHONE#${ref.phoneNumber ?? ''}`,
});
export const sharedOfPk = (userId: number) => `SHAREDOF#${userId}`;
/** GSI1 key of a shared entry that names no Telegram user, only a phone number. */
export const sharedPhonePk = (e164: string) => `SHAREDPHONE#${e164}`;

export const usernameIndexPk = (username: string) => `USERNAME#${username.toLowerCase()}`;
export const phoneIndexPk = (e164: string) => `PHONE#${e164}`;

/** Parses the numeric id at the end of a `USER#<id>` / `CHAT#<id>` key part. */
export function idFromKey(key: string): number {
  return Number(key.slice(key.lastIndexOf('#') + 1));
}

export const keyId = (key: Key) => `${key.pk}|${key.sk}`;

/**
 * References to a person from items outside their partition (issue "Personal data in one
 * place"): such an item carries one GSI2 key naming the person, and `refAt`, when it was made
 * (epoch seconds), so that an erasure finds every reference by one Query per kind and acts on
 * those made before its floor (person-refs.ts):
 * - `REF#<id>`: the item is about the person (a copy of their data, a delivery of their event,
 *   a broadcast recipient, an idempotency record of a send to them): deleted by the erasure.
 * - `REFPHONE#<e164>`: the same for a copy naming only a phone number (a phone-only card).
 * - `ACTOR#<id>`: the item names the person as the actor of someone else's event: the
 *   erasure removes the actor (the event stays, with `actorId` null).
 */
export const REF_AT = 'refAt';
export const personRefPk = (userId: number) => `REF#${userId}`;
export const phoneRefPk = (e164: string) => `REFPHONE#${e164}`;
export const actorRefPk = (userId: number) => `ACTOR#${userId}`;
/** The GSI2 key and date of an item that is about person `userId`, made at `at`. */
export const personRefIndexKeys = (userId: number, at: number) => ({
  gsi2pk: personRefPk(userId),
  [REF_AT]: at,
});
export const phoneRefIndexKeys = (e164: string, at: number) => ({
  gsi2pk: phoneRefPk(e164),
  [REF_AT]: at,
});
export const actorRefIndexKeys = (userId: number, at: number) => ({
  gsi2pk: actorRefPk(userId),
  [REF_AT]: at,
});

/**
 * The erasure floor of a verified phone number (phone-floor.ts), keyed by a keyed hash of the
 * number (never the number itself): what a phone-only contact card is checked against.
 */
export const phoneFloorKey = (hash: string): Key => ({ pk: `PHONEFLOOR#${hash}`, sk: 'FLOOR' });
