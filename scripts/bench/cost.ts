/**
 * Dollars per million ordinary group messages on Lambda arm64 + DynamoDB on-demand (+ the
 * CloudWatch Logs the function writes), from the measured work per message, the measured
 * handler CPU, the memory configured in serverless.yml and the published us-east-1 prices
 * below. Telegram posts to the webhook's Lambda Function URL, which has no charge of its own
 * (the invocation is billed as a Lambda request and duration). The bare telegraf baseline is
 * what the common starters deploy: behind an API Gateway HTTP API, priced per request.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../build/bundle.ts';

interface Price {
  /** The published price, in dollars per `unit`. */
  usd: number;
  unit: string;
  /** How many of what a message uses make one `unit` (1e6 for "per million"). */
  per: number;
  sources: string[];
}

/** us-east-1 list prices (no free tier), as found on 2026-11-25; check the first source. */
export const PRICES_AS_OF = '2026-11-25';

export const PRICES: Record<
  | 'lambdaArm'
  | 'lambdaRequests'
  | 'functionUrl'
  | 'httpApi'
  | 'dynamoWrites'
  | 'dynamoReads'
  | 'logs',
  Price
> = {
  lambdaArm: {
    usd: 0.0000133334,
    unit: 'GB-second of Lambda arm64 (first 7.5 billion GB-s a month)',
    per: 1,
    sources: [
      'https://aws.amazon.com/lambda/pricing/',
      'https://cloudchipr.com/blog/aws-lambda-pricing',
    ],
  },
  lambdaRequests: {
    usd: 0.2,
    unit: 'million Lambda requests',
    per: 1e6,
    sources: ['https://aws.amazon.com/lambda/pricing/'],
  },
  functionUrl: {
    usd: 0,
    unit: 'Lambda Function URL request (no charge beyond the Lambda request and duration; an API Gateway HTTP API would add $1.00 per million)',
    per: 1,
    sources: [
      'https://aws.amazon.com/lambda/pricing/',
      'https://docs.aws.amazon.com/lambda/latest/dg/apig-http-invoke-decision.html',
      'https://aws.amazon.com/api-gateway/pricing/',
    ],
  },
  httpApi: {
    usd: 1.0,
    unit: 'million API Gateway HTTP API requests (first 300 million a month)',
    per: 1e6,
    sources: ['https://aws.amazon.com/api-gateway/pricing/'],
  },
  dynamoWrites: {
    usd: 0.625,
    unit: 'million DynamoDB on-demand write request units (since 2024-11-01)',
    per: 1e6,
    sources: [
      'https://aws.amazon.com/dynamodb/pricing/on-demand/',
      'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
    ],
  },
  dynamoReads: {
    usd: 0.125,
    unit: 'million DynamoDB on-demand read request units',
    per: 1e6,
    sources: [
      'https://aws.amazon.com/dynamodb/pricing/on-demand/',
      'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
    ],
  },
  logs: {
    usd: 0.5,
    unit: 'GB of CloudWatch Logs ingested (standard)',
    per: 1,
    sources: [
      'https://aws.amazon.com/cloudwatch/pricing/',
      'https://coralogix.com/blog/is-cloudwatch-really-cost-efficient',
    ],
  },
};

/** Dollars for `amount` of what `price` is quoted in (`per` of them make one unit). */
const charge = (price: Price, amount: number) => (amount / price.per) * price.usd;

export const ASSUMPTIONS = {
  /** One DynamoDB round trip from Lambda in the same region ("single-digit millisecond"). */
  dynamoRoundTripMs: 5,
  /** Memory at which a function gets one vCPU (docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). */
  fullVcpuMb: 1769,
  /** Lambda's START / END / REPORT lines per invocation. */
  platformLogBytes: 260,
};

