/**
 * Structured JSON logs (Powertools Logger). Log level from POWERTOOLS_LOG_LEVEL (tests set
 * SILENT). Never pass a token, secret, API key or phone number to it: log ids and counts.
 */
import { Logger } from '@aws-lambda-powertools/logger';

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
