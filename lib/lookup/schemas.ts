/**
 * The lookup API's shared zod building blocks: path ids, paging, query flags, tags, date
 * ranges, the parts of responses several resources show (times, statuses, hours), and the
 * problem answer. Each resource keeps its own schemas beside its service
 * (`contacts/contact-schemas.ts`, `chats/chat-schemas.ts`, ...); all of them are the one
 * source of truth for validating requests, shaping responses (parsing strips anything not in
 * the shape) and the OpenAPI document (`openapi.ts`, with the names of `components.ts`).
 */
import * as z from 'zod';
import { ALTERED_CURSOR_DETAIL, MAX_CURSOR_LENGTH } from '../http/cursor.ts';
import { MEMBER_STATUSES } from '../telegram/update/facts.ts';

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
    .pipe(
      name === 'userId'
        ? z.int({ error: `${name} is out of range` }).min(1, { error: `${name} is positive` })
        : z.int({ error: `${name} is out of range` }),
    )
    .meta({
      description:
        name === 'userId'
          ? 'Telegram user id (a positive integer)'
          : 'Telegram chat id (an integer)',
    });

/**
 * The path parameter `name`: an id the API made, `prefix` and 20 hexadecimal digits
 * (`pattern`), of a `what`.
 */
export const generatedIdParams = <N extends string>(
  name: N,
  what: string,
  prefix: string,
  pattern: RegExp,
) => {
  const id = z
    .string()
    .regex(pattern, { error: `${name} must be ${prefix} followed by 20 hexadecimal digits` })
    .meta({ description: `A ${what} id: ${prefix} and 20 hexadecimal digits` });
  return z.object({ [name]: id } as Record<N, typeof id>);
};

export const userParams = z.object({ userId: idParam('userId') });
export const chatParams = z.object({ chatId: idParam('chatId') });
export const membershipParams = z.object({ userId: idParam('userId'), chatId: idParam('chatId') });
export const noParams = z.object({});
export const noQuery = z.object({});

/** A `limit` parameter: an integer from 1 to MAX_LIMIT, `fallback` when absent. */
export const limitOf = (fallback: number, description: string) =>
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

export const limit = limitOf(DEFAULT_LIMIT, `Page size, 1-${MAX_LIMIT}`);

export const cursor = z
  .string()
  .min(1, { error: 'cursor must not be empty' })
  .max(MAX_CURSOR_LENGTH, { error: ALTERED_CURSOR_DETAIL })
  .optional()
  .meta({
    description:
      'The nextCursor of the previous page, unchanged, sent with the same API key within 24 hours',
  });

export const listQuery = z.object({ limit, cursor });

/** Names in a sentence: `a, b and c` (or `a, b or c`). */
export const inWords = (names: readonly string[], conjunction: 'and' | 'or') =>
  `${names.slice(0, -1).join(', ')} ${conjunction} ${names.at(-1)}`;

/** `name must be a, b or c`: the detail of a value outside an enum. */
export const oneOf = (name: string, values: readonly string[]) =>
  `${name} must be ${inWords(values, 'or')}`;

/**
 * A boolean query flag: exactly `true` or `false` (case-sensitive), false when absent. The
 * document types it boolean (its parsed value), so a generated client takes `true`, not "true".
 */
export const queryFlag = (name: string) =>
  z
    .stringbool({
      truthy: ['true'],
      falsy: ['false'],
      case: 'sensitive',
      error: `${name} must be true or false`,
    })
    .default(false);

/** A tag as stored: 1-32 of `a-z0-9_-`. */
export const TAG_PATTERN = /^[a-z0-9_-]{1,32}$/;
/** A tag as sent: letters in any case, stored lower-cased. */
const TAG_INPUT = /^[A-Za-z0-9_-]{1,32}$/;
export const MAX_TAGS = 20;
export const TAG_RULE = '1-32 characters of a-z, 0-9, _ and - (letters in any case)';

/** A tag as a client sends it (`what` names it in problems), lower-cased. */
export const tagText = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .regex(TAG_INPUT, { error: `${what} must be ${TAG_RULE}` })
    .transform((s) => s.toLowerCase());

/** The `?tag=` filter of the contact search and the member list. */
export const tagQuery = tagText('tag')
  .optional()
  .meta({ description: 'A tag set with PATCH /v1/contacts/{userId}; letters in any case' });

const date = (name: string) =>
  z.iso
    .date({ error: `${name} must be a date YYYY-MM-DD` })
    .meta({ description: 'UTC date YYYY-MM-DD, inclusive' });

/** The range checks run only on two valid dates: a bad date is reported once, by itself. */
const datesValid = {
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};

interface DateRange {
  from: string;
  to: string;
}

/**
 * A query of a required date range, `from` <= `to`, at most MAX_ACTIVITY_DAYS days, with the
 * `extra` parameters of its route.
 */
