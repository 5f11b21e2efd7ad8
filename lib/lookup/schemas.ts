/**
 * The lookup API's zod schemas: one source of truth for validating requests, shaping
 * responses (parsing strips anything not in the shape) and the OpenAPI document
 * (`openapi.ts` turns them into JSON Schema). Component schemas are registered in
 * `components` under the names the document uses.
 */
import * as z from 'zod';
import { ALTERED_CURSOR_DETAIL, MAX_CURSOR_LENGTH } from '../http/cursor.ts';
import { normalizePhone } from '../phone.ts';
import { EXPORT_FORMATS } from './export-format.ts';
import { MEMBER_SORTS, MEMBER_STATUS_FILTERS } from './member-order.ts';

/** Component schemas of the OpenAPI document, by name. */
export const components = z.registry<{ id: string; description?: string }>();

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;
/** Longest activity range, in days counted inclusively (a leap year). */
export const MAX_ACTIVITY_DAYS = 366;

// ---- request ----

const idParam = (name: string) =>
  z
    .string()
    .regex(/^-?\d{1,16}$/, { error: `${name} must be an integer` })
    .transform(Number)
    .pipe(z.int({ error: `${name} is out of range` }))
    .meta({ description: `Telegram ${name === 'userId' ? 'user' : 'chat'} id (an integer)` });

export const userParams = z.object({ userId: idParam('userId') });
export const chatParams = z.object({ chatId: idParam('chatId') });
export const membershipParams = z.object({ userId: idParam('userId'), chatId: idParam('chatId') });
export const noParams = z.object({});

/** A `limit` parameter: an integer from 1 to MAX_LIMIT, `fallback` when absent. */
const limitOf = (fallback: number, description: string) =>
  z
    .string()
    .regex(/^\d{1,3}$/, { error: `limit must be an integer from 1 to ${MAX_LIMIT}` })
    .transform(Number)
    .pipe(
      z
        .int()
        .min(1, { error: `limit must be an integer from 1 to ${MAX_LIMIT}` })
        .max(MAX_LIMIT, { error: `limit must be an integer from 1 to ${MAX_LIMIT}` }),
    )
    .default(fallback)
    .meta({ description });

const limit = limitOf(DEFAULT_LIMIT, `Page size, 1-${MAX_LIMIT}`);

const cursor = z
  .string()
  .min(1, { error: 'cursor must not be empty' })
  .max(MAX_CURSOR_LENGTH, { error: ALTERED_CURSOR_DETAIL })
  .optional()
  .meta({
    description:
      'The nextCursor of the previous page, unchanged, sent with the same API key within 24 hours',
  });

export const listQuery = z.object({ limit, cursor });

