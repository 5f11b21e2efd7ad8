/**
 * Upgrading a table written by the release before person references (the fixture is what that
 * release's code stored for one scenario: Alicia in a group, adding Roberto; her verified phone;
 * Roberto sharing her card by number and by user; deliveries failing; a direct message and a
 * broadcast to her). After `npm run migrate`, an erasure of Alicia leaves nothing of her.
 * The fixture was written by commit 6b14da3's handlers and dispatcher (through this repository's
 * test helpers of that commit) and dumped with a Scan, as it is.
 */
import { readFileSync } from 'node:fs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import { migrateReferences } from '../../../../lib/directory/erasure/reference-migration.ts';
import { broadcastSenderLeaseKey } from '../../../../lib/store/service-keys.ts';
import { runMigrateCli } from '../../../../scripts/migrate-cli.ts';
import { scanTable, tracesOf } from '../../../helpers/erasure-scan.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';
import type { TestStore } from '../../../helpers/store.ts';

const stack = useStack();
const ALICIA = {
  id: 7001001,
  names: ['Alicia', 'Smithers'],
  usernames: ['alicia_smithers'],
  phones: ['+15557001001'],
};
const fixture = JSON.parse(
  readFileSync(new URL('../../../fixtures/tables/before-references.json', import.meta.url), 'utf8'),
) as Record<string, unknown>[];

async function oldTable(): Promise<TestStore> {
  const store = await stack.freshTable();
  for (const Item of fixture)
    await store.client.send(new PutCommand({ TableName: store.tableName, Item }));
  return store;
}

const referenced = async (store: TestStore) =>
  (await scanTable(store))
    .filter((item) => /^(REF|REFPHONE|ACTOR)#/.test(String(item.gsi2pk ?? '')))
    .map((item) => `${item.pk} ${item.sk} ${item.gsi2pk}`)
    .sort();

describe('npm run migrate', () => {
  it('without it, an erasure of the old table leaves her in others’ items (the finding)', async () => {
    const store = await oldTable();
    await eraseUser(store, ALICIA.id);
    const left = new Set((await tracesOf(store, ALICIA)).map((t) => t.pk.split('#')[0]));
    expect(left).toEqual(new Set(['USER', 'SUB', 'BROADCAST', 'IDEMPOTENCY']));
  });

  it('references every copy of a person; then an erasure leaves nothing of her', async () => {
    const store = await oldTable();
    const dry = await migrateReferences(store, { dryRun: true });
    expect(await referenced(store)).toEqual([]);
    const done = await migrateReferences(store);
    expect(done.referenced).toBe(dry.referenced);
    const refs = await referenced(store);
    expect(refs).toHaveLength(done.referenced);
    expect(refs.filter((r) => r.endsWith(`#${ALICIA.id}`)).length).toBeGreaterThanOrEqual(6);
    expect(refs.some((r) => r.endsWith('REFPHONE#+15557001001'))).toBe(true);
    expect((await migrateReferences(store)).referenced).toBe(0);

    await eraseUser(store, ALICIA.id);
    expect(await tracesOf(store, ALICIA)).toEqual([]);
  });

  it('resumes from the cursor an interrupted run printed, and says what it did', async () => {
    const store = await oldTable();
    const out: string[] = [];
    const io = { env: {}, store, out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    const pages: string[] = [];
    await migrateReferences(store, {
      dryRun: true,
      pageSize: 10,
      onPage: (p) => {
        if (p.next) pages.push(Buffer.from(JSON.stringify(p.next)).toString('base64url'));
      },
    });
    expect(await runMigrateCli(['--from', pages[1] as string], io)).toBe(0);
    const partial = (await referenced(store)).length;
    expect(await runMigrateCli([], io)).toBe(0);
    const whole = (await referenced(store)).length;
    expect(partial).toBeLessThan(whole);
    expect(out.at(-1)).toMatch(
      /^migrate: done: \d+ items read, added \d+ references, cleared \d+ old copies$/,
    );
    expect(await runMigrateCli(['--from', 'nonsense'], io)).toBe(2);
    expect(out.at(-1)).toMatch(/--from is not a cursor/);
  });
});

describe('npm run migrate on the broadcast sender lease', () => {
  it('removes the user ids an earlier release kept there, so an erasure leaves none', async () => {
    const store = await stack.freshTable();
    const t = Math.floor(Date.now() / 1000) - 600;
    // What the release before stored when a broadcast's sender released the lease: the chats
    // (user ids) it messaged in its last second, kept until the next broadcast takes it.
    await store.client.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...broadcastSenderLeaseKey(),
          owner: 'dispatcher-old',
          until: (t + 60) * 1000,
          quietUntil: (t + 60) * 1000,
          pausedUntil: 0,
          recentChats: { [String(ALICIA.id)]: (t + 60) * 1000 },
        },
      }),
    );
    expect((await migrateReferences(store, { dryRun: true })).cleared).toBe(1);
    expect(await tracesOf(store, ALICIA)).toHaveLength(1);
    expect((await migrateReferences(store)).cleared).toBe(1);
    expect((await migrateReferences(store)).cleared).toBe(0);
    await eraseUser(store, ALICIA.id);
    expect(await tracesOf(store, ALICIA)).toEqual([]);
  });
});
