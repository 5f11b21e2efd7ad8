/**
 * The OpenAPI 3.1 document of the lookup API, generated from the route table and the same
 * zod schemas that validate requests and shape responses (`schemas.ts` and each resource's
 * `*-schemas.ts`): components from the `components` registry (components.ts), parameters
 * from each route's params and query objects (their input side: what a client sends),
 * responses from each route's response schema.
 */
import * as z from 'zod';
import { MAX_BODY_BYTES } from '../http/event.ts';
import { titleOf } from '../http/http-error.ts';
import { components } from './components.ts';
import type { Route, RouteBody, RouteStatus } from './route.ts';
import { exactlyOneGroups, MAX_ACTIVITY_DAYS, MAX_LIMIT, Problem } from './schemas.ts';

type JsonSchema = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** Drops what a schema inside an OpenAPI document must not repeat. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** One object per member of `names`, each requiring it: "exactly one of" in JSON Schema. */
function oneObjectEach(names: readonly string[], properties: Record<string, JsonSchema>) {
  return names.map((name) => ({
    type: 'object',
    properties: { [name]: properties[name] ?? {} },
    required: [name],
    additionalProperties: false,
  }));
}

/**
 * An object of which exactly one member is given (schemas.ts exactlyOneOf) becomes a oneOf
 * of one object per member, so a generated client cannot send none (or two).
 */
type OverrideContext = Parameters<
  NonNullable<NonNullable<Parameters<typeof z.toJSONSchema>[1]>['override']>
>[0];

function stateExactlyOne(ctx: OverrideContext): void {
  const group = exactlyOneGroups.get(ctx.zodSchema as z.core.$ZodType);
  if (!group) return;
  const json = ctx.jsonSchema as JsonSchema;
  const { properties = {}, type: _type, required: _required, additionalProperties: _ap } = json;
  for (const key of ['properties', 'type', 'required', 'additionalProperties']) delete json[key];
  json.oneOf = oneObjectEach(group.names, properties as Record<string, JsonSchema>);
}

/**
 * A schema's JSON Schema, as the document states it: a named schema inside it is a $ref to
 * its component (components are stated as answered, io output: a request schema names only
 * components whose input is the same, such as MessageButton).
 */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  return bare(
    z.toJSONSchema(schema, {
      io,
      override: (ctx) => {
        const zod = ctx.zodSchema as z.core.$ZodType;
        const id = zod === schema ? undefined : components.get(zod)?.id;
        if (id === undefined) return stateExactlyOne(ctx);
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonSchema)[key];
        Object.assign(ctx.jsonSchema, ref(id));
      },
      ...(io === 'output' ? { unrepresentable: 'any' as const } : {}),
    }) as JsonSchema,
  );
}

function schemaRef(schema: z.ZodType): JsonSchema {
  const id = components.get(schema)?.id;
  return id ? ref(id) : jsonSchemaOf(schema);
}

/**
 * Parameters of a params or query object. A value arrives as text; its schema is the parsed
 * value's (an integer with its bounds, a date) when JSON Schema can say it, else the text's.
 */
function parameters(object: z.ZodObject, where: 'path' | 'query' | 'header'): JsonSchema[] {
  type ObjectSchema = { properties?: Record<string, JsonSchema>; required?: string[] };
  const input = jsonSchemaOf(object, 'input') as ObjectSchema;
  const output = jsonSchemaOf(object, 'output') as ObjectSchema;
  const params: JsonSchema[] = [];
  for (const [name, text] of Object.entries(input.properties ?? {})) {
    const parsed = output.properties?.[name];
    const { description, ...schema } = parsed && 'type' in parsed ? parsed : text;
    params.push({
      name,
      in: where,
      required: where === 'path' || (input.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema,
    });
  }
  return params;
}

/**
 * API Gateway's own answer when the whole API is over its stage throttling. It can reach every
 * route, the public one included, and is not problem+json: the function never sees the request.
 */
const stageThrottled = {
  description:
    "Too Many Requests: the whole API is over its stage throttling (API Gateway's own answer)",
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { message: { type: 'string', const: 'Too Many Requests' } },
      },
    },
  },
};

type HeaderDocs = Record<string, { description: string }>;

/** The headers every problem answer of `status` carries, besides the route's own. */
function problemHeaders(status: number, method: string): Record<string, JsonSchema> {
  const headers: Record<string, JsonSchema> = {};
  if (status === 401) {
    headers['WWW-Authenticate'] = {
      description: 'Bearer (RFC 6750): the API key goes in Authorization: Bearer, or x-api-key',
      required: true,
      schema: { type: 'string' },
    };
  }
  if (status === 429 || status === 503) {
    headers['Retry-After'] = {
      description: 'Whole seconds to wait before trying again',
      schema: { type: 'integer', minimum: 1 },
    };
  }
  // Only routes with a body answer 415; on PATCH routes it names the accepted type (RFC 5789).
  if (status === 415 && method === 'PATCH') {
    headers['Accept-Patch'] = { schema: { type: 'string' } };
  }
  return headers;
}

const headerDocs = (headers: HeaderDocs = {}) =>
  Object.fromEntries(
    Object.entries(headers).map(([name, h]) => [
      name,
      { description: h.description, schema: { type: 'string' } },
    ]),
  );

/** What a 413 means on a route that reads a JSON body (besides any 413 of its own). */
const BODY_TOO_LARGE_NOTE = `a body over 1 MiB (${MAX_BODY_BYTES} bytes) is refused before it is parsed`;

const problem = (status: number, method: string, own?: HeaderDocs, note?: string) => {
  const headers = { ...problemHeaders(status, method), ...headerDocs(own) };
  return {
    description: note ? `${titleOf(status)}: ${note}` : titleOf(status),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { 'application/problem+json': { schema: schemaRef(Problem) } },
  };
};

