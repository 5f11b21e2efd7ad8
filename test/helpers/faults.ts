/**
 * Fault injection for DynamoDB: an AWS SDK middleware that fails chosen calls the way
 * throttling, timeouts and 500s look to our code. Most faults fail a call before it reaches
 * the store; `lost-response` lets the call land and then fails it (a timeout after the
 * store did the work), the ambiguous case an exactly-once protocol has to survive.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/store/client.ts';

export type FaultKind = 'throttle' | 'timeout' | 'server' | 'lost-response';

export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'timeout', 'server', 'lost-response'];

export function faultError(kind: FaultKind): Error {
  const names: Record<FaultKind, string> = {
    throttle: 'ProvisionedThroughputExceededException',
    timeout: 'TimeoutError',
    server: 'InternalServerError',
    'lost-response': 'TimeoutError',
  };
  const err = new Error(`injected ${kind}`);
  err.name = names[kind];
  return err;
}

export interface FaultyClient {
  client: DynamoDBDocumentClient;
  /** Calls seen, by command name (e.g. UpdateItemCommand). */
  calls: string[];
  /** Faults injected, by kind. */
  injected: Record<FaultKind, number>;
  /** Decides per call whether to fail it. */
  decide: (command: string, index: number) => FaultKind | undefined;
}

/** A client on `endpoint` whose calls pass through `decide` (retries off: faults surface). */
export function faultyClient(
  endpoint: string,
  decide: FaultyClient['decide'] = () => undefined,
): FaultyClient {
  const client = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  const injected = { throttle: 0, timeout: 0, server: 0, 'lost-response': 0 };
  const state: FaultyClient = { client, calls: [], injected, decide };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const index = state.calls.push(command) - 1;
      const fault = state.decide(command, index);
      if (fault) state.injected[fault]++;
      if (fault === 'lost-response') {
        await next(args);
        throw faultError(fault);
      }
      if (fault) throw faultError(fault);
      return next(args);
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  return state;
}

/** A `decide` that fails the first call of `command` with `kind`, and no call after it. */
export function failFirst(command: string, kind: FaultKind): FaultyClient['decide'] {
  let failed = false;
  return (called) => {
    if (failed || called !== command) return undefined;
    failed = true;
    return kind;
  };
}

/** mulberry32: a small seeded PRNG, so a faulted run can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fails `rate` of the calls (0..1), picking kinds evenly from `kinds`, from a seeded PRNG.
 * Table administration (CreateTable, DescribeTable) is never failed.
 */
export function randomFaults(options: {
  rate: number;
  seed: number;
  kinds?: readonly FaultKind[];
}): FaultyClient['decide'] {
  const random = seededRandom(options.seed);
  const kinds = options.kinds ?? FAULT_KINDS;
  return (command) => {
    if (/Table/.test(command)) return undefined;
    if (random() >= options.rate) return undefined;
    return kinds[Math.floor(random() * kinds.length)];
  };
}

/**
 * A client that awaits `before(command, input)` before each call and `after(command, input)`
 * once it landed, and fails every call from the first one after the call matched by
 * `dieAfter` on (the process died). `input` is the call's input as JSON.
 */
export function scriptedClient(
  endpoint: string,
  script: {
    before?: (command: string, input: string) => Promise<void> | void;
    after?: (command: string, input: string) => Promise<void> | void;
    dieAfter?: (command: string, input: string) => boolean;
  },
) {
  const client = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  const calls: string[] = [];
  let dead = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = JSON.stringify(args.input);
      calls.push(`${command} ${input.slice(0, 120)}`);
      if (dead) throw faultError('server');
      await script.before?.(command, input);
      const out = await next(args);
      await script.after?.(command, input);
      if (script.dieAfter?.(command, input)) dead = true;
      return out;
    },
    { step: 'initialize', name: 'script' },
  );
  return { client, calls };
}
