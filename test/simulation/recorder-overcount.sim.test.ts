/**
 * Red team (helper-red): a harsher run of the simulation (crashes 50 %, lost acks 30 %,
 * duplicate attempts 30 %) found an OVERCOUNT with queues delivered out of order, which
 * guarantee (e) excludes ("out of order within a queue: undercount, never overcount"):
 * seed 1503, 120 rounds: "membership 2002@-1006001 messageCount = 2, expected 0..1".
 * Replays that seed; SIM_DEBUG=1 prints the trace and the table.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStore, type TestStore } from '../helpers/store.ts';
import { runSimulation } from './run-simulation.ts';

let store: TestStore;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store.close();
});

it('never overcounts out of order under harsh faults (seed 1503)', async () => {
  const report = await runSimulation(store, 1503, {
    steps: 120,
    crashRate: 0.5,
    lostAckRate: 0.3,
    duplicateRate: 0.3,
    outageRate: 0.05,
    outOfOrder: true,
    ...(process.env.SIM_DEBUG ? { debug: (line: string) => console.log(line) } : {}),
  });
  expect(report.failures).toEqual([]);
}, 600_000);
