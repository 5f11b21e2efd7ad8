/**
 * CSV injection in the member export beyond the cell's first character.
 * Excel in most European locales opens a .csv with `;` as the list separator, so every `;`
 * outside a quoted cell start begins a new cell there, RFC 4180 quoting notwithstanding: a
 * member named `Eve;=cmd|' /C calc'!A0;` (no comma or quote, so unquoted) put the cell
 * `=cmd|' /C calc'!A0` into such a reading of the export. Guards
 * export-format.ts, which neutralises a formula character after a `;` or tab inside a cell too.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { GROUP, post, type TestLookup } from '../../../helpers/lookup.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();
let api: TestLookup;
const FORMULA = /^[=+\-@\t\r]/;

function message(id: number, first: string, date: number) {
  return {
    update_id: 70_000 + id,
    message: {
      message_id: id,
      from: { id, is_bot: false, first_name: first },
      chat: { id: GROUP, title: 'Test Group', type: 'supergroup' },
      date,
      text: 'hi',
    },
  };
}

beforeAll(async () => {
  const handlers = await stack.handlers();
  api = handlers.lookup;
  const t = Math.floor(Date.now() / 1000) - 3600;
  await post(handlers.webhook, message(3001, "Eve;=cmd|' /C calc'!A0;", t));
});

describe('the CSV export opened where the list separator is a semicolon', () => {
  it('starts no cell with a formula character, also inside a name', async () => {
    const response = await api.call({ path: `/v1/chats/${GROUP}/members/export` });
    expect(response.status).toBe(200);
    const cells = parse(response.raw, {
      delimiter: ';',
      relax_quotes: true,
      relax_column_count: true,
    }).flat() as string[];
    expect(cells.filter((c) => FORMULA.test(c))).toEqual([]);
  });
});
