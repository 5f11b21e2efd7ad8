/**
 * Structured JSON logs (Powertools Logger). Log level from POWERTOOLS_LOG_LEVEL (tests set
 * SILENT). Never pass a token, secret, API key or phone number to it: log ids and counts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

export const logger = new Logger({ serviceName: 'telegram-contacts' });

/**
 * The level of a request's outcome: 5xx is ERROR; a 4xx is the client's mistake and ordinary
 * traffic, so INFO, unless the caller lists it in `warnOn` as a sign of misconfiguration.
 */
export function levelForStatus(
  status: number,
  warnOn: readonly number[] = [],
): 'error' | 'warn' | 'info' {
  if (status >= 500) return 'error';
  return warnOn.includes(status) ? 'warn' : 'info';
}

/**
 * Starts an invocation's log lines: with a Lambda context every line carries its request id
 * and cold-start flag (`function_request_id`, `cold_start`, the function's name, ARN and
 * memory: about 250 bytes a line). Locally and in tests there is no context (or only a
 * clock), and lines go without. Per-request fields (an API key's id) are passed on each line,
 * never appended to this process-wide logger: the local stack runs the functions concurrently
 * in one process, where an appended key would reach other requests' lines.
 */
export function beginInvocation(context?: Partial<Context>): void {
  if (context?.awsRequestId) logger.addContext(context as Context);
}
