/**
 * Recorder v2's budgets (and issue 5's others), checked against one bench run. The deterministic ones are also asserted
 * in `npm test` (the `test` column names where).
 */
import type { BroadcastReport } from './broadcast-throughput.ts';
import type { ColdStartReport } from './cold-start.ts';
import type { CostReport } from './cost.ts';
import type { EventLatencyReport } from './event-latency.ts';
import { type LookupReport, TOP_MEMBERS, TOP_ROUTE } from './lookup-routes.ts';
import type { MemberExportReport } from './member-export.ts';
import type { ThroughputReport } from './throughput.ts';
import { SCENARIOS, type UpdateWork, type UpdateWorkReport } from './update-work.ts';

export interface BudgetRow {
  budget: string;
  limit: string;
  measured: string;
  met: boolean;
  test: string;
}

const BUDGET_TEST = 'test/integration/budgets/budgets.test.ts';

export function checkBudgets(results: {
  coldStart: ColdStartReport;
  work: UpdateWorkReport;
  lookup: LookupReport;
  members?: MemberExportReport;
  events?: EventLatencyReport;
  broadcast?: BroadcastReport;
  throughput: ThroughputReport;
  cost: { webhook: CostReport; baseline: CostReport };
}): BudgetRow[] {
  const work = (name: string): UpdateWork => {
    const found = results.work.updates.find((u) => u.name === name);
    if (!found) throw new Error(`no work figures for ${name}`);
    return found;
  };
  const ordinary = work(SCENARIOS.ordinary);
  const duplicate = work(SCENARIOS.duplicate);
  const start = work(SCENARIOS.start);
  const route = (name: string) => results.lookup.routes.find((r) => r.route === name);
  const contactRoute = route('GET /v1/contacts/{userId}');
  const behaviour = [
    'GET /v1/chats/{chatId}/events',
    'GET /v1/contacts/{userId}/events',
    'GET /v1/chats/{chatId}/activity',
  ].map((name) => ({ name, figures: route(name) }));
  const topRoute = route(TOP_ROUTE);
  const topLimit = 1 + Math.ceil(TOP_MEMBERS / 100);
  const webhook = results.coldStart.bundles.find((b) => b.name === 'webhook');
  const ratio = webhook ? webhook.bytes / results.coldStart.baseline.bytes : Number.NaN;
  const costRatio = results.cost.webhook.usdPerMillion / results.cost.baseline.usdPerMillion;
  const speed = results.throughput.webhook.perSecond / results.throughput.bareTelegraf.perSecond;
  const filtered = results.members?.routes.find((r) => r.route === 'members ?status=member (50)');
  return [
    {
      budget: 'ordinary group message, known user: DynamoDB write requests',
      limit: '≤ 3',
      measured: String(ordinary.writes),
      met: ordinary.writes <= 3,
      test: BUDGET_TEST,
    },
    {
      budget: 'ordinary group message: reads and sequential round trips',
      limit: '0 reads, 1 round trip',
      measured: `${ordinary.reads} reads, ${ordinary.roundTrips} round trip(s)`,
      met: ordinary.reads === 0 && ordinary.roundTrips <= 1,
      test: BUDGET_TEST,
    },
    {
      budget: 'ordinary group message: Bot API calls',
      limit: '0',
      measured: String(ordinary.botApiCalls),
      met: ordinary.botApiCalls === 0,
      test: BUDGET_TEST,
    },
    {
      budget: 'duplicate delivery: changes nothing, costs no more than the first delivery',
      limit: `≤ ${ordinary.writes} writes, ≤ ${ordinary.wcu} WCU`,
      measured: `${duplicate.writes} refused writes, ${duplicate.wcu} WCU, ${duplicate.reads} read(s) (the embedded store does not return the refused item; DynamoDB does)`,
      met: duplicate.writes <= ordinary.writes && duplicate.wcu <= ordinary.wcu,
      test: BUDGET_TEST,
    },
    {
      budget: '/start: outbound Bot API calls',
      limit: '0',
      measured: `${start.botApiCalls} (${start.webhookReply ?? 'no'} in the response body)`,
      met: start.botApiCalls === 0 && start.webhookReply !== undefined,
      test: BUDGET_TEST,
    },
    {
      budget: 'cost per million ordinary messages vs the bare baseline',
      limit: '≤ 1.0x',
      measured: `${costRatio.toFixed(2)}x ($${results.cost.webhook.usdPerMillion.toFixed(2)} vs $${results.cost.baseline.usdPerMillion.toFixed(2)})`,
      met: costRatio <= 1,
      test: 'npm run bench (prices and CPU are not deterministic)',
    },
    {
      budget: 'warm throughput of ordinary messages vs the bare baseline',
      limit: '≥ 0.5x',
      measured: `${speed.toFixed(2)}x`,
      met: speed >= 0.5,
      test: 'npm run bench (a timing)',
    },
    {
      budget: 'single-contact lookup: DynamoDB reads once the key is cached',
      limit: '1',
      measured: contactRoute ? contactRoute.dynamoRequests.toFixed(2) : 'n/a',
      met: contactRoute !== undefined && Math.round(contactRoute.dynamoRequests) === 1,
      test: 'test/integration/lookup/auth.test.ts › lookup API request budget',
    },
    {
      budget:
        'membership events (chat, contact) and chat activity: DynamoDB requests per call once the key is cached',
      limit: '≤ 2',
      measured: behaviour
        .map(
          ({ name, figures }) =>
            `${figures ? figures.dynamoRequests.toFixed(2) : 'n/a'} (${name.split(' ')[1]})`,
        )
        .join(', '),
      met: behaviour.every(({ figures }) => figures !== undefined && figures.dynamoRequests <= 2),
      test: 'test/integration/lookup/chats/membership-events.test.ts › uses one Query (and one BatchGet for a chat) per page',
    },
    {
      budget: `top members of a chat of ${TOP_MEMBERS}: DynamoDB requests per call once the key is cached`,
      limit: `1 Query + 1 BatchGet per 100 members (${topLimit})`,
      measured: topRoute ? topRoute.dynamoRequests.toFixed(2) : 'n/a',
      met: topRoute !== undefined && topRoute.dynamoRequests <= topLimit,
      test: 'test/integration/lookup/chats/activity-top.test.ts › reads the memberships with one Query and one BatchGet',
    },
    {
      budget: 'member list filtered by status (no sort): DynamoDB requests per page',
      limit: '≤ 2',
      measured: filtered ? String(filtered.dynamoRequests) : 'n/a',
      met: filtered !== undefined && filtered.dynamoRequests <= 2,
      test: 'test/integration/lookup/chats/member-list.test.ts › reads one Query and one BatchGetItem per filtered page',
    },
    {
      budget: 'webhook bundle bytes at import vs the baseline',
      limit: '≤ 1.05x',
      measured: `${ratio.toFixed(3)}x`,
      met: ratio <= 1.05,
      test: 'test/integration/deploy/bundle.test.ts (asserts the measured bound, ≤ 1.34x)',
    },
    {
      budget: "subscriber event, locally: the webhook's 200 to the receiver's receipt, p50",
      limit: '< 1 s',
      measured: results.events ? `${results.events.p50Ms.toFixed(0)} ms` : 'n/a',
      met: results.events !== undefined && results.events.p50Ms < 1000,
      test: 'test/integration/events/event-delivery.test.ts (delivery; timing is measured here only)',
    },
    {
      budget: 'broadcast: messages arriving at Telegram in any 1 s window',
      limit: '≤ BROADCAST_RATE',
      measured: results.broadcast
        ? `${results.broadcast.maxInAnySecond} (rate ${results.broadcast.rate})`
        : 'n/a',
      met:
        results.broadcast !== undefined &&
        results.broadcast.maxInAnySecond <= results.broadcast.rate &&
        results.broadcast.maxPerChatInAnySecond <= 1,
      test: 'test/integration/messaging/dispatcher-broadcasts.test.ts (real time, through the local stack); test/unit/messaging/broadcast-pacer.test.ts',
    },
  ];
}
