/**
 * The lookup API's route table: every route, each bound to one service call, in the order
 * the OpenAPI document lists them (docs/lookup-api.md's routes table follows it). Each
 * resource declares its routes beside its service; this list only puts them in order and
 * adds the route serving the document of the list itself.
 */
import { broadcastRoutes } from './broadcasts/broadcast-routes.ts';
import { chatRoutes } from './chats/chat-routes.ts';
import { contactRoutes } from './contacts/contact-routes.ts';
import { messageRoutes } from './messages/message-routes.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { defineRoute, type Route } from './route.ts';
import { noParams, noQuery, OpenApiDocument } from './schemas.ts';
import { subscriptionRoutes } from './subscriptions/subscription-routes.ts';

let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;

/** `GET /v1/openapi.json`: the document of this table, built once on first use. */
const openApiRoute = defineRoute({
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApiDocument',
  summary: 'This document (public: no key needed)',
  scope: 'public',
  params: noParams,
  query: noQuery,
  status: 200,
  response: OpenApiDocument,
  run: async () => {
    openApiDocument ??= buildOpenApiDocument(LOOKUP_ROUTES);
    return openApiDocument;
  },
});

export const LOOKUP_ROUTES: readonly Route[] = [
  ...contactRoutes,
  ...messageRoutes,
  ...chatRoutes,
  ...subscriptionRoutes,
  ...broadcastRoutes,
  openApiRoute,
];
