/**
 * Request -> route -> validated input -> response, for the lookup handler. Unknown paths
 * are 404, known paths with another method 405 (with Allow), input failing the route's
 * schemas 400 naming each problem, query parameters the route does not take 400 naming them. Responses are parsed by the route's response schema, so
 * a body carries exactly the documented fields, and lose every phone number when the
 * caller's key lacks the `phones` permission (phone-filter.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import { emptyResponse, HttpError, jsonResponse } from '../http/http-error.ts';
import { isRawBody, rawResponse } from '../http/raw-response.ts';
import { withoutPhones } from './phone-filter.ts';
import type { Route } from './route.ts';
import { quoted } from './schemas.ts';

export interface RouteMatch {
  route: Route;
  /** Raw path segments by template name, URL-decoded. */
  params: Record<string, string>;
}

/**
 * The path's segments: one leading and one trailing slash aside, an empty segment (`//`) is
 * kept, so it never matches a literal and fails a parameter's validation (or 404s) instead of
 * silently shifting the segments after it onto another route.
 */
function segments(path: string): string[] {
  const parts = path.split('/');
  if (parts[0] === '') parts.shift();
  if (parts.length > 0 && parts.at(-1) === '') parts.pop();
  return parts;
}

/**
 * The request's path: `rawPath` without the stage prefix API Gateway keeps for named
 * stages (`/prod/v1/...`); `$default` stages have none.
 */
export function requestPath(event: APIGatewayProxyEventV2): string {
  const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
  const stage = event.requestContext?.stage;
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) {
    return path.slice(stage.length + 1);
  }
  return path;
}

function matchPath(template: string, path: string[]): Record<string, string> | undefined {
  const parts = segments(template);
  if (parts.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = path[i] as string;
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name) {
      // A malformed escape stays raw: validation rejects it with 400 after authentication.
      try {
        params[name] = decodeURIComponent(segment);
      } catch {
        params[name] = segment;
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** The route for `method` and `path`; 404 for an unknown path, 405 for another method. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const wanted = segments(path);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, wanted);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length === 0) {
    throw new HttpError(
      404,
      wanted.includes('')
        ? 'no such route in this API: the path has an empty segment (//)'
        : 'no such route in this API',
    );
  }
  throw new HttpError(405, `${method} is not allowed here; use ${allowed.join(' or ')}`, {
    headers: { allow: allowed.join(', ') },
  });
}

/** Whether `issue` lies at or under `path`. */
const under = (issue: z.core.$ZodIssue, path: readonly PropertyKey[]) =>
  path.every((key, i) => issue.path[i] === key);

/**
 * Every issue of a failed validation, `field: message`, joined (the 400's detail). A decisive
 * issue (schemas.ts exactlyOneOf) replaces the others at or under its path.
 */
export function describeIssues(error: z.ZodError, where: string): string {
  if (error.issues.length === 0) return `invalid ${where}`;
  const decisive = error.issues.filter((i) => i.code === 'custom' && i.params?.decisive === true);
  return error.issues
    .filter((issue) => decisive.includes(issue) || !decisive.some((d) => under(issue, d.path)))
    .map((issue) => {
      const field = issue.path.join('.');
      return field && !issue.message.startsWith(field)
        ? `${field}: ${issue.message}`
        : issue.message;
    })
    .join('; ');
}

/** Names as a detail shows them: quoted, at most 40 characters each, at most five. */
const listed = (names: readonly string[]) =>
  `${names
    .slice(0, 5)
    .map(quoted)
    .join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;

/**
 * 400 for a query parameter the route does not take: a misspelt filter (`?stauts=member`)
 * would otherwise answer as if there were none. The detail names them and what the route takes.
 */
function refuseUnknownQuery(route: Route, query: Record<string, string | undefined>): void {
  const known = Object.keys(route.query.shape);
  const unknown = Object.keys(query).filter((name) => !Object.hasOwn(route.query.shape, name));
  if (unknown.length === 0) return;
  const takes =
    known.length === 0
      ? 'this route takes no query parameters'
      : `this route takes ${known.slice(0, -1).join(', ')}${known.length > 1 ? ' and ' : ''}${known.at(-1)}`;
  throw new HttpError(
    400,
    `unknown query parameter${unknown.length > 1 ? 's' : ''} ${listed(unknown)}: ${takes}`,
  );
}

/**
 * Validates path parameters, the query string and the headers the route reads against the
 * route's schemas (400 otherwise; also for a query parameter the route does not take).
 * Header names are matched lower-cased.
 */
export function parseRouteInput(
  match: RouteMatch,
  query: Record<string, string | undefined> | undefined,
  headers: Record<string, string | undefined> = {},
): {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
} {
  const params = match.route.params.safeParse(match.params);
  if (!params.success) throw new HttpError(400, describeIssues(params.error, 'path'));
  refuseUnknownQuery(match.route, query ?? {});
  const parsedQuery = match.route.query.safeParse(query ?? {});
  if (!parsedQuery.success) throw new HttpError(400, describeIssues(parsedQuery.error, 'query'));
  if (!match.route.headers) return { params: params.data, query: parsedQuery.data, headers: {} };
  const read: Record<string, string | undefined> = {};
  for (const name of Object.keys(match.route.headers.shape)) {
    const found = Object.keys(headers).find((given) => given.toLowerCase() === name);
    if (found !== undefined) read[name] = headers[found];
  }
  const parsedHeaders = match.route.headers.safeParse(read);
  if (!parsedHeaders.success) {
    throw new HttpError(400, describeIssues(parsedHeaders.error, 'headers'));
  }
  return { params: params.data, query: parsedQuery.data, headers: parsedHeaders.data };
}

/**
 * The route's answer: 204; its success status (200, 201, 202) with a raw body of one of the
 * route's media types, or with the result shaped by the route's response schema, without any
 * `phoneNumber` unless `phones` (the caller's permission; see phone-filter.ts
 * `mayCarryPhones`). Raw bodies (exports) are the route's to keep phone-free.
 */
export function routeResponse(
  route: Route,
  result: unknown,
  access: { phones: boolean },
): APIGatewayProxyStructuredResultV2 {
  if (route.media) {
    if (!isRawBody(result) || !(result.contentType in route.media)) {
      throw new Error(`${route.operationId} answered a body of an undocumented media type`);
    }
    return rawResponse(route.status, result);
  }
  if (route.status === 204 || !route.response) return emptyResponse(route.status);
  const body = route.response.parse(result);
  return jsonResponse(route.status, access.phones ? body : withoutPhones(body));
}
