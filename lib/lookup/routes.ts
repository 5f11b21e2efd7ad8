/** The lookup API's routes (DESIGN.md's lookup table), each bound to one service call. */
import { HttpError } from '../http/http-error.ts';
import { LAMBDA_RESPONSE_LIMIT_BYTES } from '../http/raw-response.ts';
import {
  getChatActivity,
  getChatById,
  getTopMembers,
  listEventsOfChat,
  listMembersOfChat,
} from './chats-service.ts';
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
import { EXPORT_MEDIA_TYPES } from './export-format.ts';
import { describeExportCapacity } from './export-size.ts';
import { MAX_SORTED_MEMBERS } from './limits.ts';
import { exportChatMembers } from './member-export.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { defineRoute, type Route } from './route.ts';
import {
  Activity,
  activityQuery,
  Chat,
  ChatActivity,
  Contact,
  ContactList,
  ContactPatch,
  chatParams,
  eventsQuery,
  exportQuery,
  listQuery,
  MemberExportRow,
  Membership,
  MembershipEventList,
  MembershipList,
  membershipParams,
  membershipQuery,
  membersQuery,
  noParams,
  noQuery,
  OpenApiDocument,
  SharedContactList,
  searchQuery,
  TopMembers,
  topQuery,
  userParams,
} from './schemas.ts';

const EVENTS_DESCRIPTION =
  "Newest first. from and to (UTC dates, inclusive, each optional) bound when; kind keeps one kind. Sources: chat_member updates (when the bot receives them), join and leave service messages, and the bot's own my_chat_member. One change reported by two of them in the same second is one event. Kept RETENTION_DAYS (default 400).";

function found<T>(value: T | null, detail: string): T {
  if (value === null) throw new HttpError(404, detail);
  return value;
}

let openApiDocument: object | undefined;

