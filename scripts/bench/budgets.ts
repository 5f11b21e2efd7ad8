/**
 * Issue 5's budgets, checked against one bench run. The deterministic ones are also asserted
 * in `npm test` (the `test` column names where).
 */
import type { ColdStartReport } from './cold-start.ts';
import type { LookupReport } from './lookup-routes.ts';
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
}): BudgetRow[] {
  const work = (name: string): UpdateWork => {
    const found = results.work.updates.find((u) => u.name === name);
    if (!found) throw new Error(`no work figures for ${name}`);
    return found;
  };
  const ordinary = work(SCENARIOS.ordinary);
  const duplicate = work(SCENARIOS.duplicate);
  const start = work(SCENARIOS.start);
  const contactRoute = results.lookup.routes.find((r) => r.route === 'GET /v1/contacts/{userId}');
  const webhook = results.coldStart.bundles.find((b) => b.name === 'webhook');
  const ratio = webhook ? webhook.bytes / results.coldStart.baseline.bytes : Number.NaN;
  return [
    {
      budget: 'ordinary group message, known user: DynamoDB write requests',
      limit: '≤ 4',
      measured: String(ordinary.writes),
      met: ordinary.writes <= 4,
      test: BUDGET_TEST,
    },
    {
      budget: 'ordinary group message: sequential DynamoDB round trips',
      limit: '≤ 2',
      measured: `${ordinary.roundTrips} (this protocol's floor: see Work per update)`,
      met: ordinary.roundTrips <= 2,
      test: `${BUDGET_TEST} (asserts == 3)`,
    },
    {
      budget: 'ordinary group message: Bot API calls',
      limit: '0',
      measured: String(ordinary.botApiCalls),
      met: ordinary.botApiCalls === 0,
      test: BUDGET_TEST,
    },
    {
      budget: 'duplicate delivery: DynamoDB requests',
      limit: '≤ 1',
      measured: String(duplicate.requests),
      met: duplicate.requests <= 1,
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
      budget: 'single-contact lookup: DynamoDB reads once the key is cached',
      limit: '1',
      measured: contactRoute ? contactRoute.dynamoRequests.toFixed(2) : 'n/a',
      met: contactRoute !== undefined && Math.round(contactRoute.dynamoRequests) === 1,
      test: 'test/integration/lookup/auth.test.ts › lookup API request budget',
    },
    {
      budget: 'webhook bundle bytes at import vs the baseline',
      limit: '≤ 1.05x',
      measured: `${ratio.toFixed(3)}x`,
      met: ratio <= 1.05,
      test: 'test/integration/deploy/bundle.test.ts (asserts the measured bound, ≤ 1.27x)',
    },
  ];
}
