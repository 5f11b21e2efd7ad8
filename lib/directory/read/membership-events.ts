/**
 * Membership events (record-plan.ts writes them): under the member (`USER#u` /
 * `EVENT#<at>#<chat>#<kind>`), indexed by chat in GSI1 (`EVENTS#<chat>` / `<at>#<user>#<kind>`,
 * keys only). Both lists run newest first; a chat's joins and leaves per day are counted from
 * the index keys alone. An actor erased after an event is shown as null (erased-actors.ts).
 */

import { getItems, tableKeys } from '../../store/batch-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { chatEventsPk, EVENT_PREFIX, eventTime, MAX_EVENT_TIME, userPk } from '../../store/keys.ts';
import { type ListPage, type PageRequest, queryAll, readListPage } from '../../store/query.ts';
import { GSI1 } from '../../store/table.ts';
import type { MembershipEventKind } from '../../telegram/update/facts.ts';
import { withoutErasedActors } from '../erasure/erased-actors.ts';
import { DEFAULT_RETENTION_DAYS } from '../record/retention.ts';
import { toMembershipEvent } from './items/memberships.ts';
import { unexpired } from './items/values.ts';
import type { MembershipEvent } from './shapes.ts';

export interface EventFilter {
  /** First and last UTC day (`YYYY-MM-DD`), inclusive. */
  from?: string;
  to?: string;
  kind?: MembershipEventKind;
}

const DAY = 86_400;
const secondsOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

/**
 * Events not expired: by their `expiresAt` (the retention they were written under) and by the
 * RETENTION_DAYS in force, as the chat's joins and leaves are counted (a lowered retention
 * holds at once).
 */
function keptEvents(ctx: StoreContext, items: Record<string, unknown>[]) {
  const kept = Math.floor(Date.now() / 1000) - (ctx.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY;
  return unexpired(items).filter((item) => Number(item.at) > kept);
}

/** The range of an event key's time part that `filter` allows. */
function timeRange(prefix: string, filter: EventFilter) {
  const from = filter.from === undefined ? 0 : secondsOf(filter.from);
  const to = filter.to === undefined ? MAX_EVENT_TIME : secondsOf(filter.to) + DAY - 1;
  // eventTime clamps both ends to the 10 digits keys hold; `~` sorts after every character
  // of a key's tail.
  return { ':from': `${prefix}${eventTime(from)}`, ':to': `${prefix}${eventTime(to)}~` };
}

/** Reads one page of a user's or a chat's events, newest first. */
type EventList = (
  ctx: StoreContext,
  id: number,
  filter: EventFilter,
  page: PageRequest,
) => Promise<ListPage<MembershipEvent>>;

/** One user's events in every chat, newest first. */
export const listUserEvents: EventList = async (ctx, userId, filter, page) => {
  const events = {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ...(filter.kind ? { FilterExpression: '#kind = :kind' } : {}),
    ...(filter.kind ? { ExpressionAttributeNames: { '#kind': 'kind' } } : {}),
    ExpressionAttributeValues: {
      ':pk': userPk(userId),
      ...timeRange(EVENT_PREFIX, filter),
      ...(filter.kind ? { ':kind': filter.kind } : {}),
    },
    ScanIndexForward: false,
  };
  return readListPage(ctx, events, page, 'events read', (items) =>
    withoutErasedActors(ctx, keptEvents(ctx, items).map(toMembershipEvent)),
  );
};

/** The key condition and filter of a chat's events in the index. */
function chatEventQuery(chatId: number, filter: EventFilter) {
  return {
    IndexName: GSI1.name,
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
    // A filter may not name the queried index's keys (DynamoDB and the embedded store refuse
    // gsi1sk here); the table's sort key, in every index, ends with the kind as well.
    ...(filter.kind ? { FilterExpression: 'contains(sk, :kind)' } : {}),
    ExpressionAttributeValues: {
      ':pk': chatEventsPk(chatId),
      ...timeRange('', filter),
      ...(filter.kind ? { ':kind': `#${filter.kind}` } : {}),
    },
  };
}

/** One chat's events, newest first: one Query of the index and one BatchGet per page. */
export const listChatEvents: EventList = async (ctx, chatId, filter, page) => {
  const events = { ...chatEventQuery(chatId, filter), ScanIndexForward: false };
  return readListPage(ctx, events, page, 'events read', async (keys) => {
    const found = new Map(
      keptEvents(ctx, await getItems(ctx, tableKeys(keys))).map((item) => [
        `${item.pk}|${item.sk}`,
        item,
      ]),
    );
    // BatchGet answers in no particular order: the index's order is the list's.
    const items = keys
      .map((key) => found.get(`${key.pk}|${key.sk}`))
      .filter((item) => item !== undefined);
    return withoutErasedActors(ctx, items.map(toMembershipEvent));
  });
};

/**
 * Joins and leaves (leaves and removals) per UTC day of a chat within [from, to], from the
 * index keys alone (they carry the time and the kind).
 */
export async function countChatEvents(
  ctx: StoreContext,
  chatId: number,
  from: string,
  to: string,
): Promise<Map<string, { joins: number; leaves: number }>> {
  const keys = await queryAll(ctx, chatEventQuery(chatId, { from, to }));
  // An event expires RETENTION_DAYS after it happened (the index keys carry no expiresAt).
  const kept = Math.floor(Date.now() / 1000) - (ctx.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY;
  const days = new Map<string, { joins: number; leaves: number }>();
  for (const key of keys) {
    const [time, , kind] = String(key.gsi1sk).split('#');
    if (kind !== 'join' && kind !== 'leave' && kind !== 'remove') continue;
    if (Number(time) <= kept) continue;
    const date = new Date(Number(time) * 1000).toISOString().slice(0, 10);
    const day = days.get(date) ?? { joins: 0, leaves: 0 };
    if (kind === 'join') day.joins++;
    else day.leaves++;
    days.set(date, day);
  }
  return days;
}
