/**
 * GET /v1/chats/{chatId}/members/export: members recorded through the real webhook from
 * real-shaped updates (the fixtures' group, join, leave and own-contact updates, and messages
 * from people with awkward names), tags set through the real PATCH route, and the file
 * read back with a real CSV parser.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../../functions/webhook.ts';
import { rawResponse, responsePayloadBytes } from '../../../../lib/http/raw-response.ts';
import {
  columnsOf,
  EXPORT_COLUMNS,
  type ExportFormat,
} from '../../../../lib/lookup/chats/export-format.ts';
import {
  envelopeBytes,
  rowPayloadBytes,
  SMALLEST_ROW,
} from '../../../../lib/lookup/chats/export-size.ts';
import { loadUpdates } from '../../../fixtures/updates.ts';
import {
  ALICE,
  BOB,
  DAY0,
  eraseContact,
  GROUP,
  post,
  type TestLookup,
} from '../../../helpers/lookup.ts';
import { countByCommand, recordingClient } from '../../../helpers/request-log.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const EXPORT = `/v1/chats/${GROUP}/members/export`;

/** People who write in the group: [id, first name, last name, username]. */
const PEOPLE: [number, string, string, string?][] = [
  [2001, '=HYPERLINK("http://evil.example","click")', 'Formula'],
  [2002, '+1 555 0100', 'Plus'],
  [2003, '-2+3', 'Minus', 'minus_user'],
  [2004, '@SUM(A1:A2)', 'At'],
  [2005, '\tTab', 'Tab'],
  [2006, '\rCarriage', 'Return'],
  [2007, '👩‍💻 Emoji', 'Ünïcödé 🎉', 'emoji_user'],
  [2008, 'محمد', 'علي'],
  [2009, '王', '小明'],
  [2010, 'Smith, "Jr."', "O'Brien"],
  [2011, 'Line\nBreak', 'Name'],
];
/** As PATCH stores them: lower-cased, sorted. */
const TAGS: Record<number, string[]> = {
  [ALICE]: ['customer', 'vip'],
  2003: ['-dash', 'x'],
  2007: ['emoji_fan'],
};

let updateId = 50_000;
function groupMessage(id: number, first: string, last: string, username?: string) {
  updateId += 1;
  const from = {
    id,
    is_bot: false,
    first_name: first,
    last_name: last,
    ...(username ? { username } : {}),
  };
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      from,
      chat: { id: GROUP, title: 'Test Group', type: 'supergroup' },
      date: DAY0 + 3600 + (id - 2000) * 60,
      text: 'hello',
    },
  };
}

/** Tags set the way applications set them: PATCH /v1/contacts/{id} (a merge patch). */
async function setTags(api: TestLookup, userId: number, tags: string[]): Promise<void> {
  const response = await api.call({
    method: 'PATCH',
    path: `/v1/contacts/${userId}`,
    key: api.adminKey,
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ tags }),
  });
  if (response.status !== 200)
    throw new Error(`PATCH answered ${response.status}: ${response.raw}`);
}

async function record(webhook: WebhookHandler, api: TestLookup): Promise<void> {
  await post(
    webhook,
    ...loadUpdates('group-message', 'contact-own', 'new-chat-members', 'left-chat-member'),
    ...PEOPLE.map(([id, first, last, username]) => groupMessage(id, first, last, username)),
  );
  for (const [id, tags] of Object.entries(TAGS)) await setTags(api, Number(id), tags);
}

type Record_ = Record<string, string>;
const parseCsv = (text: string): Record_[] =>
  parse(text, { columns: true, record_delimiter: '\r\n', relax_column_count: false });

const stack = useStack();
let store: TestStore;
let api: TestLookup;
let csvText: string;
let rows: Map<number, Record_>;

beforeAll(async () => {
  let webhook: WebhookHandler;
  ({ store, webhook, lookup: api } = await stack.handlers());
  await record(webhook, api);
  const response = await api.call({ path: EXPORT });
  expect(response.status, response.raw).toBe(200);
  csvText = response.raw;
  rows = new Map(parseCsv(csvText).map((r) => [Number(r.userId), r]));
});

/** The CSV export with phones (`includePhone=true`) through `lookup`, asked with `key`. */
const exportWithPhones = (lookup: TestLookup, key: string) =>
  lookup.call({ path: EXPORT, query: { includePhone: 'true' }, key });

