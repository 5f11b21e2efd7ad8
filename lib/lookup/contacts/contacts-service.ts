/**
 * Lookups about one contact: profile, search, chats, membership, shared contacts, activity;
 * tags and note; erasure.
 */

import { eraseUser } from '../../directory/erasure/erasure.ts';
import { type Activity, contactActivity } from '../../directory/read/activity.ts';
import { findByPhone, findByUsername } from '../../directory/read/contact-search.ts';
import { type EventFilter, listUserEvents } from '../../directory/read/membership-events.ts';
import { getMembership, listUserChats } from '../../directory/read/memberships.ts';
import { getContactWithNotes } from '../../directory/read/profiles.ts';
import type {
  ActivityDay,
  Contact,
  Membership,
  MembershipEvent,
  SharedContact,
} from '../../directory/read/shapes.ts';
import { listSharedBy } from '../../directory/read/shared-contacts.ts';
import { type NotesPatch, patchContactNotes } from '../../directory/tags/contact-notes.ts';
import { findByTag } from '../../directory/tags/tagged-contacts.ts';
import { logger } from '../../logger.ts';
import { checkMembershipLive } from '../chats/membership-live.ts';
import { callerOf, type LookupContext, type RequestContext } from '../context.ts';
import { type List, type ListQuery, readList } from '../paging.ts';

/** One Query: the profile and its monthly counters. */
export function getContactById(ctx: LookupContext, userId: number): Promise<Contact | null> {
  return getContactWithNotes(ctx.store, userId);
}

export type ContactSearch = ListQuery & { username?: string; phone?: string; tag?: string };

/** By username (without @, any case), by normalized verified phone or by tag (lower-case). */
export function searchContacts(ctx: RequestContext, query: ContactSearch): Promise<List<Contact>> {
  const { username, phone, tag } = query;
  if (tag !== undefined) {
    return readList(ctx, `tag:${tag}`, query, (page) => findByTag(ctx.store, tag, page));
  }
  if (username !== undefined) {
    return readList(ctx, `username:${username.toLowerCase()}`, query, (page) =>
      findByUsername(ctx.store, username, page),
    );
  }
  if (phone !== undefined) {
    return readList(ctx, `phone:${phone}`, query, (page) => findByPhone(ctx.store, phone, page));
  }
  return Promise.resolve({ items: [] });
}

/**
 * Applies a merge patch of tags and note; the contact as it then is, or null (404) for a
 * user never seen or erased, also by an erasure that ran during the patch.
 */
export function patchContact(
  ctx: LookupContext,
  userId: number,
  patch: NotesPatch,
): Promise<Contact | null> {
  return patchContactNotes(ctx.store, userId, patch);
}

export function listContactChats(
  ctx: RequestContext,
  userId: number,
  query: ListQuery,
): Promise<List<Membership>> {
  return readList(ctx, `chats:${userId}`, query, (page) => listUserChats(ctx.store, userId, page));
}

/**
 * The stored membership, or with `live` Telegram's answer over it; `store` (a caller that may
 * write) also records that answer on the stored membership.
 */
export function getContactMembership(
  ctx: LookupContext,
  userId: number,
  chatId: number,
  live: boolean,
  store = false,
): Promise<Membership | null> {
  return live
    ? checkMembershipLive(ctx, userId, chatId, { store })
    : getMembership(ctx.store, userId, chatId);
}

export function listSharedContacts(
  ctx: RequestContext,
  userId: number,
  query: ListQuery,
): Promise<List<SharedContact>> {
  return readList(ctx, `shared:${userId}`, query, (page) => listSharedBy(ctx.store, userId, page));
}

export function getContactActivity(
  ctx: LookupContext,
  userId: number,
  range: { from: string; to: string },
): Promise<Activity<ActivityDay>> {
  return contactActivity(ctx.store, userId, range.from, range.to);
}

/** The user's membership events in every chat, newest first: one Query per page. */
export function listContactEvents(
  ctx: RequestContext,
  userId: number,
  query: ListQuery & EventFilter,
): Promise<List<MembershipEvent>> {
  const { from, to, kind } = query;
  return readList(ctx, `events:user:${userId}:${from}:${to}:${kind}`, query, (page) =>
    listUserEvents(ctx.store, userId, { from, to, kind }, page),
  );
}

/**
 * Everything about the user, as the bot's /forget does. Idempotent. Each erasure leaves one
 * audit line: who asked (the API key's id, never the key), about whom, and what it removed.
 */
export async function eraseContact(ctx: RequestContext, userId: number): Promise<void> {
  const { keyId } = callerOf(ctx);
  const result = await eraseUser(ctx.store, userId);
  logger.info('erase', { action: 'erase', keyId, userId, ...result });
}
