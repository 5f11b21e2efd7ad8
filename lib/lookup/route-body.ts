/**
 * A route's request body: the media type it names (else 415, with `Accept-Patch` on a PATCH
 * route, RFC 5789), JSON (else 400), then its schema (else 400 naming each problem). Bodies
 * of routes that take none are ignored. Problem details never quote the body's values.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { header, jsonBody } from '../http/event.ts';
import { HttpError } from '../http/http-error.ts';
import type { Route } from './route.ts';
import { describeIssues } from './router.ts';

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
}

/** The validated body of `route`'s request; undefined for a route that takes none. */
export function parseRouteBody(route: Route, event: APIGatewayProxyEventV2): unknown {
  if (!route.body) return undefined;
  const { mediaType, schema } = route.body;
  const given = mediaTypeOf(header(event, 'content-type'));
  if (given !== mediaType) {
    throw new HttpError(
      415,
      `send the body as ${mediaType}${given ? `, not ${given.slice(0, 100)}` : ' (Content-Type)'}`,
      route.method === 'PATCH' ? { headers: { 'accept-patch': mediaType } } : {},
    );
  }
  const parsed = schema.safeParse(jsonBody(event));
  if (!parsed.success) throw new HttpError(400, describeIssues(parsed.error, 'body'));
  return parsed.data;
}
