/**
 * `npm run fuzz`: the fuzz suite (test/fuzz) with many runs per property, and the simulations
 * (test/simulation: the recorder's, the dispatcher's, broadcast sending's) with many seeded runs, from a fresh
 * seed, so each run explores new inputs; a failure prints its seed, and `--seed` replays it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { intOption, parseCliOrExit } from './cli.ts';

const USAGE = `usage: npm run fuzz -- [--runs N] [--seed S] [-- vitest options]

  Runs the fuzz suite (test/fuzz) with N runs per property (scaled by each property's weight),
  the recorder simulation (test/simulation) with N/50 seeded runs of 100 rounds, the
  dispatcher simulation with N/200 seeded runs of 100 rounds and the broadcast simulation
  with N/100 seeded runs of up to 8 broadcasts, from a fresh seed; npm test runs them all at
  CI size with fixed seeds.

options:
  --runs N    runs per property (default 2000)
  --seed S    replay the seed a failure printed (default: a new one per run; a simulation
              failure names its own seed: replay it with --seed S --runs 50)
  --help      show this text

Anything after a second -- goes to vitest, e.g. npm run fuzz -- --runs 100 -- -t webhook`;

const { runs, seed, rest } = parseCliOrExit(
  {
    name: 'fuzz',
    usage: USAGE,
    options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string' } },
    allowPositionals: true,
  },
  ({ values, positionals }) => ({
    runs: intOption('runs', values.runs as string, 1, 10_000_000),
    seed:
      values.seed === undefined
        ? undefined
        : intOption('seed', values.seed as string, 0, 2 ** 31 - 1),
    rest: positionals,
  }),
);

const root = fileURLToPath(new URL('../', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const simSeed = seed ?? Math.floor(Math.random() * 1_000_000);
console.log(`simulations: first seed ${simSeed}`);
const child = spawn(process.execPath, [vitest, 'run', 'test/fuzz', 'test/simulation', ...rest], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    FUZZ_RUNS: String(runs),
    SIM_RUNS: String(Math.max(1, Math.round(runs / 50))),
    SIM_STEPS: '100',
    DSIM_RUNS: String(Math.max(1, Math.round(runs / 200))),
    DSIM_ROUNDS: '100',
    BSIM_RUNS: String(Math.max(1, Math.round(runs / 100))),
    BSIM_BROADCASTS: '8',
    SIM_SEED: String(simSeed),
    ...(seed === undefined ? {} : { FUZZ_SEED: String(seed) }),
  },
});
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