/** The export as `format`: expects 200, `contentType` and the attachment's file name. */
async function exported(format: 'csv' | 'ndjson', contentType: string) {
  const response = await api.call({ path: EXPORT, query: { format } });
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toBe(contentType);
  expect(response.headers['content-disposition']).toBe(
    `attachment; filename="chat-${GROUP}-members.${format}"`,
  );
  return response;
}

describe('GET /v1/chats/{chatId}/members/export (CSV)', () => {
  it('answers an attachment of text/csv with a header row and CRLF line ends', async () => {
    const response = await exported('csv', 'text/csv; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.raw).toBe(csvText);
    expect(csvText.startsWith(`${EXPORT_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(csvText.endsWith('\r\n')).toBe(true);
    // Every LF is part of a CRLF record end or inside a quoted field.
    const records = parse(csvText, { record_delimiter: '\r\n' }) as string[][];
    expect(records).toHaveLength(2 + PEOPLE.length + 1);
    expect(records.every((r) => r.length === EXPORT_COLUMNS.length)).toBe(true);
  });

  it('holds every member, current and former, ordered by user id', () => {
    const ids = [...rows.keys()];
    expect(ids).toEqual([ALICE, BOB, ...PEOPLE.map(([id]) => id)].sort((a, b) => a - b));
  });

  it('exports the membership: status, times and counters as the member list answers them', async () => {
    const list = await api.call({ path: `/v1/chats/${GROUP}/members`, query: { limit: '100' } });
    for (const m of list.body.items) {
      const row = rows.get(m.userId);
      expect(row, String(m.userId)).toBeDefined();
      expect(row).toMatchObject({
        status: m.status,
        isMember: String(m.isMember),
        joinedAt: m.joinedAt ?? '',
        leftAt: m.leftAt ?? '',
        firstSeenAt: m.firstSeenAt ?? '',
        lastSeenAt: m.lastSeenAt ?? '',
        messageCount: String(m.messageCount),
        username: m.user?.username ?? '',
      });
    }
    expect(rows.get(BOB)).toMatchObject({
      firstName: 'Bob',
      lastName: 'Jones',
      username: 'bob_jones',
      status: 'left',
      isMember: 'false',
      joinedAt: '2025-11-24T16:08:00.000Z',
      leftAt: '2025-11-24T16:09:00.000Z',
    });
    expect(rows.get(ALICE)).toMatchObject({
      firstName: 'Alice',
      status: 'member',
      isMember: 'true',
    });
  });

  it('joins tags with a space, in stored order; members without tags have none', () => {
    expect(rows.get(ALICE)?.tags).toBe('customer vip');
    expect(rows.get(2007)?.tags).toBe('emoji_fan');
    expect(rows.get(BOB)?.tags).toBe('');
  });

  it.each(PEOPLE.filter(([, first]) => /^[=+\-@\t\r]/.test(first)))(
    'neutralises the formula-like name of %i with a leading quote',
    (id, first) => {
      expect(rows.get(id)?.firstName).toBe(`'${first}`);
    },
  );

  it('neutralises a tag list starting with a dash', () => {
    expect(rows.get(2003)?.tags).toBe("'-dash x");
  });

  it('keeps unicode, quotes, commas and line breaks intact through RFC 4180 quoting', () => {
    for (const id of [2007, 2008, 2009, 2010, 2011]) {
      const [, first, last] = PEOPLE.find(([p]) => p === id) ?? [];
      expect(rows.get(id)?.firstName, String(id)).toBe(first);
      expect(rows.get(id)?.lastName, String(id)).toBe(last);
    }
    expect(csvText).toContain(',"Smith, ""Jr.""",');
    expect(csvText).toContain(',"Line\nBreak",');
  });

  it('has no phone column without includePhone, even for an admin key', async () => {
    const response = await api.call({ path: EXPORT, key: api.adminKey });
    expect(response.raw.split('\r\n')[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(response.raw).not.toContain('5551234567');
  });
});

describe('GET /v1/chats/{chatId}/members/export?format=ndjson', () => {
  it('answers one JSON object per line with raw values and tags as arrays', async () => {
    const response = await exported('ndjson', 'application/x-ndjson');
    expect(response.raw.endsWith('\n')).toBe(true);
    const lines = response.raw
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.userId)).toEqual([...rows.keys()]);
    for (const line of lines) {
      const row = rows.get(line.userId) as Record_;
      const [, first, last] = PEOPLE.find(([p]) => p === line.userId) ?? [];
      if (first !== undefined) {
        expect(line.firstName).toBe(first);
        expect(line.lastName).toBe(last);
      }
      expect(line.tags).toEqual(TAGS[line.userId] ?? []);
      expect(line.status).toBe(row.status);
      expect(line.isMember).toBe(row.isMember === 'true');
      expect(line.messageCount).toBe(Number(row.messageCount));
      expect(line.leftAt).toBe(row.leftAt || undefined);
      expect(Object.keys(line)).toEqual(EXPORT_COLUMNS.filter((c) => c in line));
    }
  });
});

describe('GET /v1/chats/{chatId}/members/export?includePhone=true', () => {
  it('is 403 problem+json for a key that is not admin, and reads nothing', async () => {
    const { client, log } = recordingClient(store.endpoint);
    const counted = await stack.lookup({ store, client });
    await counted.call({ path: '/v1/chats/1', key: counted.noPhonesKey });
    log.reset();
    const response = await exportWithPhones(counted, counted.noPhonesKey);
    expect(log.records).toHaveLength(0);
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.detail).toBe(
      'includePhone=true needs an admin key; this key has the read scope',
    );
    const withPhones = await exportWithPhones(counted, counted.readKey);
    expect(withPhones.status).toBe(403);
  });

  it.each([['an admin key', 'adminKey']] as const)(
    'adds the verified phone as the last column for %s',
    async (_, which) => {
      const csv = await api.call({
        path: EXPORT,
        query: { includePhone: 'true' },
        key: api[which],
      });
      expect(csv.status).toBe(200);
      const records = parseCsv(csv.raw);
      expect(Object.keys(records[0] ?? {})).toEqual([...EXPORT_COLUMNS, 'phoneNumber']);
      const phones = new Map(records.map((r) => [Number(r.userId), r.phoneNumber]));
      expect(phones.get(ALICE)).toBe("'+15551234567");
      expect([...phones].filter(([, p]) => p !== '')).toHaveLength(1);

      const ndjson = await api.call({
        path: EXPORT,
        query: { includePhone: 'true', format: 'ndjson' },
        key: api[which],
      });
      const alice = ndjson.raw
        .split('\n')
        .map((l) => (l ? JSON.parse(l) : {}))
        .find((l) => l.userId === ALICE);
      expect(alice.phoneNumber).toBe('+15551234567');
    },
  );
});

describe('export size limit', () => {
  /** A lookup handler on the same table with a lower limit and a client that counts requests. */
  async function limitedLookup(responseBytes: number) {
    const { client, log } = recordingClient(store.endpoint);
    const lookup = await stack.lookup({ store, client, limits: { responseBytes } });
    await lookup.call({ path: '/v1/chats/1' }); // the key is cached from here on
    log.reset();
    return { lookup, log };
  }
  const fullBytes = () =>
    responsePayloadBytes(
      rawResponse(200, {
        contentType: 'text/csv; charset=utf-8',
        body: csvText,
        headers: {
          'content-disposition': `attachment; filename="chat-${GROUP}-members.csv"`,
          'cache-control': 'no-store',
        },
      }),
    );

  /** The least an export of `members` members can weigh. */
  const smallestExport = (format: ExportFormat, members: number) =>
    envelopeBytes(GROUP, format, columnsOf(false)) +
    members * rowPayloadBytes(format, SMALLEST_ROW, columnsOf(false));

  it('answers the file when the serialized answer is exactly at the limit', async () => {
    const { lookup } = await limitedLookup(fullBytes());
    const response = await lookup.call({ path: EXPORT });
    expect(response.status).toBe(200);
    expect(response.raw).toBe(csvText);
  });

  it('answers 413 pointing to the member list one byte under it, after measuring the answer', async () => {
    const { lookup, log } = await limitedLookup(fullBytes() - 1);
    const response = await lookup.call({ path: EXPORT });
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers.link).toBe(`</v1/chats/${GROUP}/members>; rel="alternate"`);
    expect(response.body.detail).toContain(`GET /v1/chats/${GROUP}/members`);
    expect(response.body.detail).toBe(
      `the export of the chat's 13 members makes ${fullBytes()} bytes, over the ${fullBytes() - 1} bytes one answer can carry; page through GET /v1/chats/${GROUP}/members (limit up to 100, with cursor) instead`,
    );
    // It read everything (tags included) before it could tell.
    expect(countByCommand(log.records)).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2 });
  });

  it('stops reading once the memberships alone pass the limit', async () => {
    // Room for 13 of the smallest possible rows, not for these members' rows.
    const { lookup, log } = await limitedLookup(smallestExport('ndjson', 13));
    const response = await lookup.call({ path: EXPORT, query: { format: 'ndjson' } });
    expect(response.status).toBe(413);
    expect(response.body.detail).toMatch(
      /^the chat has 13 members; the first 13 read already make \d+ bytes, over/,
    );
    expect(countByCommand(log.records)).toEqual({ QueryCommand: 1, BatchGetItemCommand: 1 });
  });

  it('refuses before reading a membership when the member count alone cannot fit', async () => {
    const { lookup, log } = await limitedLookup(smallestExport('csv', 13) - 1);
    const response = await lookup.call({ path: EXPORT });
    expect(response.status).toBe(413);
    expect(response.body.detail).toMatch(
      /^the chat has 13 members: even of the smallest rows the export would make \d+ bytes, over/,
    );
    expect(countByCommand(log.records)).toEqual({ QueryCommand: 1 });
  });
});

