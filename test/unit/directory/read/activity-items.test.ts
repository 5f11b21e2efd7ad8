import { describe, expect, it } from 'vitest';
import { monthRange } from '../../../../lib/directory/read/activity.ts';
import { toChatActivityDays, toHours } from '../../../../lib/directory/read/items/activity.ts';
import { messagesInMonths, rankMembers } from '../../../../lib/directory/read/top-members.ts';
import {
  hourCounter,
  isHourCounter,
  memberMonthCount,
  monthOfMemberCount,
} from '../../../../lib/directory/record/registers.ts';
import {
  dayStart,
  firstKeptMonth,
  monthExpiry,
} from '../../../../lib/directory/record/retention.ts';
import { eventTime, MAX_EVENT_TIME } from '../../../../lib/store/keys.ts';

const utc = (iso: string) => Date.parse(`${iso}Z`) / 1000;

describe('hourCounter', () => {
  it.each([
    ['2025-11-24T16:00:00', 'h016'], // a Monday
    ['2025-11-24T00:00:00', 'h000'],
    ['2025-11-30T23:59:59', 'h623'], // a Sunday, the last second of the week
    ['2025-12-01T00:00:00', 'h000'], // the next Monday
    ['2026-01-08T09:30:00', 'h309'], // a Thursday
    ['1970-01-01T05:00:00', 'h305'], // a Thursday too
    ['2024-02-29T12:00:00', 'h312'], // a leap day, Thursday
  ])('%s is %s', (iso, counter) => {
    expect(hourCounter(utc(iso))).toBe(counter);
    expect(isHourCounter(counter)).toBe(true);
  });

  it('tells hour counters from the other month counters', () => {
    for (const attr of [
      'h7 00',
      'h700',
      'h0160',
      'h01',
      'hx16',
      'n',
      'd24',
      'a24',
      'gh016',
      'H016',
    ]) {
      expect(isHourCounter(attr), attr).toBe(false);
    }
  });
});

describe('month expiry and retention', () => {
  it('expires a month retentionDays after its last day ends', () => {
    expect(monthExpiry('2025-11', 1)).toBe(utc('2025-12-02T00:00:00'));
    expect(monthExpiry('2025-12', 1)).toBe(utc('2026-01-02T00:00:00'));
    expect(monthExpiry('2024-02', 400)).toBe(utc('2024-03-01T00:00:00') + 400 * 86_400);
  });

  it('keeps a month while it ended less than retentionDays ago', () => {
    for (const [now, days, first] of [
      ['2026-03-15T12:00:00', 1, '2026-03'],
      ['2026-03-01T12:00:00', 1, '2026-02'],
      ['2026-03-02T00:00:00', 1, '2026-03'],
      ['2026-03-01T23:59:59', 1, '2026-02'],
      ['2026-12-01T20:00:00', 400, '2025-10'],
    ] as const) {
      const at = utc(now);
      expect(firstKeptMonth(at, days), now).toBe(first);
      // The first kept month is unexpired, the month before it expired.
      expect(monthExpiry(first, days)).toBeGreaterThan(at);
      const [y, m] = first.split('-').map(Number) as [number, number];
      const before = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
      expect(monthExpiry(before, days)).toBeLessThanOrEqual(at);
    }
  });
});

describe('eventTime', () => {
  it('writes 10 digits, clamping times a key cannot sort', () => {
    expect(eventTime(1767607200)).toBe('1767607200');
    expect(eventTime(5.9)).toBe('0000000005');
    expect(eventTime(-10)).toBe('0000000000');
    expect(eventTime(MAX_EVENT_TIME)).toBe('9999999999');
    expect(eventTime(253402300799)).toBe('9999999999');
  });
});

describe('dayStart', () => {
  it('is the start of the UTC day', () => {
    expect(dayStart(utc('2025-11-24T16:00:00'))).toBe(utc('2025-11-24T00:00:00'));
    expect(dayStart(utc('2025-11-24T00:00:00'))).toBe(utc('2025-11-24T00:00:00'));
    expect(dayStart(utc('2025-11-24T23:59:59'))).toBe(utc('2025-11-24T00:00:00'));
    expect(dayStart(0)).toBe(0);
    expect(dayStart(-1)).toBe(-86_400);
  });
});

describe('monthRange', () => {
  // Years below 100 are taken as they are (no 19xx of Date's two-digit years).
  it.each([
    ['2026-01-20', '2026-01-25', '2026-01-01', '2026-01-31'],
    ['2025-11-30', '2026-02-01', '2025-11-01', '2026-02-28'],
    ['2024-02-10', '2024-02-10', '2024-02-01', '2024-02-29'],
    ['2026-04-01', '2026-04-30', '2026-04-01', '2026-04-30'],
    ['2026-12-31', '2026-12-31', '2026-12-01', '2026-12-31'],
    ['0001-01-01', '0001-01-02', '0001-01-01', '0001-01-31'],
    ['0050-02-10', '0050-02-11', '0050-02-01', '0050-02-28'],
    ['0000-02-01', '0000-02-01', '0000-02-01', '0000-02-29'],
    ['0096-02-01', '0096-02-01', '0096-02-01', '0096-02-29'],
    ['0099-02-01', '0099-02-01', '0099-02-01', '0099-02-28'],
  ])('widens %s..%s to the whole months it touches (%s..%s)', (from, to, first, last) => {
    expect(monthRange(from, to)).toEqual({ from: first, to: last });
  });
});

