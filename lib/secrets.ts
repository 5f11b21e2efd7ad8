/**
 * Secrets at cold start: from SSM Parameter Store when a `*_PARAM` name is configured
 * (deployed; SecureString, decrypted, cached by Powertools Parameters for five minutes),
 * else from the plain environment (local). Values never reach logs.
 */
import type { Config } from './config.ts';
import { ConfigError } from './errors.ts';

export interface Secrets {
  botToken?: string;
  webhookSecret?: string;
  cursorSecret?: string;
}

const MAX_AGE_SECONDS = 300;

async function fromSsm(name: string): Promise<string> {
  // Loaded only when a parameter is configured, so local runs never touch the SSM client.
  const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
  const value = await getParameter(name, { decrypt: true, maxAge: MAX_AGE_SECONDS });
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`SSM parameter ${name} is missing or empty`);
  }
  return value;
}

export async function loadSecrets(config: Config): Promise<Secrets> {
  const read = (param: string | undefined, plain: string | undefined) =>
    param ? fromSsm(param) : Promise.resolve(plain);
  const [botToken, webhookSecret, cursorSecret] = await Promise.all([
    read(config.TELEGRAM_BOT_TOKEN_PARAM, config.TELEGRAM_BOT_TOKEN),
    read(config.TELEGRAM_WEBHOOK_SECRET_PARAM, config.TELEGRAM_WEBHOOK_SECRET),
    read(config.CURSOR_SECRET_PARAM, config.CURSOR_SECRET),
  ]);
  return { botToken, webhookSecret, cursorSecret };
}
