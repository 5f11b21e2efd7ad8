/**
 * The shape of one lookup route: what it accepts, who may call it, what it answers. The
 * compiler checks a route against its own schemas (`defineRoute`): `run` is given the parsed
 * params, query, headers and body, and must answer what the route declares (RouteResult).
 */
import type * as z from 'zod';
import type { ApiScope } from '../access/api-keys.ts';
import { HttpError } from '../http/http-error.ts';
import type { RawBody } from '../http/raw-response.ts';
import type { RequestContext } from './context.ts';

export type RouteScope = ApiScope | 'public';
export type RouteMethod = 'GET' | 'POST' | 'DELETE' | 'PATCH';
/** Success statuses: 200 OK, 201 Created, 202 Accepted (with a body), 204 No Content. */
export type RouteStatus = 200 | 201 | 202 | 204;

/** A route's request body: one media type, validated by `schema` after JSON parsing. */
export interface RouteBody<B extends z.ZodType> {
  /** The only `Content-Type` accepted (parameters such as charset aside); others are 415. */
  mediaType: string;
  schema: B;
  description: string;
}

/** The media types of a raw answer, each described for the document. */
export type RouteMedia = Record<
  string,
  { description: string; example?: string; itemSchema?: z.ZodType }
>;

/**
 * What `run` answers, from what the route declares:
 * - a `response` schema: that schema's input type, since the router parses the result through
 *   it (dropping what the schema does not name, e.g. phones for a key without them);
 * - `media` (a raw file): a RawBody, whose media type the router checks against `media`;
 * - neither (204): nothing; the router sends no body.
 */
export type RouteResult<
  S extends z.ZodType | undefined,
  M extends RouteMedia | undefined,
> = M extends RouteMedia
  ? RawBody
  : S extends z.ZodType
    ? z.input<S>
    : // biome-ignore lint/suspicious/noConfusingVoidType: a 204 route's run is a Promise<void> service call
      void;

/** The statuses a route may declare: 204 exactly when it answers no body. */
export type RouteStatusOf<
  S extends z.ZodType | undefined,
  M extends RouteMedia | undefined,
> = M extends RouteMedia ? 200 : S extends z.ZodType ? 200 | 201 | 202 : 204;

/** What `run` is given: each part parsed by the route's schema. */
export interface RouteInput<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  B extends z.ZodType,
  H extends z.ZodObject,
> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  headers: z.output<H>;
}

export interface RouteSpec<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  B extends z.ZodType = z.ZodUndefined,
  H extends z.ZodObject = z.ZodObject,
  S extends z.ZodType | undefined = undefined,
  M extends RouteMedia | undefined = undefined,
> {
  method: RouteMethod;
  /** OpenAPI path template, e.g. `/v1/contacts/{userId}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  scope: RouteScope;
  params: P;
  query: Q;
  /**
   * Request headers the route reads, by lower-case name (validated like the query: 400
   * otherwise; documented as header parameters). Absent: the route reads none.
   */
  headers?: H;
  /** A JSON body the route requires (absent: a body is ignored). */
  body?: RouteBody<B>;
  /**
   * 200, 201 or 202 with a body shaped by `response` (JSON) or one of `media` (raw), or 204
   * without one.
   */
  status: RouteStatusOf<S, M>;
  response?: S;
  /**
   * A body that is not JSON: the media types (as sent in Content-Type) `run` may answer with,
   * each described for the document (`itemSchema`: the shape of each line of a line-delimited
   * type, as `x-item-schema`). `run` then returns a RawBody (lib/http/raw-response.ts).
   */
  media?: M;
  /** Headers of the success answer, for the document (e.g. Content-Disposition). */
  successHeaders?: Record<string, { description: string }>;
  /** Problem statuses this route answers besides 400, 401, 403, 429 and 500. */
  errors?: number[];
  /** Headers of some of those problem answers, by status, for the document. */
  errorHeaders?: Partial<Record<number, Record<string, { description: string }>>>;
  /** Calls one service; a thrown HttpError becomes the answer. `ctx.caller` is set unless public. */
  run(ctx: RequestContext, input: RouteInput<P, Q, B, H>): Promise<RouteResult<S, M>>;
}

/** A route of the table, its types erased: the router checks its result at run time. */
export interface Route
  extends Omit<
    RouteSpec<z.ZodObject, z.ZodObject, z.ZodType, z.ZodObject, z.ZodType, RouteMedia>,
    'status' | 'run'
  > {
  status: RouteStatus;
  run(
    ctx: RequestContext,
    input: RouteInput<z.ZodObject, z.ZodObject, z.ZodType, z.ZodObject>,
  ): Promise<unknown>;
}

/** Type-checks a route against its own schemas, then erases the types for the table. */
export function defineRoute<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  B extends z.ZodType = z.ZodUndefined,
  H extends z.ZodObject = z.ZodObject,
  S extends z.ZodType | undefined = undefined,
  M extends RouteMedia | undefined = undefined,
>(spec: RouteSpec<P, Q, B, H, S, M>): Route {
  return spec as unknown as Route;
}

/** `value`, or a 404 with `detail` when the service found nothing (null). */
export function found<T>(value: T | null, detail: string): T {
  if (value === null) throw new HttpError(404, detail);
  return value;
}