export const dateRangeQuery = <E extends z.core.$ZodShape>(extra: E) =>
  z
    .object({ from: date('from'), to: date('to'), ...extra })
    .refine((q) => inOrder(q as DateRange), { error: 'from must not be after to', ...datesValid })
    .refine((q) => !inOrder(q as DateRange) || spanOf(q as DateRange) <= MAX_ACTIVITY_DAYS, {
      error: `the range may span at most ${MAX_ACTIVITY_DAYS} days`,
      ...datesValid,
    });

const inOrder = (range: DateRange) => range.from <= range.to;
/** Days from `from` to `to`, both counted. */
const spanOf = (range: DateRange) =>
  Math.round(
    (Date.parse(`${range.to}T00:00:00Z`) - Date.parse(`${range.from}T00:00:00Z`)) / 86_400_000,
  ) + 1;

export const activityQuery = dateRangeQuery({});

export const eventKind = z.enum(['join', 'leave', 'remove', 'change']);

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

/** Characters as a person counts them (Unicode code points), for length limits on text. */
export const codePoints = (s: string) => [...s].length;

/**
 * Bodies of which a request gives exactly one of some members (`names`), as the document
 * states them: a `oneOf` of one object per member, each requiring it (openapi.ts).
 */
export const exactlyOneGroups = z.registry<{ names: readonly string[] }>();

/**
 * `object` refusing a value that gives none or more than one of `names` (`error`). That problem
 * is the only one reported for the object (router.ts describeIssues) when two or more are
 * given: their formats are beside the point. A body (`stated: 'oneOf'`) is registered for the
 * document (exactlyOneGroups); a query keeps its members separate parameters (OpenAPI has no
 * oneOf across parameters, and one object parameter would break clients generated before), so
 * its route's description states the rule.
 */
export function exactlyOneOf<T extends z.ZodObject>(
  object: T,
  names: readonly (keyof T['shape'] & string)[],
  options: { error: string; description?: string; stated?: 'oneOf' },
): T {
  const refined = object.superRefine(
    (value: Record<string, unknown>, ctx) => {
      // Run whatever else failed (when), so also on what is not an object at all.
      if (typeof value !== 'object' || value === null) return;
      const given = names.filter((n) => value[n] !== undefined).length;
      if (given === 1) return;
      // None given: the other problems (an unknown member, say) may be why, so all are kept.
      ctx.addIssue({ code: 'custom', message: options.error, params: { decisive: given > 1 } });
    },
    { when: () => true },
  );
  const checked = options.description
    ? refined.meta({ description: options.description })
    : refined;
  if (options.stated === 'oneOf') exactlyOneGroups.add(checked, { names });
  return checked;
}

/** Names one member of a JSON object in a detail: quoted, at most 40 characters. */
/**
 * A name the client sent (a query parameter, a body member), as a detail quotes it: at most
 * 40 characters, and a run of five or more digits shown as `…`, so that a phone number sent as
 * a name never reaches the answer's detail or the log line that carries it.
 */
export const quoted = (text: string) => JSON.stringify(text.slice(0, 40).replace(/\d{5,}/g, '…'));

/**
 * The problem of a body (`what`, with only `members`) that has members it does not take (the
 * first five are named, each quoted) or is not a JSON object (`(expected)`, by default `what`).
 */
export const unknownMembers =
  (what: string, members: string, expected = what) =>
  (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown member${issue.keys.length > 1 ? 's' : ''} ${issue.keys
          .slice(0, 5)
          .map(quoted)
          .join(', ')}: ${what} has only ${members}`
      : `the body must be a JSON object (${expected})`;

// ---- response ----

export const time = z.iso.datetime();
/** A Telegram user id in an answer: always positive (chat ids of groups are negative). */
export const userIdValue = z.int().min(1);
export const chatType = z.enum(['private', 'group', 'supergroup', 'channel']);
export const memberStatus = z.enum(MEMBER_STATUSES);

export const hours = z
  .array(z.array(z.int().min(0)).length(24))
  .length(7)
  .meta({
    description:
      'Messages by UTC weekday (index 0 = Monday) and hour (index 0-23), over the whole months in hoursRange',
  });

export const hoursRange = z.object({ from: z.iso.date(), to: z.iso.date() }).meta({
  description:
    'The days hours counts: the whole UTC months the requested range touches (hours are kept per month)',
});

/** A page of a list: `{ items, nextCursor }`. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().optional().meta({ description: 'Absent on the last page' }),
  });

/** RFC 9457 problem details: every error answer. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  outcome: z.enum(['unknown']).optional().meta({
    description:
      'A direct send whose answer did not say "not sent" (502): the message may have been delivered, and it is never sent again under its Idempotency-Key',
  }),
});

/** What `GET /v1/openapi.json` answers, checked loosely: openapi.ts builds it. */
export const OpenApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({}),
  paths: z.looseObject({}),
});
