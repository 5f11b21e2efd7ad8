/**
 * Answers whose body is not JSON (an export file), and the size of an answer as Lambda
 * carries it.
 *
 * Lambda's Node.js runtime sends the handler's result to the Lambda service serialized as
 * JSON (`{"statusCode":200,"headers":{...},"body":"..."}`), and the synchronous-invocation
 * response limit (6 MB; the service refuses more with "Exceeded maximum allowed payload size
 * (6291556 bytes)") applies to that serialization: escapes count, so each `"` of the body
 * costs two bytes and each CR or LF two. API Gateway's HTTP API allows 10 MB, so Lambda's
 * limit is the one that binds the lookup function. Bodies here are text, never base64 (which
 * would add a third).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The most a lookup answer may weigh, serialized (see above): 6 MiB, 100 bytes under the
 * limit the Lambda service enforces.
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

/** A non-JSON body with its media type and any headers of its own (Content-Disposition). */
export interface RawBody {
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export function isRawBody(value: unknown): value is RawBody {
  const v = value as Partial<RawBody> | null;
  return typeof v?.contentType === 'string' && typeof v.body === 'string';
}

export function rawResponse(status: number, raw: RawBody): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...raw.headers, 'content-type': raw.contentType },
    body: raw.body,
  };
}

/** Bytes of `response` as the Lambda runtime sends it: its JSON serialization, in UTF-8. */
export function responsePayloadBytes(response: APIGatewayProxyStructuredResultV2): number {
  return Buffer.byteLength(JSON.stringify(response), 'utf8');
}

/** Bytes `text` adds inside a JSON string (its escapes included), in UTF-8. */
export function jsonStringBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}
