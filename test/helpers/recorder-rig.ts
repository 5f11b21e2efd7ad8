/**
 * What the recorder's tests share (test/integration/directory): Alice's and Bob's updates, recording an update at a chosen time, a client that holds one chosen store
 * call until released (to pin an interleaving), and a rig of the real handlers whose
 * deliveries can fail after a chosen store call landed, as a timeout after the store did the
 * work looks to Telegram.
 */
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { WebhookHandler } from '../../functions/webhook.ts';
import { recordUpdate } from '../../lib/directory/record/recorder.ts';
import { createDocumentClient, type StoreContext } from '../../lib/store/client.ts';
import { chatMonthKey } from '../../lib/store/keys.ts';
import { extractFacts, sentNoEarlierThan } from '../../lib/telegram/update/read-update.ts';
import { deliveryQueue } from '../../lib/telegram/update/update-queue.ts';
import { loadUpdate } from '../fixtures/updates.ts';
import { webhookEvent } from './events.ts';
import { type FaultKind, faultyClient } from './faults.ts';
import { ALICE, BOB, groupMessage, type TestLookup } from './lookup.ts';
import type { Stack } from './stack-fixture.ts';
import type { TestStore } from './store.ts';

export const OLD_GROUP = -4001002;
export const SUPERGROUP = -100200300;
export const ALICE_PROFILE = {
  id: ALICE,
  first_name: 'Alice',
  last_name: 'Smith',
  username: 'Alice_Smith',
};
export const BOB_PROFILE = { id: BOB, first_name: 'Bob', username: 'bob_jones' };

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Noon (UTC) `days` days ago: a test's days lie between it and now. */
export function noonDaysAgo(days: number) {
  const now = nowSeconds();
  return now - (now % 86_400) - days * 86_400 + 12 * 3600;
}

/**
 * The chat month's distinct senders of the UTC day of `at`: its own and those copied from a
 * migrated group.
 */
export async function activeOn(store: StoreContext, chatId: number, at: number): Promise<number> {
  const date = new Date(at * 1000).toISOString();
  const { Item } = await store.client.send(
    new GetCommand({ TableName: store.tableName, Key: chatMonthKey(chatId, date.slice(0, 7)) }),
  );
  const dd = date.slice(8, 10);
  return Number(Item?.[`a${dd}`] ?? 0) + Number(Item?.[`ga${dd}`] ?? 0);
}

/** A message in `chatId` from `profile` at `date` (a group or a supergroup by the id). */
export function message(chatId: number, date: number, profile: object = ALICE_PROFILE) {
  const update = groupMessage(profile as typeof ALICE_PROFILE, { chatId, date }) as {
    update_id: number;
    message: Record<string, unknown>;
  };
  update.message.chat = {
    id: chatId,
    type: chatId === OLD_GROUP ? 'group' : 'supergroup',
    title: 'Test Group',
  };
  return update;
}

/** Alice shares her own contact (+15551234567) at `date`. */
export function ownContact(date: number) {
  const update = loadUpdate('contact-own') as { message: { date: number } };
  update.message.date = date;
  return update;
}

/** Records `update` as the webhook does, received at `receivedAt`. */
export async function record(ctx: StoreContext, update: unknown, receivedAt: number) {
  const facts = extractFacts(update, { receivedAt });
  return recordUpdate(ctx, facts, deliveryQueue(update, facts.kind), {
    now: receivedAt,
    sentFrom: sentNoEarlierThan(update, receivedAt),
  });
}

export interface Hold {
  /** Resolves when the held call is about to be sent. */
  reached: Promise<void>;
  release(): void;
}

/**
 * A client whose calls can be held: `hold(match)` holds the next call for which `match`
 * (command name, JSON of the input) is true, before it reaches the store, until released.
 */
export function gatedClient(endpoint: string) {
  const client: DynamoDBDocumentClient = createDocumentClient({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
  });
  const holds: { match: (command: string, input: string) => boolean; hold: () => Promise<void> }[] =
    [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = JSON.stringify(args.input);
      const index = holds.findIndex((h) => h.match(command, input));
      if (index >= 0) {
        const [h] = holds.splice(index, 1);
        await h?.hold();
      }
      return next(args);
    },
    { step: 'initialize', name: 'gate' },
  );
  return {
    client,
    hold(match: (command: string, input: string) => boolean): Hold {
      let reach!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((r) => {
        reach = r;
      });
      const released = new Promise<void>((r) => {
        release = r;
      });
      holds.push({
        match,
        hold: async () => {
          reach();
          await released;
        },
      });
      return { reached, release };
    },
  };
}

/** Matches a call on the item `pk`/`sk` (by the key strings in its input). */
export const onItem =
  (pk: string, sk: string, commands: RegExp) => (command: string, input: string) =>
    commands.test(command) && input.includes(`"${pk}"`) && input.includes(`"${sk}"`);

export async function scan(store: StoreContext): Promise<Record<string, unknown>[]> {
  const { Items } = await store.client.send(new ScanCommand({ TableName: store.tableName }));
  return Items ?? [];
}

/** Items holding anything of Alice: her partition beyond tombstones, index keys naming her. */
export async function aliceLeftovers(store: StoreContext) {
  return (await scan(store)).filter((item) => {
    const tombstone = Object.keys(item).every((k) =>
      ['pk', 'sk', 'floor', 'expiresAt'].includes(k),
    );
    if (tombstone) return false;
    return (
      item.pk === `USER#${ALICE}` ||
      item.userId === ALICE ||
      item.gsi1pk === `SHAREDOF#${ALICE}` ||
      /alice|\+15551234567/i.test(String(item.gsi2pk ?? ''))
    );
  });
}

export interface Rig {
  store: TestStore;
  webhook: WebhookHandler;
  /** A second warm instance on the same table. */
  other: WebhookHandler;
  api: TestLookup;
  /** Delivers `update`; `failAt` fails that store call of this attempt (0-based) after it landed. */
  deliver(update: unknown, failAt?: number): Promise<number>;
  /** Erases `userId` through the lookup API with the admin key; the answer's status. */
  erase(userId: number): Promise<number>;
}

/** The real handlers on a fresh table of `stack`. */
export async function createRig(stack: Stack): Promise<Rig> {
  const store = await stack.freshTable();
  let start = 0;
  let failAt: number | undefined;
  const faulty = faultyClient(store.endpoint, (_command, index): FaultKind | undefined =>
    failAt !== undefined && index - start === failAt ? 'lost-response' : undefined,
  );
  const webhook = await stack.webhook({
    store: { client: faulty.client, tableName: store.tableName },
  });
  const other = await stack.webhook({ store });
  const api = await stack.lookup({ store });
  return {
    store,
    webhook,
    other,
    api,
    async deliver(update, at) {
      start = faulty.calls.length;
      failAt = at;
      const response = await webhook(webhookEvent(update)).finally(() => {
        failAt = undefined;
      });
      return response.statusCode ?? 0;
    },
    async erase(userId) {
      const path = `/v1/contacts/${userId}`;
      return (await api.call({ method: 'DELETE', path, key: api.adminKey })).status;
    },
  };
}
