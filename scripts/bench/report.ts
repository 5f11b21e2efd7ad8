/**
 * The results of one `npm run bench` and their rendering as Markdown tables: printed to the
 * terminal and written between the markers of docs/benchmarks.md, so the document always
 * holds the figures of bench/results.json.
 */
import type { BroadcastReport } from './broadcast-throughput.ts';
import type { BudgetRow } from './budgets.ts';
import type { ColdStartReport } from './cold-start.ts';
import { ASSUMPTIONS, type CostReport, PRICES, PRICES_AS_OF } from './cost.ts';
import type { ErasureCost } from './erasure-cost.ts';
import type { EventLatencyReport } from './event-latency.ts';
import type { HandlerCpuReport } from './handler-cpu.ts';
import type { LookupReport } from './lookup-routes.ts';
import { dollars, kb, ms, n, table, usd, x } from './markdown.ts';
import type { MemberExportReport } from './member-export.ts';
import { renderErasure } from './report-erasure.ts';
import type { ThroughputReport } from './throughput.ts';
import type { UpdateWork, UpdateWorkReport } from './update-work.ts';

export interface BenchResults {
  generatedAt: string;
  machine: { node: string; cpu: string; cores: number; loadAverage: number[] };
  seconds: number;
  coldStart: ColdStartReport;
  work: UpdateWorkReport;
  handlerCpu: HandlerCpuReport;
  throughput: ThroughputReport;
  lookup: LookupReport;
  members: MemberExportReport;
  events: EventLatencyReport;
  broadcast?: BroadcastReport;
  erasure?: ErasureCost;
  cost: { webhook: CostReport; baseline: CostReport };
  budgets: BudgetRow[];
}

export const MARKERS = ['<!-- bench:results:start -->', '<!-- bench:results:end -->'] as const;

function coldStart(r: ColdStartReport): string {
  const base = r.baseline;
  const rows = [base, ...r.bundles].map((b) => [
    b.name,
    kb(b.bytes),
    kb(b.gzipBytes),
    kb(b.totalBytes),
    `${ms(b.importMs.median)} (p90 ${ms(b.importMs.p90)})`,
    x(b.bytes / base.bytes),
    x(b.gzipBytes / base.gzipBytes),
    x(b.importMs.median / base.importMs.median),
  ]);
  const webhook = r.bundles.find((b) => b.name === 'webhook');
  const e = r.webhookExcess;
  const less = (bytes: number) => (webhook ? x((webhook.bytes - bytes) / base.bytes) : 'n/a');
  return [
    table(
      ['bundle', 'at import', 'gzip', 'all chunks', 'import ms, median', 'bytes', 'gzip', 'import'],
      rows,
    ),
    '',
    `Import times over ${base.importMs.runs} fresh \`node\` processes per bundle. What the webhook adds to the baseline at import: our own code ${kb(e.ownCode)}, zod/mini (config) ${kb(e.zod)}, Powertools Logger ${kb(e.logger)}, other dependencies ${kb(e.otherDependencies)}. Without zod it would be ${less(e.zod)} the baseline; without zod and the logger (which issue 2 requires) ${less(e.zod + e.logger)}.`,
  ].join('\n');
}

function workRow(w: UpdateWork): (string | number)[] {
  const commands = Object.entries(w.byCommand)
    .map(([command, count]) => `${command} ${n(count)}`)
    .join(', ');
  return [
    w.name,
    n(w.requests),
    commands || '—',
    n(w.writes),
    n(w.roundTrips),
    `${n(w.wcu)} + ${n(w.indexWcu)}`,
    n(w.rcu),
    n(w.botApiCalls),
    w.webhookReply ?? '—',
  ];
}

function work(r: UpdateWorkReport): string {
  const s = r.steady;
  return [
    table(
      [
        'update',
        'DynamoDB requests',
        'by command',
        'writes',
        'round trips',
        'WCU (table + index)',
        'RCU',
        'Bot API calls',
        'reply in response',
      ],
      [...r.updates.map(workRow), workRow(s)],
    ),
    '',
    `Over ${s.messages} ordinary messages the most writes in one message were ${s.maxWrites} and the most round trips ${s.maxRoundTrips}.`,
  ].join('\n');
}