/**
 * The answer to a method a path does not take. OpenAPI has no slot for it (an operation is a
 * method that exists), so it sits in the root extension `x-method-not-allowed`, which the info
 * description points to; as a component nothing would reference it.
 */
const METHOD_NOT_ALLOWED = {
  description: 'Method Not Allowed: the path exists, the method does not; Allow lists the methods',
  headers: {
    Allow: {
      description: 'The methods the path takes, e.g. GET, PATCH, DELETE',
      required: true,
      schema: { type: 'string' },
    },
  },
  content: { 'application/problem+json': { schema: ref('Problem') } },
};

const SUCCESS: Record<RouteStatus, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
};

/** A raw body is text in one of the route's media types; its shape is in their descriptions. */
function successResponse(route: Route): JsonSchema {
  const description = SUCCESS[route.status];
  const headers = route.successHeaders ? { headers: headerDocs(route.successHeaders) } : {};
  if (route.media) {
    const content = Object.fromEntries(
      Object.entries(route.media).map(([type, media]) => [
        type,
        {
          schema: { type: 'string', description: media.description },
          ...(media.example !== undefined ? { example: media.example } : {}),
          ...(media.itemSchema ? { 'x-item-schema': schemaRef(media.itemSchema) } : {}),
        },
      ]),
    );
    return { description, ...headers, content };
  }
  if (route.status === 204 || !route.response) return { description, ...headers };
  return {
    description,
    ...headers,
    content: { 'application/json': { schema: schemaRef(route.response) } },
  };
}

/** A route's request body: what a client sends (the schema's input side), one media type. */
function requestBody(body: RouteBody<z.ZodType>): JsonSchema {
  return {
    required: true,
    description: body.description,
    content: {
      [body.mediaType]: {
        schema: jsonSchemaOf(body.schema, 'input'),
      },
    },
  };
}

function operation(route: Route): JsonSchema {
  const authenticated = route.scope !== 'public';
  const params = parameters(route.params, 'path');
  const query = [
    ...parameters(route.query, 'query'),
    ...(route.headers ? parameters(route.headers, 'header') : []),
  ];
  const errors = new Set([
    ...(params.length + query.length > 0 || route.body ? [400] : []),
    ...(authenticated ? [401, 403, 429] : []),
    ...(route.body ? [413] : []),
    ...(route.errors ?? []),
    500,
  ]);
  const success = successResponse(route);
  const responses: Record<string, JsonSchema> = {
    [String(route.status)]: success,
    ...Object.fromEntries(
      [...errors]
        .sort((a, b) => a - b)
        .map((s) => [
          String(s),
          problem(
            s,
            route.method,
            route.errorHeaders?.[s],
            s === 413 && route.body
              ? `${BODY_TOO_LARGE_NOTE}${route.errors?.includes(413) ? ' (for other causes, see the description)' : ''}`
              : undefined,
          ),
        ]),
    ),
  };
  // A public route has no key to limit; only the stage throttling answers it with a 4xx.
  if (!authenticated) responses['429'] = stageThrottled;
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(authenticated ? { 'x-required-scope': route.scope } : { security: [] }),
    ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
    ...(route.body ? { requestBody: requestBody(route.body) } : {}),
    responses,
  };
}

/**
 * The project states no open-source license (package.json is private). Placeholder until the
 * owner chooses one; `LicenseRef-` is SPDX's form for a license that is not on its list.
 */
export const API_LICENSE = { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' };

/**
 * Servers: one relative URL, resolved against where the document is served
 * (`GET /v1/openapi.json`), so the same document is right locally and deployed.
 */
export const API_SERVERS = [
  { url: '/', description: 'The host serving this document (npm start, or the deployed API)' },
];

/** The document: what `GET /v1/openapi.json` answers (its type inferred, for its route's check). */
export function buildOpenApiDocument(routes: readonly Route[]) {
  const generated = z.toJSONSchema(components, {
    uri: (id) => `#/components/schemas/${id}`,
    override: stateExactlyOne,
  }) as { schemas: Record<string, JsonSchema> };
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([id, schema]) => [id, bare(schema)]),
  );
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, JsonSchema>)[route.method.toLowerCase()] =
      operation(route);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'telegram-contacts lookup API',
      version: '1.0.0',
      description: [
        'The contact directory a Telegram bot builds from its updates.',
        'Auth: `Authorization: Bearer <key>` or `x-api-key: <key>`; scope `read` reads, `write` also sets tags and notes and sends messages, `admin` also erases and manages subscriptions.',
        'Phone numbers (phoneNumber of contacts and shared contacts, the export column) are answered only to keys with the `phones` permission: admin keys always, others when created with `npm run apikey -- create ... --phones`, and keys created before the permission existed. To any other key every answer comes without them; a search by phone still answers it (so it tells whether a number is known).',
        'Over the per-key rate limit: 429 with Retry-After. Errors are application/problem+json. A missing, unknown or revoked key is 401 with WWW-Authenticate: Bearer. A method a path does not take is 405 with Allow (x-method-not-allowed at the root of this document); a query parameter a route does not take is 400.',
        `Lists are {items, nextCursor}; limit 1-${MAX_LIMIT} (default 50); pass nextCursor back unchanged as cursor.`,
        `Activity ranges span at most ${MAX_ACTIVITY_DAYS} days. Times are ISO 8601 UTC; absent values are omitted.`,
      ].join('\n\n'),
      license: API_LICENSE,
    },
    servers: API_SERVERS,
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    // Any path, another method: OpenAPI has no slot for an answer to an undeclared method.
    'x-method-not-allowed': METHOD_NOT_ALLOWED,
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A lookup API key' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
  };
}
