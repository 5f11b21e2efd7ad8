import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LAMBDA_RESPONSE_LIMIT_BYTES,
  rawResponse,
  responsePayloadBytes,
} from '../../../../lib/http/raw-response.ts';
import {
  columnsOf,
  EXPORT_FORMATS,
  type ExportRow,
  exportFile,
  renderExport,
} from '../../../../lib/lookup/chats/export-format.ts';
import {
  describeExportCapacity,
  exportCapacity,
  rowPayloadBytes,
  SMALLEST_ROW,
  TYPICAL_ROW,
  worstRow,
} from '../../../../lib/lookup/chats/export-size.ts';
import { fuzzParams } from '../../../fuzz/fuzz-config.ts';

const LIMIT = LAMBDA_RESPONSE_LIMIT_BYTES;
const CHAT = -1_009_999_999_999_999;
const CASES = EXPORT_FORMATS.flatMap((format) =>
  [false, true].map((includePhone) => [format, includePhone] as const),
);

/** The serialized size of a real export answer of `rows`. */
const answerBytes = (format: (typeof EXPORT_FORMATS)[number], rows: ExportRow[], phone: boolean) =>
  responsePayloadBytes(
    rawResponse(200, exportFile(CHAT, format, renderExport(format, rows, columnsOf(phone)))),
  );

describe('Lambda response size', () => {
  it('is 6 MiB, under the 6,291,556 bytes the Lambda service accepts', () => {
    expect(LIMIT).toBe(6_291_456);
    expect(LIMIT).toBeLessThanOrEqual(6_291_556);
  });

  it('counts the answer as serialized JSON: escapes and multi-byte characters included', () => {
    const response = rawResponse(200, { contentType: 'text/csv', body: '"é"\r\n' });
    expect(responsePayloadBytes(response)).toBe(Buffer.byteLength(JSON.stringify(response)));
    // "é"CRLF is 5 characters, 6 bytes of UTF-8, 10 bytes once escaped in JSON (\"é\"\r\n).
    const empty = responsePayloadBytes(rawResponse(200, { contentType: 'text/csv', body: '' }));
    expect(responsePayloadBytes(response) - empty).toBe(10);
  });
});

describe('export capacity with the real limit', () => {
  it.each(CASES)(
    '%s (phone %s): the guaranteed count of worst rows fits, one more does not',
    (format, phone) => {
      const capacity = exportCapacity(format, columnsOf(phone), LIMIT);
      const worst = worstRow(format);
      const rows = Array.from({ length: capacity.guaranteedMembers }, () => worst);
      expect(answerBytes(format, rows, phone)).toBeLessThanOrEqual(LIMIT);
      expect(answerBytes(format, [...rows, worst], phone)).toBeGreaterThan(LIMIT);
      expect(capacity.guaranteedMembers).toBeGreaterThan(3000);
    },
  );

  it.each(CASES)(
    '%s (phone %s): no chat of more than impossibleAbove members fits, even of the smallest rows',
    (format, phone) => {
      const capacity = exportCapacity(format, columnsOf(phone), LIMIT);
      const rows = Array.from({ length: capacity.impossibleAbove + 1 }, () => SMALLEST_ROW);
      expect(answerBytes(format, rows, phone)).toBeGreaterThan(LIMIT);
      const typical = Array.from({ length: capacity.typicalMembers }, () => TYPICAL_ROW);
      expect(answerBytes(format, typical, phone)).toBeLessThanOrEqual(LIMIT);
    },
  );

  it('matches the figures docs/api.md and docs/lookup-api.md state', () => {
    const csv = exportCapacity('csv', columnsOf(true), LIMIT);
    const ndjson = exportCapacity('ndjson', columnsOf(true), LIMIT);
    const figures = [
      csv.guaranteedMembers,
      ndjson.guaranteedMembers,
      csv.worstRowBytes,
      ndjson.worstRowBytes,
      csv.typicalRowBytes,
      ndjson.typicalRowBytes,
    ].map((v) => v.toLocaleString('en-US'));
    for (const page of ['docs/api.md', 'docs/lookup-api.md']) {
      const text = readFileSync(page, 'utf8');
      for (const figure of figures) expect(text, `${page} states ${figure}`).toContain(figure);
    }
  });

  it('states the figures it computes', () => {
    const text = describeExportCapacity(LIMIT);
    const csv = exportCapacity('csv', columnsOf(true), LIMIT);
    expect(text).toContain('6,291,456 bytes');
    expect(text).toContain(`up to ${csv.guaranteedMembers.toLocaleString('en-US')} members`);
  });
});

/** Rows as the recorder and PATCH can make them: Telegram's and the API's bounds. */
const nameChar = fc.oneof(
  fc.constantFrom('"', '\\', ',', '😀', '👨‍👩‍👧', 'é', '中', 'ש', '=', '+', "'", ' '),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const name = fc
  .array(nameChar, { maxLength: 64 })
  .map((chars) => chars.join(''))
  // 64 code points at most, no control characters (Telegram's names hold none).
  .map((s) =>
    [...s]
      .slice(0, 64)
      .join('')
      .replace(/\p{Cc}/gu, ''),
  );
const time = fc
  .integer({ min: 1_400_000_000, max: 2_000_000_000 })
  .map((s) => new Date(s * 1000).toISOString());
const row: fc.Arbitrary<ExportRow> = fc.record(
  {
    userId: fc.integer({ min: 1, max: 2 ** 52 - 1 }),
    username: fc.stringMatching(/^[A-Za-z0-9_]{5,32}$/),
    firstName: name,
    lastName: name,
    status: fc.constantFrom('creator', 'administrator', 'member', 'restricted', 'left', 'kicked'),
    isMember: fc.boolean(),
    joinedAt: time,
    leftAt: time,
    firstSeenAt: time,
    lastSeenAt: time,
    messageCount: fc.integer({ min: 0, max: 9_999_999_999 }),
    tags: fc.array(fc.stringMatching(/^[a-z0-9_-]{1,32}$/), { maxLength: 20 }),
    phoneNumber: fc.stringMatching(/^\+[1-9]\d{6,14}$/),
  },
  { requiredKeys: ['userId', 'status', 'isMember', 'messageCount', 'tags'] },
);

describe('bounding rows', () => {
  it('no row costs more than the worst row nor less than the smallest', () => {
    fc.assert(
      fc.property(row, fc.constantFrom(...CASES), (r, [format, phone]) => {
        const columns = columnsOf(phone);
        const bytes = rowPayloadBytes(format, r, columns);
        expect(bytes).toBeLessThanOrEqual(rowPayloadBytes(format, worstRow(format), columns));
        expect(bytes).toBeGreaterThanOrEqual(rowPayloadBytes(format, SMALLEST_ROW, columns));
      }),
      fuzzParams(300),
    );
  });
});
