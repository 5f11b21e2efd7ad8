/**
 * Storage faults during a realistic stream, delivered like Telegram (several in flight, each
 * update again until 2xx). The final table must equal a fault-free sequential run of the
 * same stream. Faults: throttling, timeouts and 500s before the call reaches the store, and
 * lost responses after it did the work, at a seeded 10% of all DynamoDB calls.
 * RELIABILITY_REPORT=1 prints the figures (docs/reliability.md).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { webhookEvent } from '../helpers/events.ts';
import { type FaultyClient, faultyClient, randomFaults } from '../helpers/faults.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import { tableSnapshot } from '../helpers/webhook.ts';
import { generateStream, type Update } from './stream.ts';
import { deliverLikeTelegram } from './telegram-driver.ts';

const UPDATES = Number(process.env.RELIABILITY_UPDATES ?? 300);
const SEEDS = Number(process.env.RELIABILITY_SEEDS ?? 1);
const FAULT_RATE = Number(process.env.RELIABILITY_FAULT_RATE ?? 0.1);

beforeAll(() => {
  // Updates without a date of their own (inline queries, callbacks) are stamped with the
  // time they arrive: freeze the clock so two runs of one stream can be compared.
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2025-12-10T12:00:00Z') });
});
afterAll(() => {
  vi.useRealTimers();
});
// After the clock's hooks: the stack starts with the clock frozen and closes before it thaws.
const stack = useStack();

interface RunOptions {
  decide?: FaultyClient['decide'];
  concurrency?: number;
  ordered?: boolean;
}

async function run(stream: readonly Update[], options: RunOptions = {}) {
  const table = await stack.freshTable();
  const faulty = faultyClient(table.endpoint, options.decide);
  const store = { client: faulty.client, tableName: table.tableName };
  const webhook = await stack.webhook({ store });
  const post = async (update: Update) => (await webhook(webhookEvent(update))).statusCode ?? 0;
  const report = await deliverLikeTelegram(stream, post, {
    concurrency: options.concurrency ?? 1,
    ordered: options.ordered ?? true,
  });
  const snapshot = await tableSnapshot(table);
  faulty.client.destroy();
  return { report, snapshot, injected: faulty.injected, calls: faulty.calls.length };
}

/** Order-independent state: every counter of every item (messages per item, per day). */
function counters(snapshot: Record<string, unknown>[]) {
  return snapshot
    .map((item) => {
      const counts = Object.entries(item).filter(
        ([attr, value]) => (attr === 'n' || /^d\d\d$/.test(attr)) && typeof value === 'number',
      );
      return counts.length ? { key: `${item.pk}|${item.sk}`, ...Object.fromEntries(counts) } : null;
    })
    .filter((entry) => entry !== null);
}

function report(label: string, result: Awaited<ReturnType<typeof run>>) {
  if (!process.env.RELIABILITY_REPORT) return;
  const { report: r, injected, calls } = result;
  const faults = Object.values(injected).reduce((a, b) => a + b, 0);
  console.log(
    `${label}: ${r.updates} updates, ${r.deliveries} deliveries, ${calls} DynamoDB calls, ` +
      `${faults} faults injected ${JSON.stringify(injected)}, statuses ${JSON.stringify(r.statuses)}, ` +
      `max attempts ${r.maxAttempts}, ${result.snapshot.length} items, ${r.elapsedMs} ms`,
  );
}

describe('fault injection', () => {
  const seeds = Array.from({ length: SEEDS }, (_, i) => 6001 + i);

  for (const seed of seeds) {
    it(`ends in the state of a fault-free sequential run at ${FAULT_RATE * 100}% faults, 8 in flight (seed ${seed})`, async () => {
      const stream = generateStream({ seed, updates: UPDATES });
      const clean = await run(stream);
      expect(clean.report.deliveries).toBe(UPDATES);
      const faulted = await run(stream, {
        decide: randomFaults({ rate: FAULT_RATE, seed }),
        concurrency: 8,
        ordered: true,
      });
      report(`ordered seed ${seed}`, faulted);
      expect(faulted.report.statuses[500]).toBeGreaterThan(0);
      expect(Object.values(faulted.injected).every((n) => n > 0)).toBe(true);
      expect(faulted.snapshot).toEqual(clean.snapshot);
    }, 120_000);
  }

  // Outside Telegram's delivery model (one update in flight per queue): an update that
  // overtakes an earlier one of its queue makes the earlier one count nowhere its queue's mark
  // passed it. The recorder then undercounts, never overcounts (lib/directory/record/recorder.ts).
  it(`never overcounts when updates overtake each other (${FAULT_RATE * 100}% faults, 8 in flight)`, async () => {
    const stream = generateStream({
      seed: 7001,
      updates: UPDATES,
      erasure: false,
      migration: false,
    });
    const clean = await run(stream);
    const faulted = await run(stream, {
      decide: randomFaults({ rate: FAULT_RATE, seed: 7001 }),
      concurrency: 8,
      ordered: false,
    });
    report('unordered seed 7001', faulted);
    expect(faulted.report.statuses[500]).toBeGreaterThan(0);
    const clean_ = new Map(counters(clean.snapshot).map(({ key, ...c }) => [key, c]));
    const faulted_ = counters(faulted.snapshot);
    expect(faulted_.length).toBeGreaterThan(50);
    for (const { key, ...counts } of faulted_) {
      const reference = clean_.get(key) as Record<string, number> | undefined;
      for (const [attr, value] of Object.entries(counts)) {
        expect(value, `${key} ${attr}`).toBeLessThanOrEqual(reference?.[attr] ?? 0);
      }
    }
  }, 120_000);
});
