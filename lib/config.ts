/**
 * Environment, parsed once into a frozen typed object. A missing or bad variable fails at
 * start with its name. No other module reads `process.env`.
 */
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const secretFormat = /^[A-Za-z0-9_-]{1,256}$/;

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const intFrom = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z.object({
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_WEBHOOK_SECRET: optionalString.refine((s) => s === undefined || secretFormat.test(s), {
    message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
  }),
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  TELEGRAM_BOT_USERNAME: optionalString,
  TABLE_NAME: z.string().min(3).max(255).default('telegram-contacts-local'),
  DYNAMODB_ENDPOINT: optionalString.pipe(z.url().optional()),
  AWS_REGION: z.string().default('us-east-1'),
  /** SSM parameter names (deployed): secrets are read from Parameter Store at cold start. */
  TELEGRAM_BOT_TOKEN_PARAM: optionalString,
  TELEGRAM_WEBHOOK_SECRET_PARAM: optionalString,
  CURSOR_SECRET_PARAM: optionalString,
  /** HMAC key for pagination cursors; falls back to the webhook secret locally. */
  CURSOR_SECRET: optionalString,
  /** Per-key token bucket: sustained requests per second and burst size. */
  RATE_LIMIT_RPS: intFrom(10, 1, 100_000),
  RATE_LIMIT_BURST: intFrom(20, 1, 100_000),
  /** How long a verified API key stays cached in a warm instance. */
  API_KEY_CACHE_SECONDS: intFrom(60, 0, 3600),
});

export type Config = Readonly<z.infer<typeof envSchema>>;

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new ConfigError(`invalid environment: ${problems}`);
  }
  return Object.freeze(result.data);
}