/** The webhook's memory from serverless.yml (its own `memorySize`, else the provider's). */
export function configuredMemoryMb(name = 'webhook'): number {
  const yml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
  const block = new RegExp(`\\n  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`).exec(yml)?.[1] ?? '';
  const own = /\n\s{4}memorySize:\s*(\d+)/.exec(`\n${block}`)?.[1];
  const provider = /\n {2}memorySize:\s*(\d+)/.exec(yml)?.[1];
  const mb = Number(own ?? provider);
  if (!Number.isFinite(mb) || mb <= 0) throw new Error('no memorySize in serverless.yml');
  return mb;
}

export interface CostInput {
  /** DynamoDB work per message (means). */
  roundTrips: number;
  wcu: number;
  indexWcu: number;
  rcu: number;
  /** Handler CPU per message on a full core, ms. */
  cpuMs: number;
  /** Log bytes the function writes per message. */
  logBytes: number;
}

export interface CostLine {
  item: string;
  perMessage: string;
  usdPerMillion: number;
}

export interface CostReport {
  memoryMb: number;
  /** Estimated duration per message: CPU slowed to the memory's vCPU share, plus DynamoDB waits. */
  durationMs: number;
  /** The same with the CPU at full speed (short bursts can run unthrottled). */
  durationMsLow: number;
  lines: CostLine[];
  usdPerMillion: number;
}

/** How updates reach the function: a Function URL (ours) or an API Gateway HTTP API. */
export type FrontDoor = 'functionUrl' | 'httpApi';

export function costPerMillion(
  input: CostInput,
  memoryMb: number,
  frontDoor: FrontDoor = 'functionUrl',
): CostReport {
  const waitMs = input.roundTrips * ASSUMPTIONS.dynamoRoundTripMs;
  const slowdown = Math.max(1, ASSUMPTIONS.fullVcpuMb / memoryMb);
  const durationMs = input.cpuMs * slowdown + waitMs;
  const billedMs = Math.ceil(durationMs);
  const gbSeconds = (billedMs / 1000) * (memoryMb / 1024);
  const logGb = (input.logBytes + ASSUMPTIONS.platformLogBytes) / 1e9;
  const writeUnits = input.wcu + input.indexWcu;
  const lines: CostLine[] = [
    frontDoor === 'functionUrl'
      ? {
          item: 'Lambda Function URL (no API Gateway)',
          perMessage: '1 request, free beyond Lambda',
          usdPerMillion: charge(PRICES.functionUrl, 1e6),
        }
      : {
          item: 'API Gateway HTTP API',
          perMessage: '1 request',
          usdPerMillion: charge(PRICES.httpApi, 1e6),
        },
    {
      item: 'Lambda requests',
      perMessage: '1 invocation',
      usdPerMillion: charge(PRICES.lambdaRequests, 1e6),
    },
    {
      item: 'Lambda duration (arm64)',
      perMessage: `${billedMs} ms billed at ${memoryMb} MB`,
      usdPerMillion: charge(PRICES.lambdaArm, 1e6 * gbSeconds),
    },
    {
      item: 'DynamoDB writes (on-demand)',
      perMessage: `${writeUnits.toFixed(2)} WRU (table ${input.wcu.toFixed(2)} + index ${input.indexWcu.toFixed(2)})`,
      usdPerMillion: charge(PRICES.dynamoWrites, 1e6 * writeUnits),
    },
    {
      item: 'DynamoDB reads (on-demand)',
      perMessage: `${input.rcu.toFixed(2)} RRU`,
      usdPerMillion: charge(PRICES.dynamoReads, 1e6 * input.rcu),
    },
    {
      item: 'CloudWatch Logs ingestion',
      perMessage: `${Math.round(input.logBytes + ASSUMPTIONS.platformLogBytes)} bytes`,
      usdPerMillion: charge(PRICES.logs, 1e6 * logGb),
    },
  ];
  return {
    memoryMb,
    durationMs,
    durationMsLow: input.cpuMs + waitMs,
    lines,
    usdPerMillion: lines.reduce((sum, line) => sum + line.usdPerMillion, 0),
  };
}
