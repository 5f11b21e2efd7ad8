/**
 * Activity from monthly items: days with messages, a chat's days (with distinct senders,
 * joins and leaves), and messages by weekday and hour. Each counter is summed with its copy
 * from a migrated group (`g` + counter name).
 */
import { monthOfSk } from '../../../store/keys.ts';
import type { ActivityDay, ChatActivityDay, HourGrid } from '../shapes.ts';
import type { Item } from './values.ts';

/** The sum of a month counter and its copy from a migrated group, per matching attribute. */
function monthCounters(
  items: Item[],
  pattern: RegExp,
  visit: (month: string, key: string, value: number) => void,
) {
  for (const item of items) {
    const month = monthOfSk(String(item.sk));
    if (!month) continue;
    for (const [attr, value] of Object.entries(item)) {
      const match = pattern.exec(attr);
      if (match?.[1] !== undefined && typeof value === 'number' && value > 0) {
        visit(month, match[1], value);
      }
    }
  }
}

/** Days with messages from monthly items, within [from, to] (YYYY-MM-DD), in date order. */
export function toActivityDays(items: Item[], from: string, to: string): ActivityDay[] {
  const days = new Map<string, number>();
  monthCounters(items, /^g?d(\d\d)$/, (month, day, value) => {
    const date = `${month}-${day}`;
    if (date >= from && date <= to) days.set(date, (days.get(date) ?? 0) + value);
  });
  return [...days]
    .map(([date, messages]) => ({ date, messages }))
    .sort((a, b) => a.date.localeCompare(b.date));
}

/**
 * A chat's days within [from, to]: messages and distinct senders from its months, joins and
 * leaves from its membership events (`events`: date -> counts). Days with none are left out.
 */
export function toChatActivityDays(
  items: Item[],
  events: Map<string, { joins: number; leaves: number }>,
  from: string,
  to: string,
): ChatActivityDay[] {
  const days = new Map<string, ChatActivityDay>();
  const day = (date: string) => {
    let found = days.get(date);
    if (!found) {
      found = { date, messages: 0, activeMembers: 0, joins: 0, leaves: 0 };
      days.set(date, found);
    }
    return found;
  };
  for (const { date, messages } of toActivityDays(items, from, to)) day(date).messages = messages;
  monthCounters(items, /^g?a(\d\d)$/, (month, dd, value) => {
    const date = `${month}-${dd}`;
    if (date >= from && date <= to) day(date).activeMembers += value;
  });
  for (const [date, counts] of events) {
    if (date < from || date > to) continue;
    day(date).joins += counts.joins;
    day(date).leaves += counts.leaves;
  }
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** Messages by weekday and hour over the monthly items from `fromMonth` to `toMonth`. */
export function toHours(items: Item[], fromMonth: string, toMonth: string): HourGrid {
  const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  monthCounters(items, /^g?h(\d\d\d)$/, (month, slot, value) => {
    if (month < fromMonth || month > toMonth) return;
    const row = grid[Number(slot[0])];
    if (row) row[Number(slot.slice(1))] = (row[Number(slot.slice(1))] ?? 0) + value;
  });
  return grid;
}
