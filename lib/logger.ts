/**
 * Structured JSON logs (Powertools Logger). Log level from POWERTOOLS_LOG_LEVEL (tests set
 * SILENT). Never pass a token, secret, API key or phone number to it: log ids and counts.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'telegram-contacts' });