describe('export edge cases', () => {
  it('answers the header row alone for a chat never seen, and nothing for NDJSON', async () => {
    const csv = await api.call({ path: '/v1/chats/-100404/members/export' });
    expect(csv.status).toBe(200);
    expect(csv.raw).toBe(`${EXPORT_COLUMNS.join(',')}\r\n`);
    const ndjson = await api.call({
      path: '/v1/chats/-100404/members/export',
      query: { format: 'ndjson' },
    });
    expect(ndjson.status).toBe(200);
    expect(ndjson.raw).toBe('');
  });

  it('answers 400 problem+json for a bad format, includePhone or chat id', async () => {
    for (const [path, query, detail] of [
      [EXPORT, { format: 'xlsx' }, 'format must be csv or ndjson'],
      [EXPORT, { includePhone: '1' }, 'includePhone must be true or false'],
      ['/v1/chats/group/members/export', {}, 'chatId must be an integer'],
    ] as const) {
      const response = await api.call({ path, query, key: api.adminKey });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body.detail).toBe(detail);
    }
  });

  it('leaves out a member erased since, with their tags and phone', async () => {
    const { webhook, lookup } = await stack.handlers();
    await record(webhook, lookup);
    await eraseContact(lookup, ALICE);
    const response = await exportWithPhones(lookup, lookup.adminKey);
    const ids = parseCsv(response.raw).map((r) => Number(r.userId));
    expect(ids).not.toContain(ALICE);
    expect(ids).toContain(BOB);
    expect(response.raw).not.toContain('5551234567');
    expect(response.raw).not.toContain('vip');
  });
});

