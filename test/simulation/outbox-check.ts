/**
 * The outbox at the end of a recorder simulation against the model's (outbox-model.ts): a scan
 * of the table's outbox items (`sk` `OUTBOX#…`), compared user by user. Returns the
 * disagreements.
 */
import type { ExpectedOutbox } from './outbox-model.ts';

type Item = Record<string, unknown>;

const MEMBER_TYPES: Record<string, string> = {
  join: 'member.joined',
  leave: 'member.left',
  remove: 'member.left',
  change: 'member.updated',
};

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

export function checkOutbox(
  table: Item[],
  users: number[],
  expect: (user: number) => ExpectedOutbox,
): string[] {
  const failures: string[] = [];
  const items = table.filter((item) => String(item.sk).startsWith('OUTBOX#'));
  for (const user of users) {
    const want = expect(user);
    const about = items.filter(
      (item) =>
        item.userId === user ||
        (Array.isArray(item.otherUserIds) && item.otherUserIds.includes(user)),
    );
    const label = (item: Item) => `${String(item.type)} at ${String(item.at)} (${String(item.sk)})`;

    for (const item of about) {
      const at = num(item.at) ?? -1;
      if (at < want.floor && !want.leftoverDates.has(at)) {
        failures.push(`outbox of ${user} keeps ${label(item)} from before their erasure`);
      }
    }

    const members = new Map<string, number>();
    for (const item of about.filter((i) => String(i.type).startsWith('member.'))) {
      const data = (item.data ?? {}) as Item;
      const key = `${String(data.chatId)}|${String(item.at)}|${String(data.kind)}|${String(data.userId)}`;
      if (data.userId !== user || MEMBER_TYPES[String(data.kind)] !== item.type) {
        failures.push(`outbox of ${user}: ${label(item)} disagrees with its data ${key}`);
      }
      members.set(key, (members.get(key) ?? 0) + 1);
      if (!want.members.allowed.has(key)) failures.push(`outbox of ${user} tells ${key}`);
    }
    for (const key of want.members.required) {
      const n = members.get(key) ?? 0;
      if (n !== 1) failures.push(`outbox of ${user} tells ${key} ${n} times, expected once`);
    }

    const created = about.filter(
      (i) => i.type === 'contact.created' && (num(i.at) ?? -1) >= want.floor,
    );
    // The contact's creator (its life item, else its first month's `ci`): a creator dropped
    // after an attempt may have crashed before writing its contact.created, and so may one
    // overtaken by a later update of its queue (out of order) before its redelivery.
    const life = table.find((i) => i.pk === `USER#${user}` && i.sk === 'LIFE');
    const firstMonth = table
      .filter(
        (i) =>
          i.pk === `USER#${user}` &&
          /^PROFILE#\d/.test(String(i.sk)) &&
          Object.keys(i).some((attr) => attr.startsWith('q:')),
      )
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))[0];
    const creator = life ? num(life.w) : num(firstMonth?.ci);
    const creatorDropped =
      creator !== undefined && (want.droppedIds.has(creator) || want.overtakenIds.has(creator));
    const min = creatorDropped ? 0 : want.created.min;
    if (created.length < min || created.length > want.created.max) {
      failures.push(
        `outbox of ${user}: ${created.length} contact.created since ${want.floor} (${created
          .map((i) => i.at)
          .join(',')}), expected ${min}..${want.created.max}`,
      );
    }

    const erased = items.filter(
      (i) => i.type === 'contact.erased' && (i.data as Item | undefined)?.userId === user,
    );
    const erasedAt = erased.map((i) => num(i.at) ?? -1);
    for (const at of erasedAt) {
      if (!want.erasedAllowed.has(at)) {
        failures.push(`outbox of ${user}: contact.erased at ${at}, not an erasure that found data`);
      }
    }
    for (const window of want.erasedRequired) {
      if (!erasedAt.some((at) => at > window.from && at <= window.to)) {
        failures.push(
          `outbox of ${user}: no contact.erased for the erasure at ${window.to - 1} (data since ${window.from})`,
        );
      }
    }
  }
  return failures;
}
