/**
 * The member export's rows and their two encodings, as pure functions.
 *
 * CSV (RFC 4180): a header row, CRLF after every record, a field quoted when it holds a comma,
 * a quote, CR or LF, quotes inside doubled. A cell a spreadsheet would run as a formula (one
 * starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'` (OWASP's advice against CSV
 * injection); names, tags and phone numbers are the cells that can start so (a verified phone
 * always does: `'+15551234567`). No byte-order mark: the charset is in Content-Type.
 *
 * NDJSON: one JSON object per line (LF), keys in column order, absent values omitted as
 * elsewhere in the API, `tags` an array; values raw (JSON is not run by spreadsheets).
 */

import type { MemberExtras } from '../../directory/read/member-extras.ts';
import type { Membership } from '../../directory/read/shapes.ts';

export const EXPORT_COLUMNS = [
  'userId',
  'username',
  'firstName',
  'lastName',
  'status',
  'isMember',
  'joinedAt',
  'leftAt',
  'firstSeenAt',
  'lastSeenAt',
  'messageCount',
  'tags',
] as const;
/** Only with `includePhone=true` (admin keys). */
export const PHONE_COLUMN = 'phoneNumber';

export type ExportColumn = (typeof EXPORT_COLUMNS)[number] | typeof PHONE_COLUMN;

export interface ExportRow {
  userId: number;
  username?: string;
  firstName?: string;
  lastName?: string;
  status: Membership['status'];
  isMember: boolean;
  joinedAt?: string;
  leftAt?: string;
  firstSeenAt?: string;
  lastSeenAt?: string;
  messageCount: number;
  tags: string[];
  phoneNumber?: string;
}

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

export const columnsOf = (includePhone: boolean): readonly ExportColumn[] =>
  includePhone ? [...EXPORT_COLUMNS, PHONE_COLUMN] : EXPORT_COLUMNS;

/** A member's row: the membership, the names it holds (its snapshot), tags and phone. */
export function toExportRow(membership: Membership, extras: MemberExtras | undefined): ExportRow {
  const user = membership.user;
  const row: ExportRow = {
    userId: membership.userId,
    username: user?.username,
    firstName: user?.firstName,
    lastName: user?.lastName,
    status: membership.status,
    isMember: membership.isMember,
    joinedAt: membership.joinedAt,
    leftAt: membership.leftAt,
    firstSeenAt: membership.firstSeenAt,
    lastSeenAt: membership.lastSeenAt,
    messageCount: membership.messageCount,
    tags: extras?.tags ?? [],
    phoneNumber: extras?.phoneNumber,
  };
  return row;
}

const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * A semicolon or tab inside a cell, before a formula character (after any quotes): where a
 * spreadsheet reads `;` as the list separator (Excel in most European locales opens a .csv
 * so) or splits on tabs, a new cell starts there, whatever the RFC 4180 quoting says.
 */
const FORMULA_AFTER_SEPARATOR = /([;\t])(?="*[=+\-@\t\r])/g;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * `'` before a cell a spreadsheet would evaluate, and after a `;` or tab inside it where such
 * a spreadsheet would start a cell.
 */
export function neutralizeFormula(cell: string): string {
  const inner = cell.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  return FORMULA_START.test(inner) ? `'${inner}` : inner;
}

/** RFC 4180 quoting: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function quoteCsvField(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

function cellText(value: ExportRow[ExportColumn]): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(' ');
  return String(value);
}

export function csvRecord(cells: readonly string[]): string {
  return `${cells.map((cell) => quoteCsvField(neutralizeFormula(cell))).join(',')}\r\n`;
}

export const csvHeader = (columns: readonly ExportColumn[]) => csvRecord(columns);

export const csvLine = (row: ExportRow, columns: readonly ExportColumn[]) =>
  csvRecord(columns.map((column) => cellText(row[column])));

export function ndjsonLine(row: ExportRow, columns: readonly ExportColumn[]): string {
  const object: Record<string, unknown> = {};
  for (const column of columns) {
    if (row[column] !== undefined) object[column] = row[column];
  }
  return `${JSON.stringify(object)}\n`;
}

/** The file's first bytes: the CSV header row; nothing for NDJSON. */
export const exportPreamble = (format: ExportFormat, columns: readonly ExportColumn[]) =>
  format === 'csv' ? csvHeader(columns) : '';

export const exportLine = (
  format: ExportFormat,
  row: ExportRow,
  columns: readonly ExportColumn[],
) => (format === 'csv' ? csvLine(row, columns) : ndjsonLine(row, columns));

/** The whole file. */
export function renderExport(
  format: ExportFormat,
  rows: readonly ExportRow[],
  columns: readonly ExportColumn[],
): string {
  return (
    exportPreamble(format, columns) + rows.map((row) => exportLine(format, row, columns)).join('')
  );
}

/** `chat-<id>-members.csv` (or `.ndjson`). */
export const exportFileName = (chatId: number, format: ExportFormat) =>
  `chat-${chatId}-members.${format}`;

/** The answer's body and headers: an attachment, not cached (it holds personal data). */
export function exportFile(
  chatId: number,
  format: ExportFormat,
  body: string,
): { contentType: string; body: string; headers: Record<string, string> } {
  return {
    contentType: EXPORT_MEDIA_TYPES[format],
    body,
    headers: {
      'content-disposition': `attachment; filename="${exportFileName(chatId, format)}"`,
      'cache-control': 'no-store',
    },
  };
}
