/**
 * Deterministic interleaving of store calls for the simulation: every DynamoDB call made
 * inside `run(actor, …)` waits for its turn, and `drive` grants turns one call at a time in
 * an order drawn from a seeded PRNG, once every running actor is blocked on a store call.
 * With the embedded store, the outcome then depends only on the seed.
 *
 * An actor may crash after its n-th store call: that call lands, its answer is lost, and
 * every later call of the actor fails before reaching the store, as when Lambda stops an
 * invocation half-way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/store/client.ts';

export interface Actor {
  name: string;
  /** Crash after this many store calls (1 = right after the first one landed). */
  crashAfter?: number;
  calls: number;
  crashed: boolean;
}

export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash');
    this.name = 'SimulatedCrash';
  }
}

interface Turn {
  go: () => void;
}

export interface StoreScheduler {
  client: DynamoDBDocumentClient;
  /** Runs `fn` as `actor`: its store calls are scheduled and may crash. */
  run<T>(actor: Actor, fn: () => Promise<T>): Promise<T>;
  /** Grants turns until every actor started so far has finished. */
  drive(random: () => number): Promise<void>;
  /** Store calls made by actors. */
  readonly calls: number;
}

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

export function createStoreScheduler(endpoint: string): StoreScheduler {
  const client = createDocumentClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  const storage = new AsyncLocalStorage<Actor>();
  const waiting: Turn[] = [];
  let active = 0;
  let calls = 0;
  let inCall: Promise<void> | undefined;

  client.middlewareStack.add(
    (next) => async (args) => {
      const actor = storage.getStore();
      if (!actor) return next(args);
      if (actor.crashed) throw new SimulatedCrash();
      let done: () => void = () => {};
      await new Promise<void>((resolve) => {
        waiting.push({
          go: () => {
            inCall = new Promise<void>((finished) => {
              done = finished;
            });
            resolve();
          },
        });
      });
      try {
        if (actor.crashed) throw new SimulatedCrash();
        const output = await next(args);
        calls++;
        actor.calls++;
        if (actor.crashAfter !== undefined && actor.calls >= actor.crashAfter) {
          actor.crashed = true;
          throw new SimulatedCrash();
        }
        return output;
      } finally {
        done();
      }
    },
    { step: 'initialize', name: 'simulationScheduler' },
  );

  return {
    client,
    get calls() {
      return calls;
    },
    run(actor, fn) {
      active++;
      return storage.run(actor, fn).finally(() => {
        active--;
      });
    },
    async drive(random) {
      let idle = 0;
      for (;;) {
        await ticks(4);
        if (waiting.length === 0) {
          if (active === 0) return;
          if (++idle > 10_000)
            throw new Error('simulation stalled: actors neither finish nor call');
          continue;
        }
        idle = 0;
        const [turn] = waiting.splice(Math.floor(random() * waiting.length), 1);
        turn?.go();
        await inCall;
      }
    },
  };
}
