/**
 * Schemas of the contacts resource: the search query, the tags-and-note patch, a contact
 * (with and without counters), the contacts a user shared, and a contact's activity.
 */
import * as z from 'zod';
import { normalizePhone } from '../../phone.ts';
import {
  codePoints,
  cursor,
  exactlyOneOf,
  hours,
  hoursRange,
  limit,
  listOf,
  MAX_TAGS,
  TAG_PATTERN,
  TAG_RULE,
  tagQuery,
  tagText,
  time,
  unknownMembers,
  userIdValue,
} from '../schemas.ts';

/** Longest note, in characters (Unicode code points). */
export const MAX_NOTE_LENGTH = 2000;

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

/**
 * The search: exactly one of username, phone and tag. The document keeps them three optional
 * query parameters, as /v1 has always had them (OpenAPI has no oneOf across parameters, and
 * folding them into one object parameter would break clients generated before): the route's
 * description says "exactly one", and the server refuses none or two.
 */
export const searchQuery = exactlyOneOf(
  z.object({ username, phone, tag: tagQuery, limit, cursor }),
  ['username', 'phone', 'tag'],
  { error: 'give exactly one of username, phone and tag' },
);

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
      error: unknownMembers(
        'a contact patch',
        'tags and note',
        'a JSON merge patch of tags and note',
      ),
    },
  )
  .meta({ description: 'A JSON merge patch (RFC 7396) of the contact: tags and note' });
export type ContactPatch = z.output<typeof ContactPatch>;

/** A contact profile without counters (embedded in memberships and top members). */
export const ContactSummary = z.object({
  id: userIdValue,
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
});

export const SharedContact = z.object({
  ownerId: userIdValue,
  userId: userIdValue.optional(),
  phoneNumber: z.string().optional().meta({
    description:
      'The phone on the card, as shared; only with the phones permission (absent for a key without it)',
  }),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  username: z.string().optional(),
  sharedAt: time,
});

/** A day with at least one of the contact's messages. */
export const ActivityDay = z.object({ date: z.iso.date(), messages: z.int().min(1) });

/** Days with at least one message, by the UTC date of the update, in date order. */
export const Activity = z.object({ days: z.array(ActivityDay), hours, hoursRange });

export const ContactList = listOf(Contact);
export const SharedContactList = listOf(SharedContact);
