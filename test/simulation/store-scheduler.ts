/**
 * Deterministic interleaving of store calls for the simulation: every DynamoDB call made
 * inside `run(actor, …)` waits for its turn, and `drive` grants turns one call at a time in
 * an order drawn from a seeded PRNG, once every running actor is blocked on a store call.
 * With the embedded store, the outcome then depends only on the seed.
 *
 * An actor may crash after its n-th store call: that call lands, its answer is lost, and
 * every later call of the actor fails before reaching the store, as when Lambda stops an
 * invocation half-way.
 *
 * Other side effects (a webhook POST) may be scheduled the same way with `step`: one at a time,
 * each counted as a call, so an actor may crash right after one (it happened; its answer is lost).
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
  /** Runs after each of its calls, outside the turn (it may `pause` the actor: a stall). */
  afterCall?: (call: ScheduledCall) => Promise<void>;
}

/** A call as `afterCall` sees it: a store command and its input, or a `step`'s label. */
export interface ScheduledCall {
  command: string;
  input?: Record<string, unknown>;
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
  /**
   * Runs `fn` as one scheduled call of the current actor (a call like a store call: it waits
   * for its turn, counts, and the actor may crash right after it). Outside an actor: at once.
   */
  step<T>(fn: () => Promise<T>, label?: string): Promise<T>;
  /**
   * Takes the current actor out of the schedule until `until` settles (an invocation that
   * stalls): `drive` does not wait for it, and its next call waits for a later `drive`.
   */
  pause<T>(until: Promise<T>): Promise<T>;
  /** The actor whose code is running (undefined outside `run`). */
  current(): Actor | undefined;
  /** Grants turns until every actor started so far has finished. */
  drive(random: () => number): Promise<void>;
  /**
   * Grants turns until no call has waited for `idleRounds` looks in a row: every actor is
   * done or waits on something else (a simulated clock's timer). For actors that sleep on a
   * simulated clock, whose sleeps `pause` cannot count (several workers of one actor sleep at
   * once): the caller moves the clock on, then drives again.
   */
  driveUntilIdle(random: () => number, idleRounds?: number): Promise<void>;
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

  async function scheduled<T>(
    actor: Actor,
    fn: () => Promise<T>,
    store: boolean,
    call: ScheduledCall,
  ): Promise<T> {
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
    let output: T;
    try {
      if (actor.crashed) throw new SimulatedCrash();
      output = await fn();
      if (store) calls++;
      actor.calls++;
      if (actor.crashAfter !== undefined && actor.calls >= actor.crashAfter) {
        actor.crashed = true;
        throw new SimulatedCrash();
      }
    } finally {
      done();
    }
    await actor.afterCall?.(call);
    return output;
  }

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const actor = storage.getStore();
      if (!actor) return next(args);
      const call = {
        command: String(context.commandName),
        input: args.input as Record<string, unknown>,
      };
      return scheduled(actor, () => next(args), true, call);
    },
    { step: 'initialize', name: 'simulationScheduler' },
  );

  return {
    client,
    get calls() {
      return calls;
    },
    current: () => storage.getStore(),
    async pause(until) {
      if (!storage.getStore()) return until;
      active--;
      try {
        return await until;
      } finally {
        active++;
      }
    },
    step(fn, label = 'step') {
      const actor = storage.getStore();
      return actor ? scheduled(actor, fn, false, { command: label }) : fn();
    },
    run(actor, fn) {
      active++;
      return storage.run(actor, fn).finally(() => {
        active--;
      });
    },
    async driveUntilIdle(random, idleRounds = 3) {
      let idle = 0;
      for (;;) {
        await ticks(4);
        if (waiting.length === 0) {
          if (++idle >= idleRounds) return;
          continue;
        }
        idle = 0;
        const [turn] = waiting.splice(Math.floor(random() * waiting.length), 1);
        turn?.go();
        await inCall;
      }
    },
    async drive(random) {
      let idle = 0;
      for (;;) {
        await ticks(4);
        if (waiting.length === 0) {
          if (active === 0) return;
          if (++idle > 10_000)
            throw new Error(`simulation stalled: ${active} actors neither finish nor call`);
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
