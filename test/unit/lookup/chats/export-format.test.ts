import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Membership } from '../../../../lib/directory/read/shapes.ts';
import {
  columnsOf,
  EXPORT_COLUMNS,
  type ExportRow,
  exportFile,
  neutralizeFormula,
  quoteCsvField,
  renderExport,
  toExportRow,
} from '../../../../lib/lookup/chats/export-format.ts';

const row = (fields: Partial<ExportRow> = {}): ExportRow => ({
  userId: 1001,
  status: 'member',
  isMember: true,
  messageCount: 3,
  tags: [],
  ...fields,
});

/** Parses CSV strictly as RFC 4180 (CRLF records, quoted fields), as a client would. */
const parseCsv = (text: string): string[][] =>
  parse(text, { record_delimiter: '\r\n', relax_column_count: false, skip_empty_lines: false });

describe('CSV export', () => {
  it('starts with the header row and ends every record with CRLF', () => {
    const text = renderExport('csv', [row(), row({ userId: 1002 })], columnsOf(false));
    expect(text.startsWith(`${EXPORT_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(text.split('\r\n')).toHaveLength(4); // header, two records, the empty tail
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    expect(parseCsv(text)[1]).toEqual([
      '1001',
      '',
      '',
      '',
      'member',
      'true',
      '',
      '',
      '',
      '',
      '3',
      '',
    ]);
  });

  it('quotes fields holding a comma, quote, CR or LF, doubling quotes, and a parser reads them back', () => {
    const names = ['Smith, Jr.', 'The "Boss"', 'two\nlines', 'cr\rhere', '"', ',', 'plain'];
    const text = renderExport(
      'csv',
      names.map((firstName, i) => row({ userId: i + 1, firstName })),
      columnsOf(false),
    );
    expect(text).toContain(',"Smith, Jr.",');
    expect(text).toContain(',"The ""Boss""",');
    expect(text).toContain(',plain,');
    const records = parseCsv(text).slice(1);
    expect(records.map((r) => r[2])).toEqual(names);
  });

  it.each(['=', '+', '-', '@', '\t', '\r'])(
    'neutralises a cell starting with %j by a leading quote, and only then',
    (first) => {
      const firstName = `${first}HYPERLINK("http://evil.example","x")`;
      const text = renderExport(
        'csv',
        [row({ firstName, lastName: `a${first}b` })],
        columnsOf(false),
      );
      const [, record] = parseCsv(text);
      expect(record?.[2]).toBe(`'${firstName}`);
      expect(record?.[3]).toBe(`a${first}b`);
    },
  );

  it('neutralises tags and verified phones the same way', () => {
    const text = renderExport(
      'csv',
      [row({ tags: ['-vip', 'customer'], phoneNumber: '+15551234567' })],
      columnsOf(true),
    );
    const [header, record] = parseCsv(text);
    expect(header?.at(-1)).toBe('phoneNumber');
    expect(record?.slice(-2)).toEqual(["'-vip customer", "'+15551234567"]);
  });

  it('keeps unicode names (emoji, RTL, CJK, combining marks) byte for byte', () => {
    const names = ['👨‍👩‍👧‍👦 Семья', 'محمد علي', 'שלום', '王小明', 'e\u0301', '\u202Egnp.exe'];
    const text = renderExport(
      'csv',
      names.map((firstName, i) => row({ userId: i + 1, firstName })),
      columnsOf(false),
    );
    expect(
      parseCsv(text)
        .slice(1)
        .map((r) => r[2]),
    ).toEqual(names);
  });

  it('neutralises before quoting, so a quoted dangerous cell still starts with the quote mark', () => {
    expect(quoteCsvField(neutralizeFormula('=1,2'))).toBe(`"'=1,2"`);
    expect(neutralizeFormula('a=b')).toBe('a=b');
    expect(neutralizeFormula('')).toBe('');
  });
});

describe('NDJSON export', () => {
  it('writes one object per line in column order, absent values left out, values raw', () => {
    const rows = [
      row({ firstName: '=cmd', tags: ['-vip'], lastSeenAt: '2025-11-24T16:00:00.000Z' }),
      row({ userId: 1002, firstName: 'line\nbreak', phoneNumber: '+15551234567' }),
    ];
    const text = renderExport('ndjson', rows, columnsOf(true));
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const first = JSON.parse(lines[0] as string);
    expect(Object.keys(first)).toEqual([
      'userId',
      'firstName',
      'status',
      'isMember',
      'lastSeenAt',
      'messageCount',
      'tags',
    ]);
    expect(first.firstName).toBe('=cmd');
    expect(first.tags).toEqual(['-vip']);
    expect(JSON.parse(lines[1] as string)).toMatchObject({
      firstName: 'line\nbreak',
      phoneNumber: '+15551234567',
    });
  });

  it('leaves the phone out without includePhone even when known', () => {
    const text = renderExport('ndjson', [row({ phoneNumber: '+15551234567' })], columnsOf(false));
    expect(text).not.toContain('phoneNumber');
    expect(text).not.toContain('5551234567');
  });
});

describe('export rows and file', () => {
  it('takes names from the membership snapshot and tags from the extras', () => {
    const membership: Membership = {
      userId: 7,
      chatId: -100,
      status: 'kicked',
      isMember: false,
      leftAt: '2025-11-25T00:00:00.000Z',
      messageCount: 0,
      user: { id: 7, isBot: false, firstName: 'Ann', username: 'ann' },
    };
    expect(toExportRow(membership, { tags: ['a'] })).toEqual({
      userId: 7,
      username: 'ann',
      firstName: 'Ann',
      lastName: undefined,
      status: 'kicked',
      isMember: false,
      joinedAt: undefined,
      leftAt: '2025-11-25T00:00:00.000Z',
      firstSeenAt: undefined,
      lastSeenAt: undefined,
      messageCount: 0,
      tags: ['a'],
      phoneNumber: undefined,
    });
    expect(toExportRow({ ...membership, user: undefined }, undefined).tags).toEqual([]);
  });

  it('names the attachment after the chat and format', () => {
    expect(exportFile(-100200300, 'csv', '').headers['content-disposition']).toBe(
      'attachment; filename="chat--100200300-members.csv"',
    );
    expect(exportFile(-1, 'ndjson', '')).toMatchObject({
      contentType: 'application/x-ndjson',
      headers: { 'content-disposition': 'attachment; filename="chat--1-members.ndjson"' },
    });
  });
});
