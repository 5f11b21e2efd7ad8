/**
 * Deterministic budgets of the recorder: counts, not timings. The figures come from the same
 * code `npm run bench` reports them with (scripts/bench/update-work.ts): the real webhook
 * handler, one warm instance, the embedded store, the loopback Bot API, and an SDK middleware
 * recording every DynamoDB request with its start and end.
 *
 * The other budgets are asserted where their fixtures live, not again here:
 * - single-contact lookup, exactly 1 DynamoDB read once the key is cached:
 *   test/integration/lookup/auth.test.ts › lookup API request budget;
 * - webhook bundle bytes against the baseline: test/integration/deploy/bundle.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  measureUpdateWork,
  SCENARIOS,
  type UpdateWork,
  type UpdateWorkReport,
} from '../../../scripts/bench/update-work.ts';

describe('budgets (the recorder)', () => {
  let report: UpdateWorkReport;
  const work = (name: string): UpdateWork => {
    const found = report.updates.find((u) => u.name === name);
    if (!found) throw new Error(`no figures for ${name}`);
    return found;
  };
  /** What an update cost beyond its writes: reads, sequential round trips, refused writes. */
  const costOf = ({ reads, roundTrips, conditionalFailures }: UpdateWork) => ({
    reads,
    roundTrips,
    conditionalFailures,
  });

  beforeAll(async () => {
    report = await measureUpdateWork({ steadyMessages: 48 });
  }, 60_000);

  it('records an ordinary group message from a known user in 1 round trip: 3 writes, no read, no Bot API call', () => {
    const ordinary = work(SCENARIOS.ordinary);
    // The sender's month, the chat's month and the membership, each a conditional UpdateItem.
    expect(ordinary.byCommand).toEqual({ UpdateItem: 3 });
    expect(ordinary.writes).toBeLessThanOrEqual(3);
    expect(costOf(ordinary)).toEqual({ reads: 0, roundTrips: 1, conditionalFailures: 0 });
    expect(ordinary.botApiCalls).toBe(0);
    expect(ordinary.webhookReply).toBeUndefined();
  });

  it("checks a new user's erasure gate once, after the writes that created their items", () => {
    const first = work(SCENARIOS.newUser);
    // Also their first message of the day: once the check found no erasure (an update older
    // than its sender's erasure counts no distinct sender), the chat's distinct senders of the
    // day go up once. And subscribers hear of the new contact: one write makes this update the
    // contact's creator (its life item was empty), one puts contact.created in the outbox.
    // Once per user: 5 round trips.
    expect(first.byCommand).toEqual({ UpdateItem: 6, GetItem: 1 });
    expect(first.roundTrips).toBe(5);
  });

  it("adds one write, and no read, for a known member's first message of the day", () => {
    const first = work(SCENARIOS.firstOfDay);
    expect(first.byCommand).toEqual({ UpdateItem: 4 });
    expect(costOf(first)).toEqual({ reads: 0, roundTrips: 2, conditionalFailures: 0 });
  });

  it('changes nothing on a duplicate delivery, for the writes of the first delivery', () => {
    const duplicate = work(SCENARIOS.duplicate);
    const ordinary = work(SCENARIOS.ordinary);
    // The same three writes, each refused by its queue's high-water mark. The embedded store
    // does not return the refused item (DynamoDB does, with ReturnValuesOnConditionCheckFailure),
    // so here the gate's floor and the membership (was it the day's first message?) are read.
    expect(duplicate.byCommand.UpdateItem).toBe(3);
    expect(duplicate.conditionalFailures).toBe(3);
    expect(duplicate.wcu).toBeLessThanOrEqual(ordinary.wcu);
    expect(duplicate.byCommand.GetItem ?? 0).toBeLessThanOrEqual(2);
    expect(duplicate.botApiCalls).toBe(0);
  });

  it('answers /start inside the webhook response, with no outbound Bot API call', () => {
    const start = work(SCENARIOS.start);
    expect(start.botApiCalls).toBe(0);
    expect(start.webhookReply).toBe('sendMessage');
  });

  it('costs the same after a long history: no guard sets, no pruning (review 6)', () => {
    const { steady } = report;
    expect(steady.writes).toBe(3);
    expect(steady.reads).toBe(0);
    expect(steady.maxWrites).toBe(3);
    expect(steady.maxRoundTrips).toBe(1);
    expect(steady.indexWcu).toBe(0);
    expect(steady.botApiCalls).toBe(0);
  });
});
