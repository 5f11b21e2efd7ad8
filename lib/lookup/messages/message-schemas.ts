/**
 * Schemas of sending messages through the bot: what a message holds (text, parse mode,
 * notification, URL buttons; shared by direct messages and broadcasts), the direct send's
 * body and answer, and the Idempotency-Key header.
 */
import * as z from 'zod';
import { inWords, unknownMembers, userIdValue } from '../schemas.ts';

/** Telegram's limit on a message's text (sendMessage: 1-4096 characters). */
export const MAX_TEXT_LENGTH = 4096;
export const MAX_BUTTON_TEXT_LENGTH = 64;
export const MAX_BUTTONS_PER_ROW = 8;
export const MAX_BUTTONS = 100;
export const MAX_BUTTON_URL_LENGTH = 2048;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

function isButtonUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' && url.hostname !== '') || url.protocol === 'tg:';
  } catch {
    return false;
  }
}

const buttonUrl = z
  .string({ error: 'a button url must be a string' })
  .max(MAX_BUTTON_URL_LENGTH, {
    error: `a button url must be at most ${MAX_BUTTON_URL_LENGTH} characters`,
  })
  .refine(isButtonUrl, { error: 'a button url must be an https:// or tg:// URL' })
  .meta({ description: 'https:// or tg:// (e.g. tg://resolve?domain=name)' });

export const MessageButton = z
  .strictObject(
    {
      text: z
        .string({ error: 'a button text must be a string' })
        .min(1, { error: 'a button text must not be empty' })
        .max(MAX_BUTTON_TEXT_LENGTH, {
          error: `a button text must be at most ${MAX_BUTTON_TEXT_LENGTH} characters`,
        }),
      url: buttonUrl,
    },
    { error: 'a button is {"text","url"}' },
  )
  .meta({ description: 'An inline button opening a URL' });

/** What a message holds: the fields of a direct message and of a broadcast. */
export const MESSAGE_FIELDS = {
  text: z
    .string({ error: 'text must be a string' })
    .min(1, { error: 'text must not be empty' })
    .max(MAX_TEXT_LENGTH, { error: `text must be at most ${MAX_TEXT_LENGTH} characters` })
    .refine((text) => text.trim().length > 0, { error: 'text must not be only white space' })
    .meta({
      description: `The message, 1-${MAX_TEXT_LENGTH} characters (before parsing). Never logged.`,
    }),
  parseMode: z
    .enum(['HTML', 'MarkdownV2'], { error: 'parseMode must be "HTML", "MarkdownV2" or null' })
    .nullable()
    .optional()
    .transform((mode) => mode ?? null)
    .meta({ description: "Telegram's parse_mode for the text; null or absent: plain text" }),
  disableNotification: z
    .boolean({ error: 'disableNotification must be true or false' })
    .optional()
    .transform((value) => value === true)
    .meta({ description: 'true: the message arrives without a sound' }),
  buttons: z
    .array(
      z
        .array(MessageButton, { error: 'buttons must be an array of rows (arrays of buttons)' })
        .min(1, { error: 'a row of buttons must not be empty' })
        .max(MAX_BUTTONS_PER_ROW, {
          error: `a row holds at most ${MAX_BUTTONS_PER_ROW} buttons`,
        }),
      { error: 'buttons must be an array of rows (arrays of buttons)' },
    )
    .refine((rows) => rows.flat().length <= MAX_BUTTONS, {
      error: `buttons may hold at most ${MAX_BUTTONS} buttons in all`,
    })
    .optional()
    .transform((rows) => rows ?? [])
    .meta({ description: 'Rows of inline URL buttons under the message' }),
};

export const idempotencyKeyText = z
  .string({ error: 'the idempotency key must be a string' })
  .min(1, { error: 'the idempotency key must not be empty' })
  .max(MAX_IDEMPOTENCY_KEY_LENGTH, {
    error: `the idempotency key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
  })
  .regex(/^[\x20-\x7e]+$/, { error: 'the idempotency key must be printable ASCII' });

/**
 * A body holding a message (MESSAGE_FIELDS), the `fields` of its own and an optional
 * idempotency key (`keyDescription`); a member it does not name is refused, saying it is
 * `what` and which members it has.
 */
export const messageBody = <F extends z.core.$ZodShape>(
  what: string,
  fields: F,
  keyDescription: string,
) => {
  const shape = {
    ...MESSAGE_FIELDS,
    ...fields,
    idempotencyKey: idempotencyKeyText.optional().meta({ description: keyDescription }),
  };
  return z.strictObject(shape, { error: unknownMembers(what, inWords(Object.keys(shape), 'and')) });
};

/** `POST /v1/contacts/{userId}/messages`. */
export const DirectMessage = messageBody(
  'a message',
  {},
  'Instead of the Idempotency-Key header (both given: they must be equal). Not part of the request compared for a repeat.',
).meta({ description: 'A message to send now: text, parseMode, disableNotification, buttons' });
export type DirectMessage = z.output<typeof DirectMessage>;

/**
 * The Idempotency-Key header (IETF draft-ietf-httpapi-idempotency-key-header): a structured
 * field string (`"…"`) or, as many clients send it, the bare key.
 */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .transform((value, ctx) => {
      const key = unquoteKey(value.trim());
      const parsed = idempotencyKeyText.safeParse(key);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid' });
        return z.NEVER;
      }
      return parsed.data;
    })
    .optional()
    .meta({
      description:
        'A unique key for this request (e.g. a UUID), as a structured string ("…") or bare; a repeat within 24 h answers as the first request did and sends nothing',
    }),
});

/** A structured-field string (`"a\"b"` -> `a"b`); anything else as it is. */
function unquoteKey(value: string): string {
  const match = /^"((?:[^"\\]|\\["\\])*)"$/.exec(value);
  return match?.[1] === undefined ? value : match[1].replace(/\\(["\\])/g, '$1');
}

/** A message Telegram accepted. */
export const SentMessage = z.object({
  messageId: z.int().meta({ description: "Telegram's message_id in the private chat" }),
  chatId: userIdValue.meta({ description: 'The private chat: the contact id' }),
  sentAt: z.iso.datetime().meta({ description: "Telegram's date of the message" }),
});
export type SentMessage = z.output<typeof SentMessage>;
