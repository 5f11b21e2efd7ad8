/**
 * Red team 14: FAILING attacks (real bugs, see the report). The contact's LIFE item and contact.created
 * outbox item written by an attempt that raced an erasure and crashed survive the redelivery
 * (its gate is refused, so it neither rewrites nor settles them); the next life, outside the
 * erasure's tombstone months, finds a LIFE that is not stale and sends no contact.created.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient, type StoreContext } from '../../lib/store/client.ts';
import { eraseUser } from '../../lib/store/erasure.ts';
import { contactLifeKey } from '../../lib/store/keys.ts';
import { faultError } from '../helpers/faults.ts';
import { ALICE } from '../helpers/lookup.ts';
import { aliceLeftovers, message, record, scan } from '../helpers/recorder-rig.ts';
import { useStack } from '../helpers/stack-fixture.ts';

const stack = useStack();

const CHAT_A = -100200300;
const CHAT_B = -100200301;

/**
 * A client that, before each call, awaits `before(command, input, index)`, and fails every
 * call from the first one after the call matched by `dieAfter` on (the process died).
 */
function scriptedClient(
  endpoint: string,
  script: {
    before?: (command: string, input: string) => Promise<void> | void;
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
      if (script.dieAfter?.(command, input)) dead = true;
      return out;
    },
    { step: 'initialize', name: 'script' },
  );
  return { client, calls };
}

const isLifeWrite = (command: string, input: string) =>
  command === 'UpdateItemCommand' && input.includes(`"USER#${ALICE}"`) && input.includes('"LIFE"');
const isCreatedWrite = (command: string, input: string) =>
  command === 'UpdateItemCommand' && input.includes('contact.created');

const createdEvents = async (store: StoreContext) =>
  (await scan(store)).filter(
    (i) => String(i.sk).startsWith('OUTBOX#') && i.type === 'contact.created',
  );

const life = async (store: StoreContext) =>
  (
    await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: contactLifeKey(ALICE) }),
    )
  ).Item;

describe('LIFE: an erasure racing the first update, which crashes and is redelivered', () => {
  const T0 = Date.UTC(2025, 11, 10, 12, 0) / 1000;
  const ERASED_AT = T0 + 6;
  const FEB = Date.UTC(2026, 1, 10, 12, 0) / 1000;

  for (const [name, dieAfter] of [
    ['after its LIFE write', isLifeWrite],
    ['after its contact.created write', isCreatedWrite],
  ] as const) {
    it(`crash ${name}: the redelivery leaves nothing of Alice, and her next life gets one contact.created`, async () => {
      const store = await stack.freshTable();
      const first = message(CHAT_A, T0);
      first.update_id = 900;
      // The erasure runs whole between the update's round (its gate write created December)
      // and its LIFE write; then the attempt dies after `dieAfter`'s call.
      let erased = false;
      const dying = scriptedClient(store.endpoint, {
        before: async (command, input) => {
          if (!erased && isLifeWrite(command, input)) {
            erased = true;
            await eraseUser(store, ALICE, ERASED_AT);
          }
        },
        dieAfter,
      });
      await expect(record({ ...store, client: dying.client }, first, T0 + 5)).rejects.toThrow();
      expect(erased).toBe(true);
      // Telegram redelivers it (it is older than the erasure: nothing of it may stay).
      const again = await record(store, first, T0 + 30);
      expect(again.stale).toBe(true);
      const leftovers = await aliceLeftovers(store);
      // Alice comes back two months later: a new life, one contact.created.
      const back = message(CHAT_B, FEB);
      back.update_id = 901;
      await record(store, back, FEB + 2);
      const events = (await createdEvents(store)).filter((e) => Number(e.at) >= ERASED_AT);
      expect(events).toHaveLength(1);
      expect((await life(store))?.w).toBe(901);
      expect(leftovers).toEqual([]);
    });
  }
});
