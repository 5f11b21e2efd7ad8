/**
 * Red team 14: a FAILING attack (a real bug, not fixed here; see the red team's report), kept
 * apart so the suite stays green until it is fixed. The contact's LIFE item's expiry is the
 * last writer's month's (contact-events.ts lifeUpdate sets it unconditionally), so months
 * recorded out of order (December's update before November's) shorten it to November's: a
 * contact back while December is still kept finds the LIFE expired, takes it over, and a
 * second contact.created goes out. In order (the control beside it), none.
 */
import { describe, expect, it } from 'vitest';
import { message, record } from '../helpers/recorder-rig.ts';
import { CHAT_A, CHAT_B, createdEvents } from '../helpers/red14.ts';
import { useStack } from '../helpers/stack-fixture.ts';

const stack = useStack();

describe('LIFE: its expiry follows the last writer, not the newest month', () => {
  const NOV = Date.UTC(2025, 10, 30, 23, 59) / 1000;
  const DEC = Date.UTC(2025, 11, 1, 0, 1) / 1000;
  const JAN = Date.UTC(2026, 0, 5, 12, 0) / 1000;

  for (const order of ['november first', 'december first'] as const) {
    it(`${order}: Alice back in January while December is kept: no second contact.created`, async () => {
      const table = await stack.freshTable();
      const store = { ...table, retentionDays: 30 };
      const nov = message(CHAT_A, NOV);
      nov.update_id = 940;
      const dec = message(CHAT_B, DEC);
      dec.update_id = 941;
      const pair = order === 'november first' ? [nov, dec] : [dec, nov];
      for (const u of pair) await record(store, u, DEC + 10);
      expect(await createdEvents(store)).toHaveLength(1);
      // December's month is kept until 30 days after December ends (Jan 31).
      const jan = message(CHAT_A, JAN);
      jan.update_id = 942;
      await record(store, jan, JAN + 1);
      expect(await createdEvents(store)).toHaveLength(1);
    });
  }
});
