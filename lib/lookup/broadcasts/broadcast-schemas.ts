/**
 * The body of `POST /v1/broadcasts`: a message (the fields a direct message has,
 * message-schemas.ts), its audience (schemas.ts), and an optional idempotency key.
 */
import * as z from 'zod';
import { idempotencyKeyText, MESSAGE_FIELDS } from '../messages/message-schemas.ts';
import { BroadcastAudience } from '../schemas.ts';

const quoted = (text: string) => JSON.stringify(text.slice(0, 40));

export const BroadcastCreate = z
  .strictObject(
    {
      ...MESSAGE_FIELDS,
      audience: BroadcastAudience,
      idempotencyKey: idempotencyKeyText.optional().meta({
        description:
          'Instead of the Idempotency-Key header (both given: they must be equal): a repeat of the same request within 24 hours answers the broadcast it made and sends nothing more; another body under the same key is 422',
      }),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown member${issue.keys.length > 1 ? 's' : ''} ${issue.keys
              .slice(0, 5)
              .map(quoted)
              .join(
                ', ',
              )}: a broadcast has only text, parseMode, disableNotification, buttons, audience and idempotencyKey`
          : 'the body must be a JSON object (a broadcast)',
    },
  )
  .meta({ description: 'A message and who gets it' });
export type BroadcastCreate = z.output<typeof BroadcastCreate>;
