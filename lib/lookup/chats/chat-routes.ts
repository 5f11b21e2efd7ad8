/**
 * The routes of the chats resource (`/v1/chats/{chatId}...`): a chat, its members (a page, or
 * all of them in one export file), its activity, its membership events and its top members.
 */
import { LAMBDA_RESPONSE_LIMIT_BYTES } from '../../http/raw-response.ts';
import { MAX_SORTED_MEMBERS } from '../limits.ts';
import { defineRoute, found, type Route } from '../route.ts';
import { activityQuery, chatParams, eventsQuery, noQuery } from '../schemas.ts';
import {
  Chat,
  ChatActivity,
  exportQuery,
  membersQuery,
  TopMembers,
  topQuery,
} from './chat-schemas.ts';
import {
  getChatActivity,
  getChatById,
  getTopMembers,
  listEventsOfChat,
  listMembersOfChat,
} from './chats-service.ts';
import { EXPORT_MEDIA_TYPES } from './export-format.ts';
import { describeExportCapacity } from './export-size.ts';
import { exportChatMembers } from './member-export.ts';
import {
  MEMBERSHIP_EVENTS_DESCRIPTION,
  MemberExportRow,
  MembershipEventList,
  MembershipList,
} from './membership-schemas.ts';

export const chatRoutes: readonly Route[] = [
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
      'Cache-Control': {
        description: 'no-store: the file holds personal data; no cache keeps a copy',
      },
    },
    errors: [413],
    errorHeaders: {
      413: {
        Link: {
          description:
            'The paginated member list to read instead: </v1/chats/<chatId>/members>; rel="alternate"',
        },
      },
    },
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
    description: MEMBERSHIP_EVENTS_DESCRIPTION,
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
];
