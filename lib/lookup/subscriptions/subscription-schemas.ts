/**
 * Schemas of webhook subscriptions: the id in paths, the create and patch bodies (the url's
 * text and the event types; the url's rules are checked by the service), a subscription as
 * answered (with its secret once, when created), its delivery attempts and a queued ping.
 */
import * as z from 'zod';
import {
  ALL_EVENTS,
  EVENT_TYPES,
  isSubscribableEventType,
  PING_EVENT_TYPE,
  SUBSCRIBABLE_EVENT_TYPES,
} from '../../events/event-types.ts';
import { DELIVERY_OUTCOMES } from '../../events/store/delivery-log.ts';
import {
  SUBSCRIPTION_ID_PATTERN,
  SUBSCRIPTION_STATUSES,
} from '../../events/store/subscriptions.ts';
import { MAX_SUBSCRIPTION_URL_LENGTH } from '../../events/subscription-url.ts';
import { codePoints, generatedIdParams, listOf, quoted, time, unknownMembers } from '../schemas.ts';

/** Subscriptions a deployment may have (a soft limit: see the create route's description). */
export const MAX_SUBSCRIPTIONS = 20;
/** Longest subscription description, in characters (Unicode code points). */
export const MAX_DESCRIPTION_LENGTH = 500;

export const subscriptionParams = generatedIdParams(
  'subscriptionId',
  'subscription',
  'sub_',
  SUBSCRIPTION_ID_PATTERN,
);

/** The problem of a member that is required (on creation) and cannot be removed (on patch). */
const requiredMember = (name: string, rule: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? `${name} is required`
    : issue.input === null
      ? `${name} cannot be removed (null)`
      : `${name} must be ${rule}`;

/** The URL as text; its rules (https, public host) are checked by the service. */
const subscriptionUrl = z
  .string({ error: requiredMember('url', 'a string') })
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
    error: requiredMember('events', EVENTS_RULE),
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

/** A webhook subscription; its secret is shown only when it is created. */
export const Subscription = z.object({
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
});

/** A new subscription, with its signing secret. */
export const CreatedSubscription = Subscription.extend({
  secret: z
    .string()
    .regex(/^whsec_/)
    .meta({
      description:
        'The signing secret (whsec_ + base64): receivers verify webhook-signature with it. Shown only in this answer: store it now',
    }),
});

export const SubscriptionList = listOf(Subscription);

/** One delivery attempt. */
export const DeliveryAttempt = z.object({
  eventId: z.string(),
  type: z.enum(EVENT_TYPES).meta({
    description: 'The event type delivered, ping included (more types may be added within /v1)',
  }),
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
});

export const DeliveryAttemptList = listOf(DeliveryAttempt);

/** A ping event, queued for delivery. */
export const PingEvent = z.object({
  eventId: z.string().meta({ description: 'The webhook-id the ping is delivered with' }),
  type: z.literal(PING_EVENT_TYPE),
});