describe('toHours', () => {
  const month = (m: string, counters: Record<string, unknown>) => ({
    pk: 'CHAT#-1',
    sk: `PROFILE#${m}`,
    ...counters,
  });

  it('adds the hour counters and their copies from a migrated group, month by month', () => {
    const items = [
      month('2026-01', { h016: 3, gh016: 2, h623: 1, n: 6, d05: 6, a05: 2 }),
      month('2026-02', { h016: 4, h100: 1 }),
      month('2026-03', { h016: 100 }),
      { pk: 'CHAT#-1', sk: 'PROFILE', h016: 50 },
    ];
    const grid = toHours(items, '2026-01', '2026-02');
    expect(grid).toHaveLength(7);
    for (const row of grid) expect(row).toHaveLength(24);
    expect(grid[0]?.[16]).toBe(9);
    expect(grid[6]?.[23]).toBe(1);
    expect(grid[1]?.[0]).toBe(1);
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(11);
    expect(toHours(items, '2026-03', '2026-03')[0]?.[16]).toBe(100);
    expect(
      toHours([], '2026-01', '2026-01')
        .flat()
        .every((n) => n === 0),
    ).toBe(true);
  });
});

describe('toChatActivityDays', () => {
  const months = [
    { pk: 'CHAT#-1', sk: 'PROFILE#2026-01', d05: 7, a05: 3, d06: 2, a06: 1, ga06: 1, gd06: 1 },
    { pk: 'CHAT#-1', sk: 'PROFILE#2026-02', d02: 1, a02: 1 },
  ];

  it('joins messages, distinct senders and events by day, a day with only events included', () => {
    const events = new Map([
      ['2026-01-06', { joins: 1, leaves: 0 }],
      ['2026-01-07', { joins: 2, leaves: 3 }],
      ['2026-03-01', { joins: 1, leaves: 1 }],
    ]);
    expect(toChatActivityDays(months, events, '2026-01-01', '2026-02-28')).toEqual([
      { date: '2026-01-05', messages: 7, activeMembers: 3, joins: 0, leaves: 0 },
      { date: '2026-01-06', messages: 3, activeMembers: 2, joins: 1, leaves: 0 },
      { date: '2026-01-07', messages: 0, activeMembers: 0, joins: 2, leaves: 3 },
      { date: '2026-02-02', messages: 1, activeMembers: 1, joins: 0, leaves: 0 },
    ]);
  });

  it('keeps only the days within the range', () => {
    const events = new Map([['2026-01-04', { joins: 1, leaves: 0 }]]);
    expect(toChatActivityDays(months, events, '2026-01-06', '2026-01-31')).toEqual([
      { date: '2026-01-06', messages: 3, activeMembers: 2, joins: 0, leaves: 0 },
    ]);
    expect(toChatActivityDays([], new Map(), '2026-01-01', '2026-12-31')).toEqual([]);
  });
});

describe('per-member monthly counts', () => {
  it('names them by source and month, and reads the month back', () => {
    expect(memberMonthCount('m', '2026-01')).toBe('n202601');
    expect(memberMonthCount('g', '2025-12')).toBe('gn202512');
    expect(monthOfMemberCount('m', 'n202601')).toBe('2026-01');
    expect(monthOfMemberCount('g', 'gn202512')).toBe('2025-12');
    for (const [source, attr] of [
      ['m', 'n'],
      ['m', 'n20260'],
      ['m', 'n2026011'],
      ['m', 'gn202601'],
      ['m', 'cn202601'],
      ['g', 'n202601'],
      ['g', 'gn'],
      ['m', 'nabcdef'],
    ] as const) {
      expect(monthOfMemberCount(source, attr), `${source} ${attr}`).toBeUndefined();
    }
  });

  it("sums a membership's own and copied counts of the months in range", () => {
    const item = { n: 40, n202511: 3, n202512: 4, n202601: 10, gn202512: 2, gn202601: 5, gn: 7 };
    expect(messagesInMonths(item, '2025-12', '2025-12')).toBe(6);
    expect(messagesInMonths(item, '2025-11', '2026-01')).toBe(24);
    expect(messagesInMonths(item, '2026-02', '2026-12')).toBe(0);
  });
});

describe('rankMembers', () => {
  const member = (userId: number, counts: Record<string, number>, name?: string) => ({
    pk: `USER#${userId}`,
    sk: 'CHAT#-1',
    userId,
    chatId: -1,
    ...counts,
    ...(name ? { un: { f: name, b: false } } : {}),
  });

  it('ranks by messages, ties by user id as a number, none without messages, at most limit', () => {
    const items = [
      member(10000, { n202601: 2 }, 'Hana'),
      member(9999, { n202601: 2 }, 'Gus'),
      member(1001, { n202601: 7, n202602: 1 }, 'Alice'),
      member(1004, { n202512: 9 }),
      member(1005, {}),
      { pk: 'USER#1006', sk: 'CHAT#-1', n202601: 50 },
    ];
    expect(rankMembers(items, '2026-01', '2026-01', 10)).toEqual([
      { userId: 1001, messages: 7, user: { id: 1001, isBot: false, firstName: 'Alice' } },
      { userId: 9999, messages: 2, user: { id: 9999, isBot: false, firstName: 'Gus' } },
      { userId: 10000, messages: 2, user: { id: 10000, isBot: false, firstName: 'Hana' } },
    ]);
    expect(rankMembers(items, '2026-01', '2026-01', 2).map((m) => m.userId)).toEqual([1001, 9999]);
    expect(rankMembers(items, '2025-12', '2026-02', 10).map((m) => [m.userId, m.messages])).toEqual(
      [
        [1004, 9],
        [1001, 8],
        [9999, 2],
        [10000, 2],
      ],
    );
    // A membership without the member's names is ranked without them.
    expect(rankMembers(items, '2025-12', '2025-12', 10)).toEqual([{ userId: 1004, messages: 9 }]);
  });
});