const oneOf = (name: string, values: readonly string[]) =>
  `${name} must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

export const exportQuery = z.object({
  format: z
    .enum(EXPORT_FORMATS, { error: oneOf('format', EXPORT_FORMATS) })
    .default('csv')
    .meta({
      description: 'csv (default): text/csv with a header row; ndjson: one JSON object per line',
    }),
  includePhone: z
    .enum(['true', 'false'], { error: 'includePhone must be true or false' })
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'true: add the phoneNumber column (verified phones); admin keys only' }),
});

const username = z
  .string()
  .regex(/^@?[A-Za-z0-9_]{1,64}$/, {
    error: 'username must be letters, digits and underscores, with an optional leading @',
  })
  .transform((s) => s.replace(/^@/, ''))
  .optional()
  .meta({ description: 'Exact username, case-insensitive; the leading @ is optional' });

const phone = z
  .string()
  .max(40, { error: 'phone is not a phone number' })
  .transform((s, ctx) => {
    const e164 = normalizePhone(s);
    if (e164 === undefined) {
      ctx.issues.push({ code: 'custom', message: 'phone is not a phone number', input: s });
      return z.NEVER;
    }
    return e164;
  })
  .optional()
  .meta({
    description:
      'Phone number in international form, any common formatting (+1 555 123-4567, 15551234567); only verified phones match',
  });

/** A tag as stored: 1-32 of `a-z0-9_-`. */
export const TAG_PATTERN = /^[a-z0-9_-]{1,32}$/;
/** A tag as sent: letters in any case, stored lower-cased. */
const TAG_INPUT = /^[A-Za-z0-9_-]{1,32}$/;
export const MAX_TAGS = 20;
/** Longest note, in characters (Unicode code points). */
export const MAX_NOTE_LENGTH = 2000;
const TAG_RULE = '1-32 characters of a-z, 0-9, _ and - (letters in any case)';

const tagText = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .regex(TAG_INPUT, { error: `${what} must be ${TAG_RULE}` })
    .transform((s) => s.toLowerCase());

const tagQuery = tagText('tag')
  .optional()
  .meta({ description: 'A tag set with PATCH /v1/contacts/{userId}; letters in any case' });

export const searchQuery = z
  .object({ username, phone, tag: tagQuery, limit, cursor })
  .refine((q) => [q.username, q.phone, q.tag].filter((v) => v !== undefined).length === 1, {
    error: 'give exactly one of username, phone and tag',
  });

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

export const membershipQuery = z.object({
  live: z
    .enum(['true', 'false'], { error: 'live must be true or false' })
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'true: ask Telegram now (getChatMember) and store the answer' }),
});

const date = (name: string) =>
  z.iso
    .date({ error: `${name} must be a date YYYY-MM-DD` })
    .meta({ description: 'UTC date YYYY-MM-DD, inclusive' });

const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The range checks run only on two valid dates: a bad date is reported once, by itself. */
const datesValid = {
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};

export const activityQuery = z
  .object({ from: date('from'), to: date('to') })
  .refine((q) => q.from <= q.to, { error: 'from must not be after to', ...datesValid })
  .refine((q) => q.from > q.to || daysBetween(q.from, q.to) + 1 <= MAX_ACTIVITY_DAYS, {
    error: `the range may span at most ${MAX_ACTIVITY_DAYS} days`,
    ...datesValid,
  });

const eventKind = z.enum(['join', 'leave', 'remove', 'change']);

/** Membership events: an optional date range (each end optional) and kind, paginated. */
export const eventsQuery = z
  .object({
    from: date('from').optional(),
    to: date('to').optional(),
    kind: z
      .enum(eventKind.options, { error: 'kind must be one of join, leave, remove, change' })
      .optional(),
    limit,
    cursor,
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    error: 'from must not be after to',
    ...datesValid,
  });

export const TOP_DEFAULT_LIMIT = 10;

export const topQuery = z
  .object({
    from: date('from'),
    to: date('to'),
    limit: limitOf(TOP_DEFAULT_LIMIT, `How many members, 1-${MAX_LIMIT}`),
  })
  .refine((q) => q.from <= q.to, { error: 'from must not be after to', ...datesValid })
  .refine((q) => q.from > q.to || daysBetween(q.from, q.to) + 1 <= MAX_ACTIVITY_DAYS, {
    error: `the range may span at most ${MAX_ACTIVITY_DAYS} days`,
    ...datesValid,
  });

export const noQuery = z.object({});

const codePoints = (s: string) => [...s].length;

/**
 * `PATCH /v1/contacts/{userId}`: a JSON merge patch (RFC 7396) of a contact's tags and note.
 * An absent member is left as it is, `null` removes it; unknown members are refused.
 */
export const ContactPatch = z
  .strictObject(
    {
      tags: z
        .array(tagText('each tag'), { error: 'tags must be an array of strings, or null' })
        .transform((tags) => [...new Set(tags)].sort())
        .refine((tags) => tags.length <= MAX_TAGS, {
          error: `tags may hold at most ${MAX_TAGS} different tags`,
        })
        .nullable()
        .optional()
        .meta({
          description: `The contact's tags, replacing the present ones: at most ${MAX_TAGS}, each ${TAG_RULE}, stored lower-cased, duplicates collapsed; [] or null removes them all`,
          maxItems: MAX_TAGS,
        }),
      note: z
        .string({ error: 'note must be a string, or null' })
        .refine((note) => codePoints(note) <= MAX_NOTE_LENGTH, {
          error: `note must be at most ${MAX_NOTE_LENGTH} characters`,
        })
        .nullable()
        .optional()
        .meta({
          description: `Free text of at most ${MAX_NOTE_LENGTH} characters, replacing the present note; null removes it`,
          maxLength: MAX_NOTE_LENGTH,
        }),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown member${issue.keys.length > 1 ? 's' : ''} ${issue.keys
              .slice(0, 5)
              .map((key) => JSON.stringify(key.slice(0, 40)))
              .join(', ')}: a contact patch has only tags and note`
          : 'the body must be a JSON object (a JSON merge patch of tags and note)',
    },
  )
  .meta({ description: 'A JSON merge patch (RFC 7396) of the contact: tags and note' });
export type ContactPatch = z.output<typeof ContactPatch>;

// ---- response ----

const time = z.iso.datetime();
const chatType = z.enum(['private', 'group', 'supergroup', 'channel']);
const memberStatus = z.enum(['creator', 'administrator', 'member', 'restricted', 'left', 'kicked']);

export const ContactSummary = z
  .object({
    id: z.int(),
    isBot: z.boolean(),
    firstName: z.string(),
    lastName: z.string().optional(),
    username: z.string().optional(),
    languageCode: z.string().optional(),
    isPremium: z.boolean().optional(),
    phoneNumber: z.string().optional().meta({ description: 'Verified phone, E.164' }),
    botBlocked: z.boolean().optional(),
    firstSeenAt: time.optional(),
  })
  .register(components, {
    id: 'ContactSummary',
    description: 'A contact profile without counters',
  });

export const Contact = ContactSummary.extend({
  lastSeenAt: time.optional(),
  messageCount: z.int().min(0),
  tags: z
    .array(z.string().regex(TAG_PATTERN))
    .min(1)
    .max(MAX_TAGS)
    .optional()
    .meta({ description: 'Tags an application set (PATCH), sorted; absent when there are none' }),
  note: z.string().optional().meta({ description: 'The note an application set (PATCH)' }),
}).register(components, { id: 'Contact' });

export const ChatSummary = z
  .object({
    id: z.int(),
    type: chatType,
    title: z.string().optional(),
    username: z.string().optional(),
    botStatus: memberStatus.optional(),
    firstSeenAt: time.optional(),
  })
  .register(components, { id: 'ChatSummary', description: 'A chat profile without counters' });

export const Chat = ChatSummary.extend({
  lastSeenAt: time.optional(),
  messageCount: z.int().min(0),
}).register(components, { id: 'Chat' });

export const Membership = z
  .object({
    userId: z.int(),
    chatId: z.int(),
    status: memberStatus,
    isMember: z.boolean(),
    joinedAt: time.optional(),
    leftAt: time.optional(),
    firstSeenAt: time.optional(),
    lastSeenAt: time.optional(),
    messageCount: z.int().min(0),
    chat: ChatSummary.optional(),
    user: ContactSummary.optional(),
  })
  .register(components, {
    id: 'Membership',
    description: "chat is embedded in a user's chats, user in a chat's members",
  });

export const SharedContact = z
  .object({
    ownerId: z.int(),
    userId: z.int().optional(),
    phoneNumber: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    username: z.string().optional(),
    sharedAt: time,
  })
  .register(components, { id: 'SharedContact' });

const hours = z
  .array(z.array(z.int().min(0)).length(24))
  .length(7)
  .meta({
    description:
      'Messages by UTC weekday (index 0 = Monday) and hour (index 0-23), over the whole months in hoursRange',
  });

const hoursRange = z.object({ from: z.iso.date(), to: z.iso.date() }).meta({
  description:
    'The days hours counts: the whole UTC months the requested range touches (hours are kept per month)',
});

export const Activity = z
  .object({
    days: z.array(z.object({ date: z.iso.date(), messages: z.int().min(1) })),
    hours,
    hoursRange,
  })
  .register(components, {
    id: 'Activity',
    description: 'Days with at least one message, by the UTC date of the update, in date order',
  });

/** Inlined where used (x-item-schema of the NDJSON export), not a component: nothing $refs it. */
export const MemberExportRow = z
  .object({
    userId: z.int(),
    username: z.string().optional(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    status: memberStatus,
    isMember: z.boolean(),
    joinedAt: time.optional(),
    leftAt: time.optional(),
    firstSeenAt: time.optional(),
    lastSeenAt: time.optional(),
    messageCount: z.int().min(0),
    tags: z.array(z.string()),
    phoneNumber: z.string().optional().meta({ description: 'Only with includePhone=true' }),
  })
  .meta({
    description:
      'One member in an export: a line of the NDJSON file, or a CSV record with these columns in this order (tags joined by a space, absent values empty)',
  });

export const ChatActivity = z
  .object({
    days: z.array(
      z.object({
        date: z.iso.date(),
        messages: z.int().min(0),
        activeMembers: z.int().min(0).meta({ description: 'Distinct senders that day' }),
        joins: z.int().min(0),
        leaves: z.int().min(0).meta({ description: 'Leaves and removals' }),
      }),
    ),
    hours,
    hoursRange,
  })
  .register(components, {
    id: 'ChatActivity',
    description:
      'Days with a message, a join or a leave, by the UTC date of the update, in date order',
  });

export const MembershipEvent = z
  .object({
    chatId: z.int(),
    userId: z.int(),
    at: time,
    kind: eventKind.meta({
      description:
        'join: not a member -> member; leave: member -> not a member, by the user; remove: the same by someone else (kicked or banned); change: member -> member with another status',
    }),
    fromStatus: memberStatus,
    toStatus: memberStatus,
    actorId: z.int().optional().meta({ description: 'Who made the change' }),
    inviteLink: z
      .string()
      .optional()
      .meta({ description: "The invite link's name, else the link as Telegram shows it" }),
    viaJoinRequest: z.boolean(),
  })
  .register(components, { id: 'MembershipEvent' });

export const TopMembers = z
  .object({
    from: z.iso.date().meta({ description: 'First day counted (the first of its month)' }),
    to: z.iso.date().meta({ description: 'Last day counted (the last of its month)' }),
    items: z.array(
      z.object({ userId: z.int(), messages: z.int().min(1), user: ContactSummary.optional() }),
    ),
  })
  .register(components, {
    id: 'TopMembers',
    description:
      'Members by messages over the whole UTC months the range touches, most first, ties by user id',
  });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
  })
  .register(components, { id: 'Problem', description: 'RFC 9457 problem details' });

const listOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().optional().meta({ description: 'Absent on the last page' }),
    })
    .register(components, { id });

export const ContactList = listOf(Contact, 'ContactList');
export const MembershipList = listOf(Membership, 'MembershipList');
export const SharedContactList = listOf(SharedContact, 'SharedContactList');
export const MembershipEventList = listOf(MembershipEvent, 'MembershipEventList');

export const OpenApiDocument = z
  .looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) })
  .register(components, { id: 'OpenApiDocument' });
