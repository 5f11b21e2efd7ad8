/**
 * Schemas of the chats resource: a chat, its member list's and export's queries (the export's
 * rows are memberships: membership-schemas.ts), its activity by day and its top members.
 */
import * as z from 'zod';
import { ContactSummary } from '../contacts/contact-schemas.ts';
import {
  chatType,
  cursor,
  dateRangeQuery,
  hours,
  hoursRange,
  limit,
  limitOf,
  MAX_LIMIT,
  memberStatus,
  oneOf,
  queryFlag,
  tagQuery,
  time,
  userIdValue,
} from '../schemas.ts';
import { EXPORT_FORMATS } from './export-format.ts';
import { MEMBER_SORTS, MEMBER_STATUS_FILTERS } from './member-order.ts';

export const TOP_DEFAULT_LIMIT = 10;

/** The members list's query: `?tag=`, `?status=`, `?sort=`. */
export const membersQuery = z.object({
  tag: tagQuery,
  limit,
  cursor,
  status: z
    .enum(MEMBER_STATUS_FILTERS, { error: oneOf('status', MEMBER_STATUS_FILTERS) })
    .default('all')
    .meta({
      description:
        'member: isMember true; left: isMember false (left, kicked, or restricted outside the chat); all (default)',
    }),
  sort: z
    .enum(MEMBER_SORTS, { error: oneOf('sort', MEMBER_SORTS) })
    .optional()
    .meta({
      description:
        'Descending by lastSeenAt, messageCount or joinedAt; ties by userId ascending; members without the value last. Reads every member of the chat on each page (see the description)',
    }),
});

export const exportQuery = z.object({
  format: z
    .enum(EXPORT_FORMATS, { error: oneOf('format', EXPORT_FORMATS) })
    .default('csv')
    .meta({
      description: 'csv (default): text/csv with a header row; ndjson: one JSON object per line',
    }),
  includePhone: queryFlag('includePhone').meta({
    description:
      'true: add the phoneNumber column (verified phones); only with an admin key (403 otherwise)',
  }),
});

export const topQuery = dateRangeQuery({
  limit: limitOf(TOP_DEFAULT_LIMIT, `How many members, 1-${MAX_LIMIT}`),
});

/** A chat profile without counters (embedded in a user's memberships). */
export const ChatSummary = z.object({
  id: z.int(),
  type: chatType,
  title: z.string().optional(),
  username: z.string().optional(),
  botStatus: memberStatus.optional(),
  firstSeenAt: time.optional(),
});

export const Chat = ChatSummary.extend({
  lastSeenAt: time.optional(),
  messageCount: z.int().min(0),
});

/**
 * A day of the chat with a message, a join or a leave: messages is 0 on a day with only joins
 * or leaves.
 */
export const ChatActivityDay = z.object({
  date: z.iso.date(),
  messages: z.int().min(0),
  activeMembers: z.int().min(0).meta({ description: 'Distinct senders that day' }),
  joins: z.int().min(0),
  leaves: z.int().min(0).meta({ description: 'Leaves and removals' }),
});

/** Days with a message, a join or a leave, by the UTC date of the update, in date order. */
export const ChatActivity = z.object({ days: z.array(ChatActivityDay), hours, hoursRange });

/**
 * A member and their messages in the range (messages, like ActivityDay; a contact or
 * membership counts messageCount over all time).
 */
export const TopMember = z.object({
  userId: userIdValue,
  messages: z.int().min(1),
  user: ContactSummary.optional(),
});

/**
 * Members by messages over the whole UTC months the range touches, most first, ties by user
 * id.
 */
export const TopMembers = z.object({
  from: z.iso.date().meta({ description: 'First day counted (the first of its month)' }),
  to: z.iso.date().meta({ description: 'Last day counted (the last of its month)' }),
  items: z.array(TopMember),
});
