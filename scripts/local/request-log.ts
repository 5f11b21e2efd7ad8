/**
 * Readable local logs. In a terminal `npm start` prints one short line per request (time,
 * method, path, status, milliseconds, and for the webhook what kind of update it was) instead
 * of the functions' JSON lines; `LOG_FORMAT=json`, a pipe, and deployed functions keep JSON.
 *
 * A line holds no query string (it may carry a phone number), no body text and no header:
 * only the update's kind, and a bot command's name.
 */

export type LogFormat = 'human' | 'json';

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The update's kind for webhook requests, e.g. `message /start`, `chat_member`. */
  update?: string;
}

/** `LOG_FORMAT` (`json` or `human`) when set, else human on a terminal and JSON otherwise. */
export function logFormatOf(
  env: Record<string, string | undefined>,
  isTerminal: boolean,
): LogFormat {
  const chosen = env.LOG_FORMAT?.trim().toLowerCase();
  if (chosen === 'json' || chosen === 'human') return chosen;
  return isTerminal ? 'human' : 'json';
}

/** Message fields worth naming in a line, in order of preference. */
const MESSAGE_DETAILS = [
  'contact',
  'users_shared',
  'new_chat_members',
  'left_chat_member',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
];
const MESSAGE_KINDS = new Set(['message', 'edited_message', 'channel_post', 'edited_channel_post']);

/** The update's kind from a webhook body: its first field besides update_id, and a detail. */
export function describeUpdate(body: Buffer | string): string | undefined {
  let update: unknown;
  try {
    update = JSON.parse(body.toString());
  } catch {
    return undefined;
  }
  if (typeof update !== 'object' || update === null || Array.isArray(update)) return undefined;
  const kind = Object.keys(update).find((key) => key !== 'update_id');
  if (!kind) return undefined;
  const payload = (update as Record<string, unknown>)[kind];
  if (!MESSAGE_KINDS.has(kind) || typeof payload !== 'object' || payload === null) return kind;
  const message = payload as Record<string, unknown>;
  const detail = MESSAGE_DETAILS.find((field) => message[field] !== undefined);
  if (detail) return `${kind} ${detail}`;
  const command =
    typeof message.text === 'string' ? /^\/[A-Za-z0-9_]{1,32}/.exec(message.text) : null;
  return command ? `${kind} ${command[0]}` : kind;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `12:03:04 POST /telegram/webhook 200 4 ms message /start` */
export function formatRequestLine(entry: RequestLogEntry, at = new Date()): string {
  const time = `${pad2(at.getHours())}:${pad2(at.getMinutes())}:${pad2(at.getSeconds())}`;
  const parts = [
    time,
    entry.method,
    entry.path,
    String(entry.status),
    `${Math.round(entry.ms)} ms`,
  ];
  if (entry.update) parts.push(entry.update);
  return parts.join(' ');
}

/**
 * One line per delivery attempt of a subscriber event: `12:00:01 event member.joined ->
 * sub_… attempt 1 delivered 204`. Ids and outcomes only: no URL, body or contact data.
 */
export function formatDeliveryLine(fields: Record<string, unknown>, at = new Date()): string {
  const time = `${pad2(at.getHours())}:${pad2(at.getMinutes())}:${pad2(at.getSeconds())}`;
  const parts = [
    time,
    'event',
    String(fields.type),
    '->',
    String(fields.subscriptionId),
    `attempt ${String(fields.attempt)}`,
    String(fields.outcome),
  ];
  if (fields.httpStatus !== undefined) parts.push(String(fields.httpStatus));
  if (fields.error !== undefined) parts.push(`(${String(fields.error)})`);
  return parts.join(' ');
}

/**
 * One line per broadcast step: `12:00:09 broadcast finished bc_… recipients 3, sent 2,
 * blocked 1, ...`. Ids and counts only: never the message.
 */
export function formatBroadcastLine(
  message: string,
  fields: Record<string, unknown>,
  at = new Date(),
): string {
  const time = `${pad2(at.getHours())}:${pad2(at.getMinutes())}:${pad2(at.getSeconds())}`;
  const details = Object.entries(fields)
    .filter(([name]) => name !== 'broadcastId')
    .map(([name, value]) => `${name} ${String(value)}`)
    .join(', ');
  return [time, message, fields.broadcastId, details].filter(Boolean).join(' ');
}
