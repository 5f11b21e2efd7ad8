/**
 * What the document promises a typed client, checked by the compiler (`npm test` runs tsc over
 * examples/): each `@ts-expect-error` line must fail to compile, so a document that loosens a
 * type (a flag back to a string, a parameter that vanishes) makes tsc report an unused directive.
 * Never called: the calls exist for their types only.
 */
import type { components, paths } from './api.d.ts';
import { type LookupClient, searchContacts } from './client.ts';

type EventType = components['schemas']['Subscription']['events'][number];
/** A subscription's events are the enum of event types in answers too, not any string. */
export const someEventType: EventType = 'member.joined';
// @ts-expect-error not an event type
export const notAnEventType: EventType = 'member.unknown';

type AttemptType = components['schemas']['DeliveryAttempt']['type'];
/** A delivery attempt's type is an event type (ping included), not any string. */
export const pingAttempt: AttemptType = 'ping';
// @ts-expect-error not an event type
export const notAnAttemptType: AttemptType = 'member.unknown';

type Button = components['schemas']['MessageButton'];
/** A button is named, and needs both its text and its url. */
// @ts-expect-error a button without its url
export const noUrl: Button = { text: 'Open' };

type Audience =
  paths['/v1/broadcasts']['post']['requestBody']['content']['application/json']['audience'];
/** An audience is exactly one of tag, chatId and userIds: none does not compile. */
export const byTag: Audience = { tag: 'vip' };
// @ts-expect-error an audience names a tag, a chat or user ids
export const nobody: Audience = {};

export async function contractChecks(api: LookupClient): Promise<void> {
  // A search gives exactly one of username, phone and tag. The document keeps them three
  // optional parameters (as /v1 always had them); the client's ContactSearch says "one".
  await searchContacts(api, { phone: '+15551234567' });
  // @ts-expect-error a search names a username, a phone or a tag
  await searchContacts(api, {});
  const path = { userId: 1001, chatId: -100200300 };
  const members = { chatId: -100200300 };
  // Query flags are booleans, not the text "true".
  await api.GET('/v1/contacts/{userId}/chats/{chatId}', {
    params: { path, query: { live: true } },
  });
  await api.GET('/v1/contacts/{userId}/chats/{chatId}', {
    params: {
      path,
      query: {
        // @ts-expect-error live is a boolean
        live: 'true',
      },
    },
  });
  await api.GET('/v1/chats/{chatId}/members/export', {
    params: { path: members, query: { includePhone: true, format: 'ndjson' } },
    parseAs: 'text',
  });
  await api.GET('/v1/chats/{chatId}/members', {
    params: {
      path: members,
      query: {
        // @ts-expect-error a misspelt filter does not compile (and the server answers 400)
        stauts: 'member',
      },
    },
  });
  await api.GET('/v1/chats/{chatId}/members', {
    params: {
      path: members,
      query: {
        // @ts-expect-error status is one of member, left and all
        status: 'gone',
      },
    },
  });
}
