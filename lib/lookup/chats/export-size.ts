/**
 * How many members one export answer holds. An answer must fit Lambda's response limit as
 * the runtime serializes it (lib/http/raw-response.ts): the JSON envelope (status, headers,
 * and for CSV the header row) plus each row's line as escaped inside the JSON `body` string.
 * The rows below bound what a member can cost:
 *
 * - smallest: a one-digit id, no names, times or tags; a strict lower bound, so a chat with
 *   more members than the limit holds of these is refused before any membership is read;
 * - worst: every field at Telegram's or the API's maximum (16-digit id, 32-character
 *   username, 64-character first and last names of characters that cost 4 bytes each once
 *   quoted and escaped (`"`, `\` or 4-byte emoji; names hold no control characters), the
 *   longest status, all four times, a 10-digit count, 20 tags of 32 characters, the
 *   longest phone): every chat up to `guaranteedMembers` fits, whatever its members' names;
 * - typical: long real names (Cyrillic with an emoji, a double-barrelled surname), a
 *   username, three tags.
 */
import { jsonStringBytes, rawResponse, responsePayloadBytes } from '../../http/raw-response.ts';
import { MAX_TAGS } from '../schemas.ts';
import {
  EXPORT_COLUMNS,
  type ExportColumn,
  type ExportFormat,
  type ExportRow,
  exportFile,
  exportLine,
  exportPreamble,
} from './export-format.ts';

/** Bytes a row adds to the serialized answer. */
export const rowPayloadBytes = (
  format: ExportFormat,
  row: ExportRow,
  columns: readonly ExportColumn[],
): number => jsonStringBytes(exportLine(format, row, columns));

/** Bytes of the answer without rows: status, headers, and the CSV header row. */
export const envelopeBytes = (
  chatId: number,
  format: ExportFormat,
  columns: readonly ExportColumn[],
): number =>
  responsePayloadBytes(
    rawResponse(200, exportFile(chatId, format, exportPreamble(format, columns))),
  );

const TIME = '2025-11-24T16:00:00.000Z';

export const SMALLEST_ROW: Readonly<ExportRow> = Object.freeze({
  userId: 1,
  status: 'left',
  isMember: true,
  messageCount: 0,
  tags: [],
});

/** The most bytes a name of `length` characters can cost, in `format`, among the costliest. */
function costliestName(format: ExportFormat, length: number): string {
  const candidates = ['"', '\\', '😀', 'é', '中'].map((c) => c.repeat(length));
  const cost = (name: string) =>
    rowPayloadBytes(format, { ...SMALLEST_ROW, firstName: name }, ['firstName']);
  return candidates.reduce((a, b) => (cost(b) > cost(a) ? b : a));
}

/** The longest id Telegram gives a user (52 significant bits) and the longest E.164 number. */
const LONGEST_USER_ID = 2 ** 52 - 1;
const LONGEST_PHONE = `+${'9'.repeat(15)}`;
/** Tags as PATCH /v1/contacts accepts them: at most MAX_TAGS, each 1-32 of `a-z0-9_-`. */
const MAX_TAG_LENGTH = 32;

export function worstRow(format: ExportFormat): ExportRow {
  const name = costliestName(format, 64);
  return {
    userId: LONGEST_USER_ID,
    username: 'u'.repeat(32),
    firstName: name,
    lastName: name,
    status: 'administrator',
    isMember: false,
    joinedAt: TIME,
    leftAt: TIME,
    firstSeenAt: TIME,
    lastSeenAt: TIME,
    messageCount: 9_999_999_999,
    // A leading '-' is neutralised in CSV: one more byte.
    tags: Array.from({ length: MAX_TAGS }, (_, i) =>
      `-${String(i).padStart(2, '0')}`.padEnd(MAX_TAG_LENGTH, 'x'),
    ),
    phoneNumber: LONGEST_PHONE,
  };
}

export const TYPICAL_ROW: Readonly<ExportRow> = Object.freeze({
  userId: 7_123_456_789,
  username: 'alexandra_kovalchuk',
  firstName: 'Александра 🌸',
  lastName: 'Ковальчук-Петренко',
  status: 'member',
  isMember: true,
  joinedAt: TIME,
  firstSeenAt: TIME,
  lastSeenAt: TIME,
  messageCount: 1234,
  tags: ['customer', 'newsletter', 'vip'],
  phoneNumber: '+380501234567',
});

/** The longest chat id (a supergroup's, -100 and 13 digits) as it appears in the file name. */
const LONGEST_CHAT_ID = -1_009_999_999_999_999;

export interface ExportCapacity {
  format: ExportFormat;
  includePhone: boolean;
  smallestRowBytes: number;
  worstRowBytes: number;
  typicalRowBytes: number;
  /** Every chat with at most this many members fits, whatever the rows hold. */
  guaranteedMembers: number;
  /** About this many members of typical rows fit. */
  typicalMembers: number;
  /** No chat with more members than this can fit. */
  impossibleAbove: number;
}

/** What one answer of `limitBytes` holds in `format`, with or without phones. */
export function exportCapacity(
  format: ExportFormat,
  columns: readonly ExportColumn[],
  limitBytes: number,
): ExportCapacity {
  const room = limitBytes - envelopeBytes(LONGEST_CHAT_ID, format, columns);
  const smallest = rowPayloadBytes(format, SMALLEST_ROW, columns);
  const worst = rowPayloadBytes(format, worstRow(format), columns);
  const typical = rowPayloadBytes(format, TYPICAL_ROW, columns);
  return {
    format,
    includePhone: columns.includes('phoneNumber'),
    smallestRowBytes: smallest,
    worstRowBytes: worst,
    typicalRowBytes: typical,
    guaranteedMembers: Math.floor(room / worst),
    typicalMembers: Math.floor(room / typical),
    impossibleAbove: Math.floor(room / smallest),
  };
}

const CAPACITY_COLUMNS: readonly ExportColumn[] = EXPORT_COLUMNS;
const count = (n: number) => n.toLocaleString('en-US');

/** The export's size limits in words, for the OpenAPI description and docs/api.md. */
export function describeExportCapacity(limitBytes: number): string {
  const capacity = (format: ExportFormat, includePhone: boolean) =>
    exportCapacity(
      format,
      includePhone ? [...CAPACITY_COLUMNS, 'phoneNumber'] : CAPACITY_COLUMNS,
      limitBytes,
    );
  const csv = capacity('csv', true);
  const ndjson = capacity('ndjson', true);
  return [
    `One answer carries at most ${count(limitBytes)} bytes as Lambda sends it (serialized as JSON, escapes counted).`,
    `Every chat of up to ${count(csv.guaranteedMembers)} members fits in CSV (${count(ndjson.guaranteedMembers)} in NDJSON) whatever its members' names and tags (at worst ${count(csv.worstRowBytes)} and ${count(ndjson.worstRowBytes)} bytes per member);`,
    `with typical rows (about ${count(csv.typicalRowBytes)} and ${count(ndjson.typicalRowBytes)} bytes) about ${count(csv.typicalMembers)} and ${count(ndjson.typicalMembers)} members fit.`,
    'A larger export answers 413, pointing to the paginated member list.',
  ].join(' ');
}
