/**
 * The compiler checks each route against its response: `npm run typecheck` compiles this
 * file, so each `@ts-expect-error` below fails the typecheck if the mistake under it stops
 * being an error (a route answering the wrong shape would then compile again).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import type { RawBody } from '../../../lib/http/raw-response.ts';
import { Contact } from '../../../lib/lookup/contacts/contact-schemas.ts';
import { defineRoute, type RouteResult } from '../../../lib/lookup/route.ts';
import { noQuery, userParams } from '../../../lib/lookup/schemas.ts';

const base = {
  method: 'GET',
  path: '/v1/contacts/{userId}',
  operationId: 'typeTest',
  summary: 'Compiled, never served',
  scope: 'read',
  params: userParams,
  query: noQuery,
} as const;

const contact: z.input<typeof Contact> = {
  id: 1001,
  isBot: false,
  firstName: 'Alice',
  broadcastOptOut: false,
  messageCount: 0,
};

describe('defineRoute', () => {
  it("types run's result from the response schema's input", () => {
    expectTypeOf<RouteResult<typeof Contact, undefined>>().toEqualTypeOf<z.input<typeof Contact>>();
    expectTypeOf<
      RouteResult<undefined, { 'text/csv': { description: string } }>
    >().toEqualTypeOf<RawBody>();
    expectTypeOf<RouteResult<undefined, undefined>>().toEqualTypeOf<void>();
  });

  it('compiles a route that answers its response', () => {
    const route = defineRoute({
      ...base,
      status: 200,
      response: Contact,
      run: async (_ctx, { params }) => ({ ...contact, id: params.userId }),
    });
    expect(route.operationId).toBe('typeTest');
  });

  it('refuses a route that answers another shape than its response', () => {
    defineRoute({
      ...base,
      status: 200,
      response: Contact,
      // @ts-expect-error: not a Contact
      run: async () => ({ definitelyNotAContact: 1 }),
    });
    defineRoute({
      ...base,
      status: 200,
      response: Contact,
      // @ts-expect-error: a Contact needs messageCount
      run: async () => ({ id: 1, isBot: false, firstName: 'A', broadcastOptOut: false }),
    });
  });

  it('refuses a raw route that answers JSON, and a 204 route that answers a body', () => {
    defineRoute({
      ...base,
      status: 200,
      media: { 'text/csv': { description: 'CSV' } },
      // @ts-expect-error: a raw route answers a RawBody
      run: async () => contact,
    });
    defineRoute({
      ...base,
      status: 204,
      // @ts-expect-error: a 204 route answers nothing
      run: async () => contact,
    });
  });

  it('refuses a status that does not match what the route answers', () => {
    defineRoute({
      ...base,
      // @ts-expect-error: a route with a response schema answers 200, 201 or 202
      status: 204,
      response: Contact,
      run: async () => contact,
    });
    defineRoute({
      ...base,
      // @ts-expect-error: a route without a body answers 204
      status: 200,
      run: async () => undefined,
    });
  });
});
