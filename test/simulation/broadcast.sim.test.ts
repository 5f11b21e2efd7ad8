/**
 * Broadcast sending under a seeded simulation (run-broadcast-simulation.ts): two or three
 * dispatchers' senders at once on a simulated clock, each invocation crashing after any store
 * call or request or stalling past its leases, a Bot API answering 429s, 403s, 400s, 5xx,
 * timeouts and refused connections, users who /stop, /start, block the bot or are erased
 * meanwhile, cancels. broadcast-model.ts says what must hold. A CI-size run here; `npm run
 * fuzz` runs more (BSIM_RUNS, BSIM_BROADCASTS, SIM_SEED choose the size and the first seed,
 * printed on failure; SIM_DEBUG prints the history of a failing run).
 */
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../helpers/stack-fixture.ts';
import { runBroadcastSimulation } from './run-broadcast-simulation.ts';

const RUNS = Number(process.env.BSIM_RUNS ?? 3);
const BROADCASTS = Number(process.env.BSIM_BROADCASTS ?? 6);
const FIRST_SEED = Number(process.env.SIM_SEED ?? 1);

const store = useTestStore();

describe('broadcast simulation', () => {
  it(`sends at most once, paced, as the model says: ${RUNS} runs from seed ${FIRST_SEED}`, async () => {
    const failures: string[] = [];
    const totals: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const report = await runBroadcastSimulation(store, FIRST_SEED + i, {
        broadcasts: BROADCASTS,
        crashRate: 0.25,
        failRate: 0.3,
        ...(process.env.SIM_DEBUG ? { debug: (line: string) => console.log(line) } : {}),
      });
      if (process.env.SIM_REPORT)
        console.log(JSON.stringify({ ...report, failures: report.failures.length }));
      failures.push(...report.failures);
      for (const [key, value] of Object.entries(report)) {
        if (typeof value === 'number' && key !== 'seed') totals[key] = (totals[key] ?? 0) + value;
      }
    }
    if (process.env.SIM_REPORT) {
      console.log(`broadcast simulation, seeds ${FIRST_SEED}+: ${JSON.stringify(totals)}`);
    }
    expect(failures).toEqual([]);
    // The runs exercised what they claim to.
    expect(totals.crashes).toBeGreaterThan(RUNS);
    expect(totals.sent).toBeGreaterThan(RUNS * 10);
    expect(totals.unknown).toBeGreaterThan(0);
    expect(totals.rateLimited).toBeGreaterThan(0);
    expect(totals.skipped).toBeGreaterThan(0);
  }, 600_000);
});
