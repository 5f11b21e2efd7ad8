/**
 * HTTP errors and their RFC 9457 problem+json form. `expose` is true below 500: only then
 * does the detail reach the client; 5xx bodies say something generic.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError } from '../errors.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export class HttpError extends AppError {
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Record<string, string>;
  /** Extension members of the problem (RFC 9457 section 3.2), e.g. a send's `outcome`. */
  readonly extensions: Record<string, string>;

  constructor(
    status: number,
    detail: string,
    options: {
      cause?: unknown;
      headers?: Record<string, string>;
      expose?: boolean;
      extensions?: Record<string, string>;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    // A 5xx detail reaches the client only when the thrower wrote it for the client.
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export function titleOf(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Error');
}

/**
 * The problem `type` of every error, 4xx and 5xx alike: the status's page. No error has
 * semantics beyond its status, so clients branch on `status` and read `detail`.
 */
export function problemType(status: number): string {
  return `https://httpstatuses.io/${status}`;
}

/**
 * The one way errors leave: problem+json with a generic detail for 5xx, unless `expose`
 * says the detail was written for the client (e.g. "Telegram could not be reached").
 */
export function problemResponse(
  status: number,
  detail: string,
  headers: Record<string, string> = {},
  expose = status < 500,
  extensions: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  const title = titleOf(status);
  const body = {
    ...(expose ? extensions : {}),
    type: problemType(status),
    title,
    status,
    detail: expose ? detail : 'The service could not complete the request; try again later.',
  };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Maps any thrown value to a response: HttpError keeps its status, anything else is 500. */
export function errorToResponse(err: unknown): APIGatewayProxyStructuredResultV2 {
  if (err instanceof HttpError) {
    return problemResponse(err.status, err.message, err.headers, err.expose, err.extensions);
  }
  return problemResponse(500, 'internal error');
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function emptyResponse(status: number): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, body: '' };
}
