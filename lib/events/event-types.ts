/**
 * The event types of outbound webhooks (issue 12). A subscription lists the types it wants, or
 * `["*"]` for all of them. `ping` is not subscribable: `POST /v1/subscriptions/{id}/test`
 * sends one to that subscription alone, whatever it lists.
 */

/** Types a subscription may list, in the order the API documents them. */
export const SUBSCRIBABLE_EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.phone_verified',
  'contact.erased',
  'contact.shared',
  'member.joined',
  'member.left',
  'member.updated',
  'chat.created',
  'chat.migrated',
  'bot.blocked',
  'bot.unblocked',
] as const;

export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number];

/** Sent only by the test route, to one subscription. */
export const PING_EVENT_TYPE = 'ping';

export type EventType = SubscribableEventType | typeof PING_EVENT_TYPE;

export const EVENT_TYPES: readonly EventType[] = [...SUBSCRIBABLE_EVENT_TYPES, PING_EVENT_TYPE];

/** A subscription's `events` value for every type. */
export const ALL_EVENTS = '*';

const subscribable = new Set<string>(SUBSCRIBABLE_EVENT_TYPES);

export function isSubscribableEventType(type: string): type is SubscribableEventType {
  return subscribable.has(type);
}

/**
 * Whether a subscription listing `events` receives an event of `type`: `*` takes every type,
 * including events of types added after the subscription was made. Pings are addressed to one
 * subscription and not matched here.
 */
export function subscribesTo(events: readonly string[], type: string): boolean {
  return events.includes(ALL_EVENTS) || events.includes(type);
}
