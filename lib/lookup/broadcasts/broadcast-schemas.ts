/**
 * Schemas of broadcasts: the id in paths, the body of `POST /v1/broadcasts` (a message: the
 * fields a direct message has, message-schemas.ts; its audience; an optional idempotency
 * key), and a broadcast as answered (with its counts so far).
 */
import * as z from 'zod';
import { BROADCAST_ID_PATTERN, BROADCAST_STATUSES } from '../../messaging/store/broadcasts.ts';
import { messageBody } from '../messages/message-schemas.ts';
import {
  exactlyOneOf,
  generatedIdParams,
  listOf,
  tagText,
  time,
  unknownMembers,
} from '../schemas.ts';

/** Contacts an audience may name (before those who cannot be messaged are left out). */
export const MAX_BROADCAST_AUDIENCE = 10_000;
/** Recipients above which a broadcast needs an admin key. */
export const ADMIN_BROADCAST_RECIPIENTS = 1_000;

export const broadcastParams = generatedIdParams(
  'broadcastId',
  'broadcast',
  'bc_',
  BROADCAST_ID_PATTERN,
);

export const BroadcastAudience = exactlyOneOf(
  z.strictObject(
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
  ),
  ['tag', 'chatId', 'userIds'],
  {
    error: 'audience must have exactly one of tag, chatId and userIds',
    stated: 'oneOf',
    description:
      'Who receives it: exactly one of tag, chatId and userIds. Of those, only contacts who have a private chat with the bot, have not blocked it and have not sent /stop are sent to.',
  },
);

export const BroadcastCreate = messageBody(
  'a broadcast',
  { audience: BroadcastAudience },
  'Instead of the Idempotency-Key header (both given: they must be equal): a repeat of the same request within 24 hours answers the broadcast it made and sends nothing more; another body under the same key is 422',
).meta({ description: 'A message and who gets it' });
export type BroadcastCreate = z.output<typeof BroadcastCreate>;

const count = (what: string) => z.int().min(0).meta({ description: what });

/**
 * A broadcast and its outcomes so far: sent + failed + blocked + skipped + unknown reaches
 * total when it is done.
 */
export const Broadcast = z.object({
  id: z.string().regex(BROADCAST_ID_PATTERN),
  status: z.enum(BROADCAST_STATUSES).meta({
    description:
      'queued: nothing sent yet; sending: the dispatcher is sending it; done: every recipient has an outcome; cancelled: stopped by POST .../cancel (what was not sent yet is skipped)',
  }),
  total: count('Recipients: the audience less those who could not be messaged when it was created'),
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
});

/** A broadcast accepted for sending (or, repeated with its idempotencyKey, as it is now). */
export const QueuedBroadcast = z.object({
  id: z.string().regex(BROADCAST_ID_PATTERN),
  status: z.enum(BROADCAST_STATUSES),
  total: count('Recipients'),
});

export const BroadcastList = listOf(Broadcast);
