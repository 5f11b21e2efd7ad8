/**
 * The dispatcher under a seeded simulation (run-dispatcher-simulation.ts): several dispatchers
 * at once (stream invocations and sweeps), each crashing after any store call or POST, a
 * receiver failing 30% of requests (5xx, timeouts, resets, now and then a 410 or an outage of
 * hours), users erased between attempts, stopped subscriptions re-enabled, a clock over about
 * 30 h. dispatcher-model.ts says what must hold; once quiet, a whole-table scan
 * (erasure-scan.ts) finds nothing of a user erased during the run dated before their erasure,
 * and, after everyone is erased, nothing of anyone. A CI-size run here; `npm run fuzz` runs more
 * (DSIM_RUNS, DSIM_ROUNDS, SIM_SEED choose the size and the first seed, printed on failure).
 */
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../helpers/stack-fixture.ts';
import { runDispatcherSimulation } from './run-dispatcher-simulation.ts';

const RUNS = Number(process.env.DSIM_RUNS ?? 2);
const ROUNDS = Number(process.env.DSIM_ROUNDS ?? 60);
const FIRST_SEED = Number(process.env.SIM_SEED ?? 1);

const store = useTestStore();

describe('dispatcher simulation', () => {
  it(`delivers as the model says: ${RUNS} runs of ${ROUNDS} rounds from seed ${FIRST_SEED}`, async () => {
    const failures: string[] = [];
    const totals: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const report = await runDispatcherSimulation(store, FIRST_SEED + i, {
        rounds: ROUNDS,
        failRate: 0.3,
        crashRate: 0.2,
        ...(process.env.SIM_DEBUG ? { debug: (line: string) => console.log(line) } : {}),
      });
      failures.push(...report.failures);
      for (const [key, value] of Object.entries(report)) {
        if (typeof value === 'number' && key !== 'seed') totals[key] = (totals[key] ?? 0) + value;
      }
    }
    if (process.env.SIM_REPORT) {
      console.log(`dispatcher simulation, seeds ${FIRST_SEED}+: ${JSON.stringify(totals)}`);
    }
    expect(failures).toEqual([]);
    // The runs exercised what they claim to.
    expect(totals.crashes).toBeGreaterThan(RUNS * 3);
    expect(totals.failedRequests).toBeGreaterThan(RUNS * 10);
    expect(totals.delivered).toBeGreaterThan(RUNS * 10);
  }, 600_000);
});
