/**
 * The log lines of the data map (data-map.ts): every `message` the functions and the local
 * stack log, with its fields. They hold ids and counts, never a name, a username, a phone
 * number, a chat title, a message's text or Telegram's description of a refusal (which can
 * quote the text). A test holds this list to the log calls in the code.
 */
import type { LogLine } from './data-map.ts';

/**
 * How long CloudWatch keeps every function's log group (serverless.yml `logRetentionInDays`,
 * which a test holds to this): the only limit on how long a logged user id stays.
 */
export const LOG_RETENTION_DAYS = 30;

const lookupFields = ['operation', 'keyId', 'status'];

export const LOG_LINES: readonly LogLine[] = [
  {
    message: 'update handled',
    level: 'info',
    source: 'functions/webhook.ts',
    fields: ['updateId', 'kind', 'duplicate', 'ms'],
    personal: [],
  },
  {
    message: 'update rejected',
    level: 'by status',
    source: 'functions/webhook.ts',
    fields: ['status', 'error', 'detail', 'cause'],
    personal: [],
  },
  {
    message: 'bot identity unknown (set TELEGRAM_BOT_USERNAME); /command@bot may not match',
    level: 'warn',
    source: 'lib/webhook/webhook-deps.ts',
    fields: ['error'],
    personal: [],
  },
  {
    message: 'bot handler failed',
    level: 'error',
    source: 'lib/bot/create-bot.ts',
    fields: ['updateId', 'error'],
    personal: [],
  },
  {
    message: 'bot reply dropped',
    level: 'warn',
    source: 'lib/bot/reply-sink.ts',
    fields: ['method', 'error', 'errorCode'],
    personal: [],
  },
  {
    message: 'lookup',
    level: 'info',
    source: 'functions/lookup.ts',
    fields: [...lookupFields, 'ms'],
    personal: [],
  },
  {
    message: 'lookup failed',
    level: 'by status',
    source: 'functions/lookup.ts',
    fields: [...lookupFields, 'error', 'detail', 'cause'],
    personal: ['id', 'chat'],
  },
  {
    message: 'erase',
    level: 'info',
    source: 'lib/lookup/contacts/contacts-service.ts',
    fields: ['action', 'keyId', 'userId', 'erased', 'items'],
    personal: ['id'],
  },
  {
    message: 'audit',
    level: 'info',
    source: 'lib/lookup/messages/messages-service.ts, lib/lookup/broadcasts/broadcasts-service.ts',
    fields: ['audit', 'keyId', 'route', 'broadcastId', 'audience', 'recipients', 'status'],
    personal: [],
  },
  {
    message: 'idempotency record failed',
    level: 'warn',
    source: 'lib/lookup/messages/messages-service.ts',
    fields: ['keyId', 'route', 'error'],
    personal: [],
  },
  {
    message: 'subscription created',
    level: 'info',
    source: 'lib/lookup/subscriptions/subscriptions-service.ts',
    fields: ['action', 'keyId', 'subscriptionId', 'origin'],
    personal: [],
  },
  {
    message: 'subscription changed',
    level: 'info',
    source: 'lib/lookup/subscriptions/subscriptions-service.ts',
    fields: ['action', 'keyId', 'subscriptionId', 'changed', 'status'],
    personal: [],
  },
  {
    message: 'subscription deleted',
    level: 'info',
    source: 'lib/lookup/subscriptions/subscriptions-service.ts',
    fields: ['action', 'keyId', 'subscriptionId'],
    personal: [],
  },
  {
    message: 'sweep',
    level: 'info',
    source: 'functions/dispatcher.ts',
    fields: ['events', 'deliveries', 'broadcasts'],
    personal: [],
  },
  {
    message: 'fan-out failed',
    level: 'error',
    source: 'functions/dispatcher.ts',
    fields: ['error', 'detail', 'cause'],
    personal: [],
  },
  {
    message: 'delivery',
    level: 'info',
    source: 'lib/events/delivery-attempt.ts',
    fields: ['subscriptionId', 'eventId', 'type', 'attempt', 'outcome', 'httpStatus', 'error'],
    personal: [],
  },
  {
    message: 'broadcast started',
    level: 'info',
    source: 'lib/messaging/broadcast-sender.ts',
    fields: ['broadcastId', 'recipients'],
    personal: [],
  },
  {
    message: 'broadcast paused',
    level: 'info',
    source: 'lib/messaging/broadcast-sender.ts',
    fields: ['broadcastId', 'retryAfterMs'],
    personal: [],
  },
  {
    message: 'broadcast finished',
    level: 'info',
    source: 'lib/messaging/broadcast-sender.ts',
    fields: [
      'broadcastId',
      'recipients',
      'cancelled',
      'sent',
      'failed',
      'blocked',
      'skipped',
      'unknown',
    ],
    personal: [],
  },
  {
    message: 'broadcasts wait: no bot token configured',
    level: 'info',
    source: 'lib/messaging/broadcast-sender.ts',
    fields: ['pending'],
    personal: [],
  },
  {
    message: 'broadcasts stopped',
    level: 'info',
    source: 'lib/messaging/broadcast-sender.ts',
    fields: ['reason'],
    personal: [],
  },
  {
    message: 'polling stopped: Telegram rejected the bot token (401)',
    level: 'error',
    source: 'scripts/local/poller.ts (npm start -- --poll only)',
    fields: [],
    personal: [],
  },
  {
    message: 'polling error; backing off',
    level: 'warn',
    source: 'scripts/local/poller.ts (npm start -- --poll only)',
    fields: ['error', 'detail', 'backoffMs'],
    personal: [],
  },
  {
    message: 'update below its queue mark',
    level: 'warn',
    source: 'scripts/local/start.ts (npm start with JSON lines only)',
    fields: ['updateId', 'chatId', 'mark'],
    personal: ['chat'],
  },
];
