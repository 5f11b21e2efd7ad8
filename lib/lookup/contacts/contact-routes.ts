/**
 * The routes of the contacts resource (`/v1/contacts...`): search, read, patch and erase a
 * contact, and read its chats, shared contacts, activity and membership events. Sending a
 * contact a message is the messages resource's (messages/message-routes.ts).
 */
import {
  MEMBERSHIP_EVENTS_DESCRIPTION,
  Membership,
  MembershipEventList,
  MembershipList,
  membershipQuery,
} from '../chats/membership-schemas.ts';
import { defineRoute, found, type Route } from '../route.ts';
import {
  activityQuery,
  eventsQuery,
  listQuery,
  membershipParams,
  noParams,
  noQuery,
  userParams,
} from '../schemas.ts';
import {
  Activity,
  Contact,
  ContactList,
  ContactPatch,
  SharedContactList,
  searchQuery,
} from './contact-schemas.ts';
import {
  eraseContact,
  getContactActivity,
  getContactById,
  getContactMembership,
  listContactChats,
  listContactEvents,
  listSharedContacts,
  patchContact,
  searchContacts,
} from './contacts-service.ts';

export const contactRoutes: readonly Route[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/contacts',
    operationId: 'searchContacts',
    summary: 'Find contacts by username, verified phone or tag',
    description:
      'Exactly one of username (exact, case-insensitive, @ optional), phone (normalized to E.164; only verified phones match) and tag (a tag set with PATCH, case-insensitive). Pages by tag run over the tag index: a page may hold fewer items than limit. A key without the phones permission gets contacts without phoneNumber, but a search by phone answers it too: it tells a caller who has a number whether that number is known here.',
    scope: 'read',
    params: noParams,
    query: searchQuery,
    status: 200,
    response: ContactList,
    run: (ctx, { query }) => searchContacts(ctx, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/contacts/{userId}',
    operationId: 'getContact',
    summary: 'A contact',
    scope: 'read',
    params: userParams,
    query: noQuery,
    status: 200,
    response: Contact,
    errors: [404],
    run: async (ctx, { params }) =>
      found(await getContactById(ctx, params.userId), `no contact with id ${params.userId}`),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/contacts/{userId}',
    operationId: 'patchContact',
    summary: 'Set the tags and note of a contact (write)',
    description:
      'A JSON merge patch (RFC 7396, application/merge-patch+json; any other Content-Type is 415): a member left out stays as it is, null removes it. tags replaces the tag list (at most 20, each 1-32 of a-z, 0-9, _ and -, lower-cased, duplicates collapsed); note replaces the note (at most 2,000 characters). Answers the contact as GET does. 404 for a user never seen or erased, also when an erasure runs during the patch.',
    scope: 'write',
    params: userParams,
    query: noQuery,
    body: {
      mediaType: 'application/merge-patch+json',
      schema: ContactPatch,
      description: 'The members to change: tags, note',
    },
    status: 200,
    response: Contact,
    errors: [404, 415],
    run: async (ctx, { params, body }) =>
      found(await patchContact(ctx, params.userId, body), `no contact with id ${params.userId}`),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/contacts/{userId}',
    operationId: 'eraseContact',
    summary: 'Erase everything stored about a user (admin)',
    description:
      'Removes the profile, counters, tags and note, memberships, shared contacts (theirs and of them) and index entries. Idempotent: 204 also when nothing was stored.',
    scope: 'admin',
    params: userParams,
    query: noQuery,
    status: 204,
    run: (ctx, { params }) => eraseContact(ctx, params.userId),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/contacts/{userId}/chats',
    operationId: 'listContactChats',
    summary: 'The chats a user is or was in, each membership with its chat',
    scope: 'read',
    params: userParams,
    query: listQuery,
    status: 200,
    response: MembershipList,
    run: (ctx, { params, query }) => listContactChats(ctx, params.userId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/contacts/{userId}/chats/{chatId}',
    operationId: 'getMembership',
    summary: "One membership; live=true asks Telegram for the user's status now",
    description:
      "With live=true the answer carries Telegram's status now. An admin key also stores it on the recorded membership; a read key never writes, and nothing is ever stored for a user or membership never recorded (or erased). 404 when Telegram knows no such user or chat, 409 when the bot is not in the chat or lacks rights, 502 when Telegram cannot be reached, 503 when no bot token is configured.",
    scope: 'read',
    params: membershipParams,
    query: membershipQuery,
    status: 200,
    response: Membership,
    errors: [404, 409, 502, 503],
    run: async (ctx, { params, query }) =>
      found(
        await getContactMembership(
          ctx,
          params.userId,
          params.chatId,
          query.live,
          ctx.caller?.scope === 'admin',
        ),
        `user ${params.userId} has no recorded membership in chat ${params.chatId}`,
      ),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/contacts/{userId}/shared',
    operationId: 'listSharedContacts',
    summary: 'Contacts this user shared with the bot',
    scope: 'read',
    params: userParams,
    query: listQuery,
    status: 200,
    response: SharedContactList,
    run: (ctx, { params, query }) => listSharedContacts(ctx, params.userId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/contacts/{userId}/activity',
    operationId: 'getContactActivity',
    summary: 'Messages per UTC day sent by the user, and by weekday and hour',
    description:
      'from and to are inclusive, from <= to, at most 366 days. Unknown users have no days. hours counts the whole UTC months the range touches (hoursRange). Kept RETENTION_DAYS after each month.',
    scope: 'read',
    params: userParams,
    query: activityQuery,
    status: 200,
    response: Activity,
    run: (ctx, { params, query }) => getContactActivity(ctx, params.userId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/contacts/{userId}/events',
    operationId: 'listContactEvents',
    summary: "The user's membership events in every chat: joins, leaves, removals, changes",
    description: MEMBERSHIP_EVENTS_DESCRIPTION,
    scope: 'read',
    params: userParams,
    query: eventsQuery,
    status: 200,
    response: MembershipEventList,
    run: (ctx, { params, query }) => listContactEvents(ctx, params.userId, query),
  }),
];