function throughput(r: ThroughputReport, cpu: HandlerCpuReport): string {
  const rate = (value: number) => `${value.toFixed(0)}/s`;
  return [
    table(
      ['handler', 'throughput', 'webhook ÷ this'],
      [
        ['webhook handler, ordinary group messages', rate(r.webhook.perSecond), '1.00x'],
        [
          'raw UpdateItem',
          rate(r.rawUpdateItem.perSecond),
          x(r.webhook.perSecond / r.rawUpdateItem.perSecond),
        ],
        [
          'bare telegraf + 1 UpdateItem',
          rate(r.bareTelegraf.perSecond),
          x(r.webhook.perSecond / r.bareTelegraf.perSecond),
        ],
      ],
    ),
    '',
    `${r.concurrency} in flight, ${r.webhook.seconds.toFixed(1)} s each, one process. With the store in another process, one message at a time:`,
    '',
    table(
      ['handler', 'CPU ms per message', 'wall ms per message', 'CPU ratio'],
      [
        [
          'webhook',
          ms(cpu.webhook.cpuMs),
          ms(cpu.webhook.wallMs),
          x(cpu.webhook.cpuMs / cpu.baseline.cpuMs),
        ],
        ['bare telegraf + 1 UpdateItem', ms(cpu.baseline.cpuMs), ms(cpu.baseline.wallMs), '1.00x'],
      ],
    ),
  ].join('\n');
}

function lookup(r: LookupReport): string {
  return [
    table(
      ['route', 'req/s', 'p50 ms', 'p99 ms', 'DynamoDB requests per call'],
      r.routes.map((route) => [
        route.route,
        route.perSecond.toFixed(0),
        route.p50Ms,
        route.p99Ms,
        route.dynamoRequests.toFixed(2),
      ]),
    ),
    '',
    `${r.connections} connections, ${r.seconds} s per route; seeded with ${r.seeded.updates} updates (${r.seeded.people} people, ${r.seeded.chats} chats) through the webhook.`,
  ].join('\n');
}

function members(r: MemberExportReport): string {
  const count = (v: number) => v.toLocaleString('en-US');
  const commands = (byCommand: Record<string, number>) =>
    Object.entries(byCommand)
      .map(([command, calls]) => `${command.replace(/Command$/, '')} ${calls}`)
      .join(', ');
  return [
    table(
      [
        'route',
        'ms, median',
        'CPU ms',
        'DynamoDB requests',
        'round trips',
        'by command',
        'body bytes',
        'body bytes per member',
        'Lambda ms, estimated',
      ],
      r.routes.map((route) => [
        route.route,
        ms(route.ms),
        ms(route.cpuMs),
        route.dynamoRequests,
        route.roundTrips,
        commands(route.byCommand),
        count(route.bytes),
        route.bytesPerMember === undefined ? '—' : route.bytesPerMember.toFixed(1),
        ms(route.lambdaMs),
      ]),
    ),
    '',
    `A chat of ${count(r.members)} members (${count(r.tagged)} with tags), seeded in ${r.seedSeconds.toFixed(1)} s by BatchWriteItem from memberships recorded through the webhook; ${r.runs} call(s) per route through the local HTTP server, the embedded store in a child process (its time is most of the wall time; CPU ms is this process's: the lookup handler and the local HTTP hop). The Lambda estimate scales that CPU to the lookup function's ${r.lambdaMemoryMb} MB (${ASSUMPTIONS.fullVcpuMb} MB is one vCPU) and adds ${ASSUMPTIONS.dynamoRoundTripMs} ms per round trip (requests in flight together count once; a BatchGetItem of 100 items may take longer). What one export answer can hold (Lambda's 6 MB response; row bytes as serialized in it, escapes counted, so more than in the file):`,
    '',
    table(
      [
        'format',
        'phone',
        'worst row bytes',
        'fits always',
        'typical row bytes',
        'fits typically',
        'smallest row bytes',
        'never fits above',
      ],
      r.capacity.map((c) => [
        c.format,
        c.includePhone ? 'yes' : 'no',
        count(c.worstRowBytes),
        count(c.guaranteedMembers),
        count(c.typicalRowBytes),
        count(c.typicalMembers),
        count(c.smallestRowBytes),
        count(c.impossibleAbove),
      ]),
    ),
  ].join('\n');
}

function eventLatency(r: EventLatencyReport): string {
  return [
    table(
      ['events', 'webhook 200 -> receipt, p50', 'p90', 'max', 'DynamoDB requests per event'],
      [[r.events, ms(r.p50Ms), ms(r.p90Ms), ms(r.maxMs), r.dynamoRequestsPerEvent.toFixed(1)]],
    ),
    '',
    "One membership change at a time through the stack's webhook; the receipt is the receiver's " +
      "arrival of that member's `member.joined`. The local dispatcher polls the outbox every " +
      '100 ms (the stand-in for the table stream); its polling queries are in the request count.',
  ].join('\n');
}

