/**
 * After an erasure, the whole table must hold nothing of the person but their tombstone: this
 * scans every item (keys, attributes, nested values) for the person's id, names, usernames and
 * phone numbers, and returns where each is found. Allowed: the person's tombstones (gate months
 * holding only a floor) and the `contact.erased` event (the id alone).
 *
 * The id matches as a number equal to it, or as a run of digits in a string bounded by
 * non-alphanumerics (`USER#1234567`, `R#1234567`): use ids of six digits or more, so that no
 * count, date or hash matches by chance. Names and usernames match case-insensitively as
 * substrings; a phone matches by its digits (with or without `+`).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { FLOOR, isRegisterAttr } from '../../lib/directory/record/registers.ts';
import type { StoreContext } from '../../lib/store/client.ts';

export interface Person {
  id: number;
  names?: string[];
  usernames?: string[];
  phones?: string[];
}

export interface Trace {
  pk: string;
  sk: string;
  /** Where in the item: an attribute path, `pk`, `sk` or an index key. */
  path: string;
  value: string;
  /** What matched: `id`, `name`, `username` or `phone`. */
  what: string;
}

type Item = Record<string, unknown>;

/** Every item of the table (all pages, consistent). */
export async function scanTable(ctx: StoreContext): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.client.send(
      new ScanCommand({ TableName: ctx.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A gate month of the person after an erasure: a floor and nothing recorded. */
function isTombstone(item: Item, person: Person): boolean {
  return (
    item.pk === `USER#${person.id}` &&
    typeof item[FLOOR] === 'number' &&
    /^PROFILE#\d{4}-\d{2}$/.test(String(item.sk)) &&
    !Object.keys(item).some(isRegisterAttr)
  );
}

function isErasedEvent(item: Item): boolean {
  return String(item.sk).startsWith('OUTBOX#') && item.type === 'contact.erased';
}

function matcher(person: Person): (value: unknown) => string | undefined {
  const id = String(person.id);
  const idPattern = new RegExp(`(^|[^0-9A-Za-z])${id}([^0-9A-Za-z]|$)`);
  const names = (person.names ?? []).filter((n) => n.length >= 3).map((n) => n.toLowerCase());
  const usernames = (person.usernames ?? []).map((n) => n.toLowerCase());
  const phones = (person.phones ?? []).map((p) => p.replace(/\D/g, '')).filter(Boolean);
  return (value) => {
    if (typeof value === 'number') return value === person.id ? 'id' : undefined;
    if (typeof value !== 'string') return undefined;
    if (idPattern.test(value)) return 'id';
    const lower = value.toLowerCase();
    if (usernames.some((u) => lower.includes(u))) return 'username';
    if (names.some((n) => lower.includes(n))) return 'name';
    const digits = value.replace(/\D/g, '');
    if (phones.some((p) => digits.includes(p))) return 'phone';
    return undefined;
  };
}

function walk(value: unknown, path: string, visit: (path: string, value: unknown) => void) {
  if (Array.isArray(value) || value instanceof Set) {
    for (const [i, v] of [...value].entries()) walk(v, `${path}[${i}]`, visit);
  } else if (value && typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) {
      visit(`${path}.${name}#name`, name);
      walk(inner, `${path}.${name}`, visit);
    }
  } else visit(path, value);
}

/** Where the table still holds something of `person` (empty: nothing). */
export async function tracesOf(ctx: StoreContext, person: Person): Promise<Trace[]> {
  const match = matcher(person);
  const traces: Trace[] = [];
  for (const item of await scanTable(ctx)) {
    if (isTombstone(item, person) || isErasedEvent(item)) continue;
    walk(item, '', (path, value) => {
      const what = match(value);
      if (what)
        traces.push({
          pk: String(item.pk),
          sk: String(item.sk),
          path: path.slice(1),
          value: String(value),
          what,
        });
    });
  }
  return traces;
}