describe('export cost', () => {
  const MEMBERS = 101;

  it('reads 1 Query, then 1 BatchGetItem per 100 memberships and per 100 keys of tags and phones', async () => {
    const { webhook, store: own } = await stack.handlers();
    const updates = Array.from({ length: MEMBERS }, (_, i) =>
      groupMessage(7000 + i, `Member ${i}`, 'Many'),
    );
    for (let i = 0; i < updates.length; i += 25) {
      await Promise.all(updates.slice(i, i + 25).map((u) => post(webhook, u)));
    }
    const { client, log } = recordingClient(own.endpoint);
    const lookup = await stack.lookup({ store: own, client });
    await lookup.call({ path: '/v1/chats/1' });
    await lookup.call({ path: '/v1/chats/1', key: lookup.adminKey });
    log.reset();

    const csv = await lookup.call({ path: EXPORT });
    expect(parseCsv(csv.raw)).toHaveLength(MEMBERS);
    expect(countByCommand(log.records)).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2 + 2 });
    log.reset();
    const withPhones = await exportWithPhones(lookup, lookup.adminKey);
    expect(withPhones.status).toBe(200);
    expect(countByCommand(log.records)).toEqual({ QueryCommand: 1, BatchGetItemCommand: 2 + 3 });
  });
});
