/**
 * The recorder under a simulated Telegram (see run-simulation.ts): deliveries crash after any
 * store call, lose acknowledgements, run twice at once and interleave across queues; users
 * are erased through the API and by /forget; a group migrates. At the end every lookup route
 * must answer what the reference model says, and after every erasure, once nothing of the user
 * waits, a whole-table scan must find nothing of them beyond their tombstones (what the model
 * allows aside: a dropped update's leftovers). A CI-size run here; `npm run fuzz` runs more
 * (SIM_RUNS, SIM_STEPS, SIM_SEED choose the size and the first seed, printed on failure).
 */
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../helpers/stack-fixture.ts';
import { runSimulation } from './run-simulation.ts';

const RUNS = Number(process.env.SIM_RUNS ?? 4);
const STEPS = Number(process.env.SIM_STEPS ?? 60);
const FIRST_SEED = Number(process.env.SIM_SEED ?? 1);

/** `npm run fuzz` runs these far bigger: the time allowed grows with the runs. */
const TIMEOUT_MS = Math.max(600_000, RUNS * STEPS * 300);

const store = useTestStore();

const FAULTS = { crashRate: 0.2, lostAckRate: 0.1, duplicateRate: 0.1, outageRate: 0 };

describe('recorder simulation', () => {
  it(
    `matches the model: ${RUNS} runs of ${STEPS} rounds from seed ${FIRST_SEED}, in Telegram's order`,
    async () => {
      const failures: string[] = [];
      const total = {
        updates: 0,
        acked: 0,
        crashes: 0,
        erasures: 0,
        patched: 0,
        storeCalls: 0,
        scans: 0,
        scanAllowed: 0,
      };
      for (let i = 0; i < RUNS; i++) {
        const report = await runSimulation(store, FIRST_SEED + i, {
          steps: STEPS,
          ...FAULTS,
          outOfOrder: false,
        });
        failures.push(...report.failures);
        for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += report[key];
        expect(report.dropped, `seed ${report.seed}: nothing expires without outages`).toBe(0);
      }
      if (process.env.SIM_REPORT)
        console.log(`simulation, seeds ${FIRST_SEED}+: ${JSON.stringify(total)}`);
      const { crashes, erasures, patched } = total;
      expect(failures).toEqual([]);
      // The run exercised what it claims to.
      expect(crashes).toBeGreaterThan(RUNS * 3);
      expect(erasures).toBeGreaterThan(0);
      expect(patched).toBeGreaterThan(RUNS);
      // After quiet erasures the whole table was scanned for the erased (erasure-scan-check.ts).
      expect(total.scans).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'never overcounts when queues deliver out of order or expire after outages',
    async () => {
      const failures: string[] = [];
      for (let i = 0; i < Math.max(1, RUNS / 2); i++) {
        const report = await runSimulation(store, FIRST_SEED + 1000 + i, {
          steps: STEPS,
          ...FAULTS,
          outOfOrder: true,
          outageRate: 0.05,
        });
        failures.push(...report.failures);
      }
      expect(failures).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