export const LOOKUP_ROUTES: readonly Route[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/contacts',
    operationId: 'searchContacts',
    summary: 'Find contacts by username, verified phone or tag',
    description:
      'Exactly one of username (exact, case-insensitive, @ optional), phone (normalized to E.164; only verified phones match) and tag (a tag set with PATCH, case-insensitive). Pages by tag run over the tag index: a page may hold fewer items than limit.',
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
    description: EVENTS_DESCRIPTION,
    scope: 'read',
    params: userParams,
    query: eventsQuery,
    status: 200,
    response: MembershipEventList,
    run: (ctx, { params, query }) => listContactEvents(ctx, params.userId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/chats/{chatId}',
    operationId: 'getChat',
    summary: 'A chat',
    scope: 'read',
    params: chatParams,
    query: noQuery,
    status: 200,
    response: Chat,
    errors: [404],
    run: async (ctx, { params }) =>
      found(await getChatById(ctx, params.chatId), `no chat with id ${params.chatId}`),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/chats/{chatId}/members',
    operationId: 'listChatMembers',
    summary: 'Current and former members of a chat, each membership with the user',
    description: [
      'status keeps members (isMember true) or those who left (isMember false); default all. tag keeps members whose contact has that tag (set with PATCH /v1/contacts/{userId}).',
      'Without sort, pages follow the chat index (with tag, the tag index): one Query and one BatchGetItem per page, and status (and tag) are applied to each page after it is read, so a page may hold fewer than limit members (even none) while nextCursor says more remain: follow it until it is absent.',
      `With sort (lastSeen, messages or joined; descending, ties by userId ascending, members without the value last) every page reads the whole member list (one Query per ~13,000 members, one BatchGetItem per 100) and sorts it: about members / 100 + 1 DynamoDB requests per page (with tag, also the tag index and the tagged members' notes). Chats of more than ${MAX_SORTED_MEMBERS} members answer 413 with sort. The cursor holds the position after the page's last member: a member whose value changes between two pages may be listed twice or not at all.`,
    ].join('\n\n'),
    scope: 'read',
    params: chatParams,
    query: membersQuery,
    status: 200,
    response: MembershipList,
    errors: [413],
    run: (ctx, { params, query }) => listMembersOfChat(ctx, params.chatId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/chats/{chatId}/members/export',
    operationId: 'exportChatMembers',
    summary: 'Every member of a chat in one CSV or NDJSON file',
    description: [
      'Every member of the chat, current and former, ordered by userId, as an attachment: CSV (format=csv, the default: text/csv; charset=utf-8, a header row, RFC 4180 quoting, CRLF line ends) or NDJSON (format=ndjson: application/x-ndjson, one JSON object per line). Columns, in this order: userId, username, firstName, lastName, status, isMember, joinedAt, leftAt, firstSeenAt, lastSeenAt, messageCount, tags (joined by a space in CSV, an array in NDJSON), and phoneNumber with includePhone=true, which needs an admin key (403 otherwise). Absent values are empty cells in CSV and left out in NDJSON (x-item-schema of the NDJSON answer).',
      "Names are those the membership holds: the member's names as of their last update recorded in this chat, as in the member list. In CSV a cell starting with =, +, -, @, tab or CR gets a leading ' so spreadsheets do not run it as a formula (verified phones read '+15551234567); NDJSON keeps values as stored.",
      describeExportCapacity(LAMBDA_RESPONSE_LIMIT_BYTES),
      "Cost: one Query per ~13,000 members, one BatchGetItem per 100 memberships and per 100 members' tags (per 50 with phones), 8 in flight.",
    ].join('\n\n'),
    scope: 'read',
    params: chatParams,
    query: exportQuery,
    status: 200,
    media: {
      [EXPORT_MEDIA_TYPES.csv]: {
        description: 'CSV (RFC 4180): a header row, then one record per member, CRLF line ends',
        example:
          'userId,username,firstName,lastName,status,isMember,joinedAt,leftAt,firstSeenAt,lastSeenAt,messageCount,tags\r\n1001,alice_smith,Alice,Smith,member,true,2025-11-24T16:00:00.000Z,,2025-11-24T16:00:00.000Z,2025-11-25T16:00:00.000Z,2,customer vip\r\n',
      },
      [EXPORT_MEDIA_TYPES.ndjson]: {
        description: 'NDJSON: one member per line (x-item-schema), LF line ends',
        itemSchema: MemberExportRow,
        example:
          '{"userId":1001,"username":"alice_smith","firstName":"Alice","lastName":"Smith","status":"member","isMember":true,"joinedAt":"2025-11-24T16:00:00.000Z","firstSeenAt":"2025-11-24T16:00:00.000Z","lastSeenAt":"2025-11-25T16:00:00.000Z","messageCount":2,"tags":["customer","vip"]}\n',
      },
    },
    successHeaders: {
      'Content-Disposition': {
        description: 'attachment; filename="chat-<chatId>-members.csv" (or .ndjson)',
      },
    },
    errors: [413],
    run: (ctx, { params, query }) => exportChatMembers(ctx, params.chatId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/chats/{chatId}/activity',
    operationId: 'getChatActivity',
    summary: 'Messages, distinct senders, joins and leaves per UTC day in the chat',
    description:
      "from and to are inclusive, from <= to, at most 366 days. Unknown chats have no days. activeMembers counts distinct senders of the day (a member erased and writing again that day counts again). joins and leaves count membership events (an erased member's events go with them). hours counts the whole UTC months the range touches (hoursRange).",
    scope: 'read',
    params: chatParams,
    query: activityQuery,
    status: 200,
    response: ChatActivity,
    run: (ctx, { params, query }) => getChatActivity(ctx, params.chatId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/chats/{chatId}/events',
    operationId: 'listChatEvents',
    summary: "The chat's membership events: joins, leaves, removals, changes",
    description: EVENTS_DESCRIPTION,
    scope: 'read',
    params: chatParams,
    query: eventsQuery,
    status: 200,
    response: MembershipEventList,
    run: (ctx, { params, query }) => listEventsOfChat(ctx, params.chatId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/chats/{chatId}/top',
    operationId: 'getTopMembers',
    summary: 'Members ranked by messages',
    description:
      "Counts the whole UTC months that from-to touches (each membership keeps its messages per month; the answer's from and to say which days counted). At most 366 days; limit 1-100 (default 10); ties by user id. Months past RETENTION_DAYS are not counted. Reads every membership of the chat: one index Query page and one BatchGet per 100 members.",
    scope: 'read',
    params: chatParams,
    query: topQuery,
    status: 200,
    response: TopMembers,
    run: (ctx, { params, query }) => getTopMembers(ctx, params.chatId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document (public: no key needed)',
    scope: 'public',
    params: noParams,
    query: noQuery,
    status: 200,
    response: OpenApiDocument,
    run: async () => {
      openApiDocument ??= buildOpenApiDocument(LOOKUP_ROUTES);
      return openApiDocument;
    },
  }),
];
