/**
 * `npm run bench`: cold start, work per update, warm throughput, lookup latency and cost, each
 * beside its baseline measured in the same run. Prints the tables, writes bench/results.json
 * and the results section of docs/benchmarks.md. `--quick` runs a short version and writes
 * nothing (a smoke test of the bench itself).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseCliOrExit, UsageError } from '../cli.ts';
import { createProgress, progressWanted } from '../progress.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// One INFO line per update would measure the terminal; the log bytes are measured apart.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const USAGE = `usage: npm run bench [-- --quick] [-- --only erasure]

  Benchmarks, offline, about two minutes: cold start, DynamoDB work per update, warm throughput,
  lookup latency and cost, each beside the bare telegraf + DocumentClient baseline, and the
  member list and export on a 10,000-member chat.
  Prints the tables and rewrites bench/results.json and the results section of
  docs/benchmarks.md.

options:
  --quick   a short run that writes nothing (a smoke test of the bench itself)
  --only erasure
            only what one erasure costs (DynamoDB requests by type); prints it, writes
            nothing
  --help    show this text

Progress goes to stderr on a terminal (not in CI).`;

const { quick, only } = parseCliOrExit(
  {
    name: 'bench',
    usage: USAGE,
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  },
  ({ values }) => {
    if (values.only !== undefined && values.only !== 'erasure') {
      throw new UsageError(`--only takes erasure, not ${String(values.only)}`);
    }
    return { quick: values.quick === true, only: values.only };
  },
);
const progress = createProgress({
  name: 'bench',
  enabled: progressWanted(process.env, process.stderr),
});

const { ROOT } = await import('../build/bundle.ts');
const { checkBudgets } = await import('./budgets.ts');
const { measureColdStart } = await import('./cold-start.ts');
const { configuredMemoryMb, costPerMillion } = await import('./cost.ts');
const { measureHandlerCpu } = await import('./handler-cpu.ts');
const { measureLookup } = await import('./lookup-routes.ts');
const { measureMemberExport } = await import('./member-export.ts');
const { MARKERS, renderResults } = await import('./report.ts');
const { measureThroughput } = await import('./throughput.ts');
const { measureUpdateWork } = await import('./update-work.ts');
const { measureEventLatency } = await import('./event-latency.ts');
const { measureBroadcast } = await import('./broadcast-throughput.ts');
const { loadConfig } = await import('../../lib/config.ts');
const { messagePool } = await import('./workload.ts');
const { measureErasure } = await import('./erasure-cost.ts');
const { renderErasure } = await import('./report-erasure.ts');

if (only === 'erasure') {
  console.log(renderErasure(await measureErasure()));
  process.exit(0);
}

const started = performance.now();
const loadAverage = loadavg();
let steps = 0;
const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
  progress.phase(`${++steps}/9 ${name}`);
  return run();
};

// As many chats as messages in flight: Telegram keeps one update per chat in flight.
const pool = messagePool(50, 8);
const coldRuns = quick ? 3 : 21;
const steadyMessages = quick ? 20 : 64;
const cpuMessages = quick ? 100 : 600;
const coldStart = await step(`cold start: ${coldRuns} imports of each bundle`, () =>
  measureColdStart({ runs: coldRuns }),
);
const work = await step(`work per update: ${steadyMessages} steady messages`, () =>
  measureUpdateWork({ steadyMessages }),
);
const handlerCpu = await step(`handler CPU: ${cpuMessages} messages`, () =>
  measureHandlerCpu({ messages: cpuMessages, warmup: quick ? 50 : 300, pool }),
);
const throughput = await step(`warm throughput: ${quick ? 1 : 4} s at 8 in flight`, () =>
  measureThroughput({
    seconds: quick ? 1 : 4,
    warmupSeconds: quick ? 0.5 : 1,
    concurrency: 8,
    pool,
  }),
);
const lookup = await step(`lookup routes: ${quick ? 1 : 2} s each, 10 connections`, () =>
  measureLookup({ seconds: quick ? 1 : 2, connections: 10 }),
);

const memberCount = quick ? 1_000 : 10_000;
const memberRuns = quick ? 1 : 3;
const members = await step(`member list and export: a ${memberCount}-member chat`, () =>
  measureMemberExport({ members: memberCount, runs: memberRuns }),
);

const eventCount = quick ? 10 : 100;
const events = await step(`subscriber events: ${eventCount} joins to a loopback receiver`, () =>
  measureEventLatency({ events: eventCount }),
);

const broadcastRecipients = quick ? 60 : 500;
// The configured rate (BROADCAST_RATE, default 25), in real time.
const broadcastRate = loadConfig().BROADCAST_RATE;
const broadcast = await step(
  `broadcast: ${broadcastRecipients} recipients at ${broadcastRate} a second`,
  () => measureBroadcast({ recipients: broadcastRecipients, rate: broadcastRate }),
);

const erasure = await step('erasure: 10 events, 3 shared cards, 1 broadcast pending', () =>
  measureErasure(),
);

const memoryMb = configuredMemoryMb('webhook');
const steady = work.steady;
const results = {
  generatedAt: new Date().toISOString(),
  machine: {
    node: process.versions.node,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverage,
  },
  seconds: (performance.now() - started) / 1000,
  coldStart,
  work,
  handlerCpu,
  throughput,
  lookup,
  members,
  events,
  broadcast,
  erasure,
  cost: {
    webhook: costPerMillion({ ...steady, cpuMs: handlerCpu.webhook.cpuMs }, memoryMb),
    // The baseline as the common starters deploy it: telegraf behind an API Gateway HTTP API,
    // one UpdateItem of a small item, no log line of its own.
    baseline: costPerMillion(
      { roundTrips: 1, wcu: 1, indexWcu: 0, rcu: 0, cpuMs: handlerCpu.baseline.cpuMs, logBytes: 0 },
      memoryMb,
      'httpApi',
    ),
  },
  budgets: [] as ReturnType<typeof checkBudgets>,
};
results.budgets = checkBudgets(results);

progress.phase('done');
const markdown = renderResults(results);
console.log(markdown);
if (!quick) {
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  const rounded = (_key: string, v: unknown) =>
    typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(4)) : v;
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, rounded, 2)}\n`);
  const docPath = join(ROOT, 'docs/benchmarks.md');
  const doc = readFileSync(docPath, 'utf8');
  const [open, close] = MARKERS;
  const from = doc.indexOf(open);
  const to = doc.indexOf(close);
  if (from < 0 || to < from) throw new Error(`docs/benchmarks.md lacks the ${open} markers`);
  writeFileSync(docPath, `${doc.slice(0, from + open.length)}\n\n${markdown}\n\n${doc.slice(to)}`);
  console.error('bench: wrote bench/results.json and docs/benchmarks.md');
}
