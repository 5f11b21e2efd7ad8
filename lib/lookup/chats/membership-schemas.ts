/**
 * Schemas of memberships, which both resources show: a user's chats and a chat's members
 * (each membership embedding the other side), the `?live=` flag of one membership, and the
 * membership events of a user or a chat, and the rows of a chat's member export.
 */
import * as z from 'zod';
import { ContactSummary } from '../contacts/contact-schemas.ts';
import { eventKind, listOf, memberStatus, queryFlag, time, userIdValue } from '../schemas.ts';
import { ChatSummary } from './chat-schemas.ts';

/** The description of both event lists (a user's, a chat's). */
export const MEMBERSHIP_EVENTS_DESCRIPTION =
  "Newest first. from and to (UTC dates, inclusive, each optional) bound when; kind keeps one kind. Sources: chat_member updates (when the bot receives them), join and leave service messages, and the bot's own my_chat_member. One change reported by two of them in the same second is one event. Kept RETENTION_DAYS (default 400).";

export const membershipQuery = z.object({
  live: queryFlag('live').meta({
    description: 'true: ask Telegram now (getChatMember) and store the answer',
  }),
});

/** What a membership is now, and was: in the API's answers and in the member export. */
const MEMBERSHIP_STATE = {
  status: memberStatus,
  isMember: z.boolean(),
  joinedAt: time.optional(),
  leftAt: time.optional(),
  firstSeenAt: time.optional(),
  lastSeenAt: time.optional(),
  messageCount: z.int().min(0),
};

/** chat is embedded in a user's chats, user in a chat's members. */
export const Membership = z.object({
  userId: userIdValue,
  chatId: z.int(),
  ...MEMBERSHIP_STATE,
  chat: ChatSummary.optional(),
  user: ContactSummary.optional(),
});

export const MembershipEvent = z.object({
  chatId: z.int(),
  userId: userIdValue.meta({
    description:
      "The member. For the bot's own join or removal (my_chat_member) it is the bot's id, which is not a contact: GET /v1/contacts/{userId} answers 404 for it",
  }),
  at: time,
  kind: eventKind.meta({
    description:
      'join: not a member -> member; leave: member -> not a member, by the user; remove: the same by someone else (kicked or banned); change: member -> member with another status',
  }),
  fromStatus: memberStatus,
  toStatus: memberStatus,
  actorId: userIdValue
    .nullable()
    .optional()
    .meta({ description: 'Who made the change; null when the actor has been erased' }),
  inviteLink: z
    .string()
    .optional()
    .meta({ description: "The invite link's name, else the link as Telegram shows it" }),
  viaJoinRequest: z.boolean(),
});

/**
 * A line of the member export, and the columns of its CSV. Inlined as the export's
 * x-item-schema, not a component: only that extension would $ref it, which linters do not
 * follow (Redocly reports the component unused).
 */
export const MemberExportRow = z
  .object({
    userId: userIdValue,
    username: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    ...MEMBERSHIP_STATE,
    tags: z.array(z.string()),
    phoneNumber: z.string().optional().meta({
      description: 'Only with includePhone=true, which needs an admin key',
    }),
  })
  .meta({
    description:
      'One member in an export: a line of the NDJSON file, or a CSV record with these columns in this order (tags joined by a space, absent values empty)',
  });

export const MembershipList = listOf(Membership);
export const MembershipEventList = listOf(MembershipEvent);