function broadcast(r: BroadcastReport): string {
  const commands = Object.entries(r.sendByCommand)
    .map(
      ([command, count]) =>
        `${command.replace(/Command$/, '')} ${(count / r.recipients).toFixed(2)}`,
    )
    .join(', ');
  return [
    table(
      [
        'recipients',
        'BROADCAST_RATE',
        'sent per second',
        'of the rate',
        'most in any 1 s',
        'most per chat in any 1 s',
        'requests per recipient: create',
        'send',
      ],
      [
        [
          r.recipients,
          r.rate,
          r.perSecond.toFixed(1),
          `${((100 * r.perSecond) / r.rate).toFixed(0)} %`,
          r.maxInAnySecond,
          r.maxPerChatInAnySecond,
          r.createRequestsPerRecipient.toFixed(2),
          r.sendRequestsPerRecipient.toFixed(2),
        ],
      ],
    ),
    '',
    `One broadcast to every recipient, created through the lookup handler (${ms(r.createMs)} ms: the audience's eligibility Query per contact and the recipients' BatchWriteItem, 25 a request) and sent by the dispatcher's broadcast sender in one run against the fake Bot API, the store in a child process. Pace as Telegram would see it (the fake's arrivals): starts are spaced (1000 + 25) / rate ms apart, so the rate is an upper bound with a margin for jitter. Sending, per recipient: ${commands} (the eligibility Query, the claim and the record; the page Queries, the cancel check once a second and the lease renewal are the fractions). Deployed, a scheduled invocation sends for up to 50 s of each minute: about ${((r.perSecond * 50) / 60).toFixed(1)} a second over a long broadcast.`,
  ].join('\n');
}

function cost(c: BenchResults['cost']): string {
  const w = c.webhook;
  return [
    table(
      ['item', 'per ordinary message', '$ per million messages'],
      [
        ...w.lines.map((line) => [line.item, line.perMessage, usd(line.usdPerMillion)]),
        [
          '**total**',
          `duration ${ms(w.durationMs)} ms (${ms(w.durationMsLow)} ms unthrottled)`,
          `**${usd(w.usdPerMillion)}**`,
        ],
        [
          'bare telegraf baseline, same model',
          `duration ${ms(c.baseline.durationMs)} ms`,
          usd(c.baseline.usdPerMillion),
        ],
      ],
    ),
    '',
    `Ratio to the baseline: ${x(w.usdPerMillion / c.baseline.usdPerMillion)}. Assumptions: ${ASSUMPTIONS.dynamoRoundTripMs} ms per DynamoDB round trip, CPU slowed by ${ASSUMPTIONS.fullVcpuMb} / ${w.memoryMb} MB, ${ASSUMPTIONS.platformLogBytes} bytes of Lambda platform log lines. Prices (us-east-1, list prices found on ${PRICES_AS_OF}, no free tier):`,
    '',
    table(
      ['price', 'sources'],
      Object.values(PRICES).map((p) => [`${dollars(p.usd)} per ${p.unit}`, p.sources.join(' ')]),
    ),
  ].join('\n');
}

function budgets(rows: BudgetRow[]): string {
  return table(
    ['budget', 'limit', 'measured', 'met', 'asserted in'],
    rows.map((b) => [b.budget, b.limit, b.measured, b.met ? 'yes' : '**no**', b.test]),
  );
}

export function renderResults(r: BenchResults): string {
  const m = r.machine;
  return [
    `Generated by \`npm run bench\` on ${r.generatedAt} in ${r.seconds.toFixed(0)} s (Node ${m.node}, ${m.cores} × ${m.cpu}, load average at start ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')}).`,
    '',
    '### Cold start',
    '',
    coldStart(r.coldStart),
    '',
    '### Work per update',
    '',
    work(r.work),
    '',
    '### Warm throughput',
    '',
    throughput(r.throughput, r.handlerCpu),
    '',
    '### Lookup API',
    '',
    lookup(r.lookup),
    '',
    `### Member list and export (${r.members.members.toLocaleString('en-US')}-member chat)`,
    '',
    members(r.members),
    '',
    '### Subscriber events (local stack, loopback receiver)',
    '',
    eventLatency(r.events),
    '',
    ...(r.broadcast
      ? ['### Broadcasts (paced sends, fake Bot API)', '', broadcast(r.broadcast), '']
      : []),
    ...(r.erasure ? ['### Erasure', '', renderErasure(r.erasure), ''] : []),
    '### Cost per million ordinary messages',
    '',
    cost(r.cost),
    '',
    '### Budgets',
    '',
    budgets(r.budgets),
  ].join('\n');
}
