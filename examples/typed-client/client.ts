/**
 * A small typed client of the lookup API, as an application would write one: openapi-fetch
 * over the types openapi-typescript generates from the served document (api.d.ts). `npm test`
 * type-checks it (tsc, strict) and runs it against the local stack
 * (test/integration/examples/typed-client.test.ts), so a change of the document that breaks a
 * client's code fails there first.
 *
 *   const api = lookupClient('http://127.0.0.1:3000', process.env.API_KEY);
 *   const alice = await findByUsername(api, 'alice');
 *   const vips = await searchContacts(api, { tag: 'vip' });
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './api.d.ts';

export type LookupClient = Client<paths>;
export type Contact = components['schemas']['Contact'];
export type Membership = components['schemas']['Membership'];
export type Problem = components['schemas']['Problem'];

/** A problem answer (RFC 9457) as an Error: status and detail, as the API wrote them. */
export class LookupError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
  }
}

/**
 * What a contact search gives: exactly one of username, phone and tag. The document states
 * them as three optional query parameters (see the route's description); this union makes a
 * search by none, or by two, fail to compile.
 */
export type ContactSearch = { username: string } | { phone: string } | { tag: string };

/** A client for the API at `baseUrl` (no /v1: the paths carry it) with one API key. */
export function lookupClient(baseUrl: string, apiKey: string): LookupClient {
  return createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${apiKey}` } });
}

/** The data of a successful answer; a problem answer throws it as a LookupError. */
function dataOf<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.error !== undefined || answer.data === undefined) {
    const problem = answer.error as Problem | undefined;
    throw new LookupError(
      problem ?? {
        type: 'about:blank',
        title: 'Error',
        status: answer.response.status,
        detail: '',
      },
    );
  }
  return answer.data;
}

/** The first page of contacts found by a username, a verified phone or a tag. */
export async function searchContacts(
  api: LookupClient,
  search: ContactSearch,
  limit?: number,
): Promise<Contact[]> {
  const query = { ...search, ...(limit !== undefined ? { limit } : {}) };
  return dataOf(await api.GET('/v1/contacts', { params: { query } })).items;
}

/** The contact with this username (case-insensitive, @ optional), or undefined. */
export async function findByUsername(
  api: LookupClient,
  username: string,
): Promise<Contact | undefined> {
  return (await searchContacts(api, { username }))[0];
}

/** A contact by id, or undefined when the directory has none (404). */
export async function contactById(api: LookupClient, userId: number): Promise<Contact | undefined> {
  const answer = await api.GET('/v1/contacts/{userId}', { params: { path: { userId } } });
  if (answer.response.status === 404) return undefined;
  return dataOf(answer);
}

/** Every current member of a chat (isMember true), reading page after page. */
export async function currentMembers(api: LookupClient, chatId: number): Promise<Membership[]> {
  const members: Membership[] = [];
  let cursor: string | undefined;
  do {
    const page = dataOf(
      await api.GET('/v1/chats/{chatId}/members', {
        params: {
          path: { chatId },
          query: { status: 'member', limit: 100, ...(cursor ? { cursor } : {}) },
        },
      }),
    );
    members.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return members;
}

/** One membership as recorded (live false) or as Telegram says it now (live true). */
export async function membershipOf(
  api: LookupClient,
  userId: number,
  chatId: number,
  live = false,
): Promise<Membership> {
  return dataOf(
    await api.GET('/v1/contacts/{userId}/chats/{chatId}', {
      params: { path: { userId, chatId }, query: { live } },
    }),
  );
}

/** Tags a contact (write key): the tags replace the present ones. */
export async function tagContact(
  api: LookupClient,
  userId: number,
  tags: string[],
): Promise<Contact> {
  return dataOf(
    await api.PATCH('/v1/contacts/{userId}', {
      params: { path: { userId } },
      body: { tags },
      headers: { 'content-type': 'application/merge-patch+json' },
    }),
  );
}
