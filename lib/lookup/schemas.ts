/**
 * The lookup API's zod schemas: one source of truth for validating requests, shaping
 * responses (parsing strips anything not in the shape) and the OpenAPI document
 * (`openapi.ts` turns them into JSON Schema). Component schemas are registered in
 * `components` under the names the document uses.
 */
import * as z from 'zod';
import {
  ALL_EVENTS,
  isSubscribableEventType,
  PING_EVENT_TYPE,
  SUBSCRIBABLE_EVENT_TYPES,
} from '../events/event-types.ts';
import { DELIVERY_OUTCOMES } from '../events/store/delivery-log.ts';
import { SUBSCRIPTION_ID_PATTERN, SUBSCRIPTION_STATUSES } from '../events/store/subscriptions.ts';
import { MAX_SUBSCRIPTION_URL_LENGTH } from '../events/subscription-url.ts';
import { ALTERED_CURSOR_DETAIL, MAX_CURSOR_LENGTH } from '../http/cursor.ts';
import { BROADCAST_ID_PATTERN, BROADCAST_STATUSES } from '../messaging/store/broadcasts.ts';
import { normalizePhone } from '../phone.ts';
import { EXPORT_FORMATS } from './chats/export-format.ts';
import { MEMBER_SORTS, MEMBER_STATUS_FILTERS } from './chats/member-order.ts';

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
    .regex(/^-?\d+$/, { error: `${name} must be an integer` })
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

/**
 * A boolean query flag: exactly `true` or `false` (case-sensitive), false when absent. The
 * document types it boolean (its parsed value), so a generated client takes `true`, not "true".
 */
const queryFlag = (name: string) =>
  z
    .stringbool({
      truthy: ['true'],
      falsy: ['false'],
      case: 'sensitive',
      error: `${name} must be true or false`,
    })
    .default(false);

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
      'Phone number in international form, any common formatting (+1 555 123-4567, 15551234567); only verified phones match. Also answers a key without the phones permission (the contacts come without phoneNumber): a caller who has a number learns whether it is known here',
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
  live: queryFlag('live').meta({
    description: 'true: ask Telegram now (getChatMember) and store the answer',
  }),
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
          description: `The contact's tags, replacing the present ones: at most ${MAX_TAGS} different tags (counted after lower-casing and collapsing duplicates, so the array itself may be longer), each ${TAG_RULE}; [] or null removes them all`,
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
    phoneNumber: z.string().optional().meta({
      description:
        'Verified phone, E.164; only with the phones permission (absent for a key without it)',
    }),
    botBlocked: z.boolean().optional().meta({
      description:
        'The contact blocked the bot (my_chat_member in the private chat, or a send Telegram refused with 403); absent when unknown',
    }),
    firstSeenAt: time.optional(),
  })
  .register(components, {
    id: 'ContactSummary',
    description: 'A contact profile without counters',
  });

export const Contact = ContactSummary.extend({
  broadcastOptOut: z.boolean().meta({
    description:
      'The contact sent /stop to the bot (and no /start since): broadcasts skip them; direct messages still reach them',
  }),
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
    phoneNumber: z.string().optional().meta({
      description:
        'The phone on the card, as shared; only with the phones permission (absent for a key without it)',
    }),
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
    days: z.array(
      z.object({ date: z.iso.date(), messages: z.int().min(1) }).register(components, {
        id: 'ActivityDay',
        description: "A day with at least one of the contact's messages",
      }),
    ),
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
    phoneNumber: z.string().optional().meta({
      description: 'Only with includePhone=true, which needs an admin key',
    }),
  })
  .meta({
    description:
      'One member in an export: a line of the NDJSON file, or a CSV record with these columns in this order (tags joined by a space, absent values empty)',
  });

