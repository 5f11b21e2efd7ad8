/**
 * `npm run webhook -- set|info|delete`: registers the deployed webhook with Telegram. The bot
 * token and the webhook secret come from the environment or, like in Lambda, from SSM
 * Parameter Store (`*_PARAM` names, read through lib/secrets.ts with the usual AWS settings).
 * Neither is ever printed. Exit codes: 0 done, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../lib/config.ts';
import { loadSecrets } from '../lib/secrets.ts';
import { ALLOWED_UPDATES } from '../lib/telegram/allowed-updates.ts';
import { type BotApi, botApiFromConfig } from '../lib/telegram/bot-api.ts';
import { isBotApiError } from '../lib/telegram/bot-api-errors.ts';
import { isValidSecretFormat } from '../lib/telegram/webhook-secret.ts';
import { describeParseError, wantsHelp } from './cli.ts';

/**
 * Telegram's default parallel deliveries, and what `set` registers. serverless.yml reserves
 * as much concurrency for the webhook (webhookReservedConcurrency; the template test keeps
 * them equal), so every delivery Telegram opens finds an instance.
 */
export const DEFAULT_MAX_CONNECTIONS = 40;

/** Ports Telegram delivers webhooks to. */
const WEBHOOK_PORTS = new Set(['', '443', '80', '88', '8443']);

export const USAGE = `usage: npm run webhook -- <command> [options]

  set --url URL [--drop-pending] [--max-connections N]
        register URL (the stack's WebhookUrl output, its Lambda Function URL; https, port
        443, 80, 88 or 8443) with the secret token, the update types the bot uses, and at
        most N parallel deliveries (1-100, default ${DEFAULT_MAX_CONNECTIONS}; keep N at most the
        webhook's reserved concurrency, webhookReservedConcurrency in serverless.yml)
  info  show what Telegram has: URL, pending updates, last error, allowed updates
  delete [--drop-pending]
        remove the webhook (--drop-pending also discards undelivered updates)
  --help
        show this text

environment:
  TELEGRAM_BOT_TOKEN, or TELEGRAM_BOT_TOKEN_PARAM          the bot token, or its SSM parameter name
  TELEGRAM_WEBHOOK_SECRET, or TELEGRAM_WEBHOOK_SECRET_PARAM the secret Telegram sends back (set)
  AWS_REGION, AWS_PROFILE, ...   the usual AWS settings when reading SSM parameters
  TELEGRAM_API_ROOT              Bot API server (default https://api.telegram.org)`;

export interface WebhookCliIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

type Command =
  | { name: 'set'; url: string; dropPending: boolean; maxConnections: number }
  | { name: 'info' }
  | { name: 'delete'; dropPending: boolean };

/** Telegram accepts only https URLs on a few ports; say so before calling it. */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url is not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:') throw new UsageError(`--url must be https, not ${url.protocol}`);
  if (!WEBHOOK_PORTS.has(url.port)) {
    throw new UsageError(`--url port ${url.port} is not one Telegram uses (443, 80, 88, 8443)`);
  }
  if (url.username || url.password) throw new UsageError('--url must not contain credentials');
  return url.href;
}

