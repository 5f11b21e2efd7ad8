/**
 * Key strings of the single table. Every `pk`/`sk`/`gsi1pk`/`gsi1sk` value is built here.
 *
 * | item              | pk                 | sk                  | gsi1pk           | gsi1sk        |
 * | ----------------- | ------------------ | ------------------- | ---------------- | ------------- |
 * | contact profile   | USER#<id>          | PROFILE             |                  |               |
 * | contact month     | USER#<id>          | PROFILE#<yyyy-mm>   |                  |               |
 * | membership        | USER#<id>          | CHAT#<chatId>       | CHAT#<chatId>    | USER#<id>     |
 * | shared contact    | USER#<ownerId>     | SHARED#<ref>        | SHAREDOF#<id>    | USER#<owner>  |
 * | chat profile      | CHAT#<id>          | PROFILE             |                  |               |
 * | chat month        | CHAT#<id>          | PROFILE#<yyyy-mm>   |                  |               |
 * | username index    | USERNAME#<lower>   | USER#<id>           |                  |               |
 * | phone index       | PHONE#<e164>       | USER#<id>           |                  |               |
 * | update marker     | UPDATE#<updateId>  | UPDATE              |                  |               |
 * | API key           | APIKEY#<sha256>    | APIKEY              | APIKEYS          | <created>#<id>|
 *
 * A profile and its monthly counters share a prefix, so one Query reads a whole contact.
 */
export interface Key {
  pk: string;
  sk: string;
}

export const PROFILE = 'PROFILE';

export const userPk = (userId: number) => `USER#${userId}`;
export const chatPk = (chatId: number) => `CHAT#${chatId}`;

export const contactKey = (userId: number): Key => ({ pk: userPk(userId), sk: PROFILE });
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

export const usernameKey = (username: string, userId: number): Key => ({
  pk: `USERNAME#${username.toLowerCase()}`,
  sk: userPk(userId),
});
export const usernamePk = (username: string) => `USERNAME#${username.toLowerCase()}`;

export const phoneKey = (e164: string, userId: number): Key => ({
  pk: `PHONE#${e164}`,
  sk: userPk(userId),
});
export const phonePk = (e164: string) => `PHONE#${e164}`;

export const updateMarkerKey = (updateId: number): Key => ({
  pk: `UPDATE#${updateId}`,
  sk: 'UPDATE',
});

export const apiKeyKey = (hash: string): Key => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' });
export const API_KEYS_INDEX_PK = 'APIKEYS';
/** GSI1 keys of an API key item: listed under APIKEYS in creation order. */
export const apiKeyIndexKeys = (createdAt: string, id: string) => ({
  gsi1pk: API_KEYS_INDEX_PK,
  gsi1sk: `${createdAt}#${id}`,
});

/** Parses the numeric id at the end of a `USER#<id>` / `CHAT#<id>` key part. */
export function idFromKey(key: string): number {
  return Number(key.slice(key.lastIndexOf('#') + 1));
}