export const ChatActivity = z
  .object({
    days: z.array(
      z
        .object({
          date: z.iso.date(),
          messages: z.int().min(0),
          activeMembers: z.int().min(0).meta({ description: 'Distinct senders that day' }),
          joins: z.int().min(0),
          leaves: z.int().min(0).meta({ description: 'Leaves and removals' }),
        })
        .register(components, {
          id: 'ChatActivityDay',
          description:
            'A day of the chat with a message, a join or a leave: messages is 0 on a day with only joins or leaves',
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
    userId: z.int().meta({
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
    actorId: z
      .int()
      .nullable()
      .optional()
      .meta({ description: 'Who made the change; null when the actor has been erased' }),
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
      z
        .object({ userId: z.int(), messages: z.int().min(1), user: ContactSummary.optional() })
        .register(components, {
          id: 'TopMember',
          description:
            'A member and their messages in the range (messages, like ActivityDay; a contact or membership counts messageCount over all time)',
        }),
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
    outcome: z.enum(['unknown']).optional().meta({
      description:
        'A direct send whose answer did not say "not sent" (502): the message may have been delivered, and it is never sent again under its Idempotency-Key',
    }),
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

// ---- subscriptions (webhooks, issue 12) ----

/** Subscriptions a deployment may have (a soft limit: see the create route's description). */
export const MAX_SUBSCRIPTIONS = 20;
/** Longest subscription description, in characters (Unicode code points). */
export const MAX_DESCRIPTION_LENGTH = 500;

export const subscriptionParams = z.object({
  subscriptionId: z
    .string()
    .regex(SUBSCRIPTION_ID_PATTERN, {
      error: 'subscriptionId must be sub_ followed by 20 hexadecimal digits',
    })
    .meta({ description: 'A subscription id: sub_ and 20 hexadecimal digits' }),
});

/** Names one member of a JSON object in a detail: quoted, at most 40 characters. */
const quoted = (text: string) => JSON.stringify(text.slice(0, 40));

const requiredText = (name: string, rule: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined
        ? `${name} is required`
        : issue.input === null
          ? `${name} cannot be removed (null)`
          : `${name} must be ${rule}`,
  });

/** The URL as text; its rules (https, public host) are checked by the service. */
const subscriptionUrl = requiredText('url', 'a string')
  .min(1, { error: 'url must not be empty' })
  .max(MAX_SUBSCRIPTION_URL_LENGTH, {
    error: `url is longer than ${MAX_SUBSCRIPTION_URL_LENGTH} characters`,
  })
  .meta({
    description:
      'Where events are posted: https, and a host whose addresses are all public (no loopback, private, link-local, CGNAT or multicast ones); no user name, password or fragment. Under npm start (EVENTS_ALLOW_LOOPBACK=true) also http://localhost, 127.0.0.0/8 or [::1]. Redirects are not followed.',
    maxLength: MAX_SUBSCRIPTION_URL_LENGTH,
  });

const EVENTS_RULE = `a non-empty array of event types (${SUBSCRIBABLE_EVENT_TYPES.join(', ')}), or ["${ALL_EVENTS}"]`;

const subscriptionEvents = z
  .array(z.string({ error: 'each event type must be a string' }), {
    error: (issue) =>
      issue.input === undefined
        ? 'events is required'
        : issue.input === null
          ? 'events cannot be removed (null)'
          : `events must be ${EVENTS_RULE}`,
  })
  .min(1, { error: `events must be ${EVENTS_RULE}` })
  .max(SUBSCRIBABLE_EVENT_TYPES.length, {
    error: `events may list at most ${SUBSCRIBABLE_EVENT_TYPES.length} types (["${ALL_EVENTS}"] for all of them)`,
  })
  .superRefine((types, ctx) => {
    const problem = eventsProblem(types);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: types });
  })
  .meta({
    description: `Event types to receive, each once, or ["${ALL_EVENTS}"] for every type (also types added later). ping is not listed: POST /v1/subscriptions/{subscriptionId}/test sends one to a single subscription.`,
    items: { type: 'string', enum: [...SUBSCRIBABLE_EVENT_TYPES, ALL_EVENTS] },
    uniqueItems: true,
  });

/** What is wrong with a list of event types (of strings), or undefined. */
function eventsProblem(types: readonly string[]): string | undefined {
  if (types.includes(ALL_EVENTS)) {
    return types.length === 1
      ? undefined
      : `"${ALL_EVENTS}" stands alone: it already means every event type`;
  }
  const seen = new Set<string>();
  for (const type of types) {
    if (type === PING_EVENT_TYPE) {
      return 'ping is not subscribable: POST /v1/subscriptions/{subscriptionId}/test sends one to that subscription';
    }
    if (!isSubscribableEventType(type)) return `unknown event type ${quoted(type)}`;
    if (seen.has(type)) return `events lists ${quoted(type)} more than once`;
    seen.add(type);
  }
  return undefined;
}

const description = z
  .string({ error: 'description must be a string' })
  .refine((text) => codePoints(text) <= MAX_DESCRIPTION_LENGTH, {
    error: `description must be at most ${MAX_DESCRIPTION_LENGTH} characters`,
  })
  .meta({
    description: `Free text for people (at most ${MAX_DESCRIPTION_LENGTH} characters)`,
    maxLength: MAX_DESCRIPTION_LENGTH,
  });

const includePhone = z.boolean({ error: 'includePhone must be true or false' }).meta({
  description:
    "true: events carry verified phone numbers (a contact's phoneNumber); false: they are left out",
});

const unknownMembers = (what: string, members: string) => (issue: z.core.$ZodRawIssue) =>
  issue.code === 'unrecognized_keys'
    ? `unknown member${issue.keys.length > 1 ? 's' : ''} ${issue.keys
        .slice(0, 5)
        .map(quoted)
        .join(', ')}: ${what} has only ${members}`
    : `the body must be a JSON object (${what})`;

/** `POST /v1/subscriptions`. */
export const SubscriptionCreate = z
  .strictObject(
    {
      url: subscriptionUrl,
      events: subscriptionEvents,
      description: description.optional().transform((text) => text ?? ''),
      includePhone: includePhone.optional().transform((value) => value === true),
    },
    { error: unknownMembers('a subscription', 'url, events, description and includePhone') },
  )
  .meta({
    description: 'A new subscription: url and events, optionally description and includePhone',
  });
export type SubscriptionCreate = z.output<typeof SubscriptionCreate>;

/** `PATCH /v1/subscriptions/{subscriptionId}`: a JSON merge patch (RFC 7396). */
export const SubscriptionPatch = z
  .strictObject(
    {
      url: subscriptionUrl.optional(),
      events: subscriptionEvents.optional(),
      description: description
        .nullable()
        .optional()
        .transform((text) => (text === null ? '' : text))
        .meta({
          description: `Replaces the description (at most ${MAX_DESCRIPTION_LENGTH} characters); null empties it`,
        }),
      includePhone: includePhone.optional(),
      status: z
        .literal('active', {
          error:
            'status can only be set to "active" (to re-enable a failing or disabled subscription)',
        })
        .optional()
        .meta({
          description:
            'active: re-enable a failing or disabled subscription (clears statusReason and failingSince); no other value may be set',
        }),
    },
    {
      error: unknownMembers(
        'a subscription patch',
        'url, events, description, includePhone and status',
      ),
    },
  )
  .meta({
    description:
      'A JSON merge patch (RFC 7396) of the subscription: a member left out stays as it is',
  });
export type SubscriptionPatch = z.output<typeof SubscriptionPatch>;

export const Subscription = z
  .object({
    id: z.string().regex(SUBSCRIPTION_ID_PATTERN),
    url: z.string(),
    events: z.array(z.enum([...SUBSCRIBABLE_EVENT_TYPES, ALL_EVENTS])).meta({
      description: `The event types it receives, or ["${ALL_EVENTS}"] for every type (more types may be added within /v1)`,
    }),
    description: z.string(),
    includePhone: z.boolean(),
    createdAt: time,
    updatedAt: time,
    status: z.enum(SUBSCRIPTION_STATUSES).meta({
      description:
        'active: events are delivered; failing: deliveries kept failing for a day; disabled: the receiver answered 410 Gone. Nothing is sent to a failing or disabled subscription until PATCH sets status active',
    }),
    statusReason: z.string().optional().meta({ description: 'Why the status is not active' }),
    failingSince: time
      .optional()
      .meta({ description: 'The first failed attempt since the last delivered one' }),
  })
  .register(components, {
    id: 'Subscription',
    description: 'A webhook subscription; its secret is shown only when it is created',
  });

export const CreatedSubscription = Subscription.extend({
  secret: z
    .string()
    .regex(/^whsec_/)
    .meta({
      description:
        'The signing secret (whsec_ + base64): receivers verify webhook-signature with it. Shown only in this answer: store it now',
    }),
}).register(components, {
  id: 'CreatedSubscription',
  description: 'A new subscription, with its signing secret',
});

export const SubscriptionList = listOf(Subscription, 'SubscriptionList');

export const DeliveryAttempt = z
  .object({
    eventId: z.string(),
    type: z.string(),
    attempt: z.int().min(1).meta({ description: '1 for the first attempt of this event' }),
    outcome: z.enum(DELIVERY_OUTCOMES).meta({
      description:
        'delivered: a 2xx answer; failed: another answer or none (retried while nextAttemptAt is set); dropped: not sent (e.g. the user was erased)',
    }),
    httpStatus: z
      .int()
      .nullable()
      .meta({ description: "The receiver's status; null when no answer came" }),
    error: z
      .string()
      .optional()
      .meta({ description: 'Why no answer came: timeout, connection, address not allowed, ...' }),
    at: time,
    nextAttemptAt: time
      .nullable()
      .meta({ description: 'When the event is tried again; null when it will not be' }),
  })
  .register(components, { id: 'DeliveryAttempt', description: 'One delivery attempt' });

export const DeliveryAttemptList = listOf(DeliveryAttempt, 'DeliveryAttemptList');

export const PingEvent = z
  .object({
    eventId: z.string().meta({ description: 'The webhook-id the ping is delivered with' }),
    type: z.literal(PING_EVENT_TYPE),
  })
  .register(components, { id: 'PingEvent', description: 'A ping event, queued for delivery' });

// ---- broadcasts (issue 13) ----

/** Contacts an audience may name (before those who cannot be messaged are left out). */
export const MAX_BROADCAST_AUDIENCE = 10_000;
/** Recipients above which a broadcast needs an admin key. */
export const ADMIN_BROADCAST_RECIPIENTS = 1_000;

export const broadcastParams = z.object({
  broadcastId: z
    .string()
    .regex(BROADCAST_ID_PATTERN, {
      error: 'broadcastId must be bc_ followed by 20 hexadecimal digits',
    })
    .meta({ description: 'A broadcast id: bc_ and 20 hexadecimal digits' }),
});

export const BroadcastAudience = z
  .strictObject(
    {
      tag: tagText('tag')
        .optional()
        .meta({ description: 'Contacts with this tag (set with PATCH /v1/contacts/{userId})' }),
      chatId: z.int({ error: 'chatId must be an integer' }).optional().meta({
        description: 'Members of this chat (isMember true) when the broadcast is created',
      }),
      userIds: z
        .array(
          z.int({ error: 'userIds must be integers' }).min(1, { error: 'a user id is positive' }),
          { error: 'userIds must be an array of user ids' },
        )
        .min(1, { error: 'userIds must not be empty' })
        .max(MAX_BROADCAST_AUDIENCE, {
          error: `userIds may list at most ${MAX_BROADCAST_AUDIENCE} users`,
        })
        .optional()
        .meta({
          description: `These contacts (at most ${MAX_BROADCAST_AUDIENCE}; repeats count once)`,
        }),
    },
    { error: unknownMembers('an audience', 'tag, chatId or userIds') },
  )
  .refine((a) => [a.tag, a.chatId, a.userIds].filter((v) => v !== undefined).length === 1, {
    error: 'audience must have exactly one of tag, chatId and userIds',
  })
  .meta({
    description:
      'Who receives it: exactly one of tag, chatId and userIds. Of those, only contacts who have a private chat with the bot, have not blocked it and have not sent /stop are sent to.',
  });

const count = (what: string) => z.int().min(0).meta({ description: what });

export const Broadcast = z
  .object({
    id: z.string().regex(BROADCAST_ID_PATTERN),
    status: z.enum(BROADCAST_STATUSES).meta({
      description:
        'queued: nothing sent yet; sending: the dispatcher is sending it; done: every recipient has an outcome; cancelled: stopped by POST .../cancel (what was not sent yet is skipped)',
    }),
    total: count(
      'Recipients: the audience less those who could not be messaged when it was created',
    ),
    sent: count('Messages Telegram accepted'),
    failed: count(
      'Messages Telegram refused (400: e.g. a text it cannot parse), or kept failing with 5xx',
    ),
    blocked: count('Recipients who blocked the bot (recorded on the contact as botBlocked)'),
    skipped: count(
      'Recipients not sent to: they sent /stop, were erased or lost their private chat before their turn, or the broadcast was cancelled first',
    ),
    unknown: count(
      'A send interrupted between Telegram and its record (a dispatcher crash, a timeout): it may have arrived; it is never sent again',
    ),
    createdAt: time,
    startedAt: time.optional().meta({ description: 'When the dispatcher began sending' }),
    finishedAt: time
      .optional()
      .meta({ description: 'When every recipient had an outcome, or it was cancelled' }),
  })
  .register(components, {
    id: 'Broadcast',
    description:
      'A broadcast and its outcomes so far: sent + failed + blocked + skipped + unknown reaches total when it is done',
  });

export const QueuedBroadcast = z
  .object({
    id: z.string().regex(BROADCAST_ID_PATTERN),
    status: z.enum(BROADCAST_STATUSES),
    total: count('Recipients'),
  })
  .register(components, {
    id: 'QueuedBroadcast',
    description:
      'A broadcast accepted for sending (or, repeated with its idempotencyKey, as it is now)',
  });

export const BroadcastList = listOf(Broadcast, 'BroadcastList');