function parseCommand(argv: string[]): Command {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        'drop-pending': { type: 'boolean' },
        'max-connections': { type: 'string' },
      },
    });
  } catch (err: unknown) {
    throw new UsageError(describeParseError(err));
  }
  const { positionals, values } = parsed;
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra.join(' ')}`);
  const allowed: Record<string, string[]> = {
    set: ['url', 'drop-pending', 'max-connections'],
    info: [],
    delete: ['drop-pending'],
  };
  if (command === undefined) throw new UsageError('missing command');
  const options = allowed[command];
  if (!options) throw new UsageError(`unknown command: ${command}`);
  const misplaced = Object.keys(values).filter((option) => !options.includes(option));
  if (misplaced.length > 0) throw new UsageError(`${command} takes no --${misplaced[0]}`);
  const dropPending = values['drop-pending'] === true;
  if (command === 'info') return { name: 'info' };
  if (command === 'delete') return { name: 'delete', dropPending };
  if (typeof values.url !== 'string' || values.url.trim() === '') {
    throw new UsageError('set needs --url');
  }
  const rawMax = values['max-connections'];
  const maxConnections = rawMax === undefined ? DEFAULT_MAX_CONNECTIONS : Number(rawMax);
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > 100) {
    throw new UsageError(`--max-connections must be an integer from 1 to 100, not ${rawMax}`);
  }
  return { name: 'set', url: checkWebhookUrl(values.url.trim()), dropPending, maxConnections };
}

/** Reads only the secrets `command` needs (info and delete never touch the webhook secret). */
async function secretsFor(command: Command, config: Config) {
  const needsSecret = command.name === 'set';
  return loadSecrets({
    ...config,
    CURSOR_SECRET: undefined,
    CURSOR_SECRET_PARAM: undefined,
    ...(needsSecret
      ? {}
      : { TELEGRAM_WEBHOOK_SECRET: undefined, TELEGRAM_WEBHOOK_SECRET_PARAM: undefined }),
  });
}

function isoTime(seconds: number | undefined): string {
  return seconds ? new Date(seconds * 1000).toISOString() : '-';
}

async function execute(
  command: Command,
  botApi: BotApi,
  secret: string | undefined,
  io: WebhookCliIo,
) {
  if (command.name === 'set') {
    await botApi.setWebhook(command.url, {
      secret_token: secret,
      allowed_updates: [...ALLOWED_UPDATES] as never,
      max_connections: command.maxConnections,
      drop_pending_updates: command.dropPending,
    });
    io.out(`webhook set: ${command.url}`);
    io.out(`  max connections: ${command.maxConnections}`);
    io.out(`  allowed updates: ${ALLOWED_UPDATES.join(', ')}`);
    if (command.dropPending) io.out('  pending updates dropped');
    return;
  }
  if (command.name === 'delete') {
    await botApi.deleteWebhook({ drop_pending_updates: command.dropPending });
    io.out(`webhook deleted${command.dropPending ? ' (pending updates dropped)' : ''}`);
    return;
  }
  const info = await botApi.getWebhookInfo();
  const allowed = info.allowed_updates;
  io.out(`url:              ${info.url || '(none: no webhook set)'}`);
  io.out(`pending updates:  ${info.pending_update_count}`);
  io.out(`max connections:  ${info.max_connections ?? '-'}`);
  io.out(`ip address:       ${info.ip_address ?? '-'}`);
  io.out(
    `last error:       ${isoTime(info.last_error_date)} ${info.last_error_message ?? ''}`.trimEnd(),
  );
  io.out(`allowed updates:  ${allowed?.length ? allowed.join(', ') : "(Telegram's default)"}`);
  if (info.url && [...ALLOWED_UPDATES].sort().join() !== [...(allowed ?? [])].sort().join()) {
    io.out('note: the allowed updates differ from what the bot uses; run `set` again to fix.');
  }
}

function describeFailure(err: unknown, command: Command, config: Config): string {
  if (isBotApiError(err, 'unauthorized')) {
    return 'Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN or its SSM parameter';
  }
  if (isBotApiError(err, 'bad_request')) {
    return `Telegram refused ${err.method}: ${err.description ?? err.message}`;
  }
  if (isBotApiError(err, 'unreachable')) {
    return `could not reach the Bot API at ${config.TELEGRAM_API_ROOT}: ${err.message}`;
  }
  if (isBotApiError(err)) return err.message;
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `${command.name} failed: ${reason}`;
}

/** Runs one CLI invocation; returns the exit code. */
export async function runWebhookCli(argv: string[], io: WebhookCliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(USAGE);
    return 0;
  }
  let command: Command;
  let config: Config;
  try {
    command = parseCommand(argv);
    config = loadConfig(io.env);
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    io.err(err instanceof UsageError ? `webhook: ${message}\n\n${USAGE}` : `webhook: ${message}`);
    return 2;
  }
  try {
    const secrets = await secretsFor(command, config);
    if (!secrets.botToken) {
      io.err(
        'webhook: no bot token: set TELEGRAM_BOT_TOKEN, or TELEGRAM_BOT_TOKEN_PARAM to its SSM name',
      );
      return 1;
    }
    if (
      command.name === 'set' &&
      !(secrets.webhookSecret && isValidSecretFormat(secrets.webhookSecret))
    ) {
      io.err(
        'webhook: set needs the webhook secret the function checks: TELEGRAM_WEBHOOK_SECRET, or ' +
          'TELEGRAM_WEBHOOK_SECRET_PARAM naming its SSM parameter (1-256 of A-Z, a-z, 0-9, _ and -)',
      );
      return 1;
    }
    const botApi = botApiFromConfig(config, secrets);
    await execute(command, botApi, secrets.webhookSecret, io);
    return 0;
  } catch (err: unknown) {
    io.err(`webhook: ${describeFailure(err, command, config)}`);
    return 1;
  }
}
