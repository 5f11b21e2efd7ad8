/**
 * Environment, parsed once into a frozen typed object. A missing or bad variable fails at
 * start with its name. No other module reads `process.env`.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { ConfigError } from './errors.ts';

// zod/mini, not classic zod: the same schemas as plain functions, which tree-shake. This parser
// costs the webhook bundle ~27 KB instead of ~90 KB (or ~450 KB through `import { z }`, which
// keeps every locale). English messages are opted into explicitly.
z.config(en());

const secretFormat = /^[A-Za-z0-9_-]{1,256}$/;

const optionalString = z.optional(
  z.pipe(
    z.string().check(z.trim()),
    z.transform((s) => (s === '' ? undefined : s)),
  ),
);

const intFrom = (fallback: number, min: number, max: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/**
 * A switch that only ever relaxes a safety rule: `true` turns it on, anything else (unset,
 * `false`, a typo) leaves it off, so a mistake fails closed. Not a zod enum or check: those
 * would add their own code to the webhook bundle, which is at its size ceiling.
 */
const relaxation = z.pipe(
  optionalString,
  z.transform((s) => s === 'true'),
);

const envSchema = z.object({
  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_WEBHOOK_SECRET: optionalString.check(
    z.refine((s) => s === undefined || secretFormat.test(s), {
      message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
    }),
  ),
  TELEGRAM_API_ROOT: z._default(z.url(), 'https://api.telegram.org'),
  TELEGRAM_BOT_USERNAME: optionalString,
  TABLE_NAME: z._default(
    z.string().check(z.minLength(3), z.maxLength(255)),
    'telegram-contacts-local',
  ),
  DYNAMODB_ENDPOINT: z.pipe(optionalString, z.optional(z.url())),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  /** SSM parameter names (deployed): secrets are read from Parameter Store at cold start. */
  TELEGRAM_BOT_TOKEN_PARAM: optionalString,
  TELEGRAM_WEBHOOK_SECRET_PARAM: optionalString,
  CURSOR_SECRET_PARAM: optionalString,
  /** HMAC key for pagination cursors; falls back to the webhook secret locally. */
  CURSOR_SECRET: optionalString,
  /** Per-key token bucket: sustained requests per second and burst size. */
  RATE_LIMIT_RPS: intFrom(10, 1, 100_000),
  RATE_LIMIT_BURST: intFrom(20, 1, 100_000),
  /** How long events and per-day activity (monthly counters) are kept, in days. */
  RETENTION_DAYS: intFrom(400, 1, 36_500),
  /** How long a verified API key stays cached in a warm instance. */
  API_KEY_CACHE_SECONDS: intFrom(60, 0, 3600),
  /**
   * Local only (`npm start` sets it): `true` lets event subscriptions use `http://` URLs on a
   * loopback host (127.0.0.0/8, ::1, localhost). Never set when deployed.
   */
  EVENTS_ALLOW_LOOPBACK: relaxation,
  /**
   * Broadcast messages sent per second, overall (Telegram's published limit is about 30 per
   * second for a bot): the dispatcher paces every broadcast under it.
   */
  BROADCAST_RATE: intFrom(25, 1, 30),
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
