/**
 * `npm run migrate`: upgrades a table written by an earlier release (lib/directory/erasure/reference-migration.ts)
 * in the table named by TABLE_NAME, at DYNAMODB_ENDPOINT when set; else the running `npm start`'s;
 * else in AWS with the usual credentials. Exit codes: 0 done, 1 failed, 2 usage.
 */

import {
  type MigrationProgress,
  migrateReferences,
} from '../lib/directory/erasure/reference-migration.ts';
import type { StoreContext } from '../lib/store/client.ts';
import { parseCli, usageErrorText } from './cli.ts';
import { openCliStore, storeFailure } from './cli-store.ts';

export const USAGE = `usage: npm run migrate -- [--dry-run] [--from CURSOR]

  Upgrades a table written by an earlier release: gives the items that hold or name a person
  outside that person's partition (others' events, deliveries, broadcast recipients, message
  idempotency records) the reference an erasure finds them by, and removes the user ids the
  broadcast sender's lease used to keep. Safe to run while the
  functions run, and again: what is done already is skipped.

  --dry-run      count what would change, change nothing
  --from CURSOR  resume where an interrupted run stopped (it prints the cursor after each page)
  --help         show this text

where the table is: as for npm run apikey (DYNAMODB_ENDPOINT, else the running npm start,
else TABLE_NAME in AWS with AWS_REGION, AWS_PROFILE, ...)`;

export interface MigrateIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  store?: StoreContext;
}

const encode = (key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

function decode(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && typeof key.pk === 'string') return key;
  } catch {}
  throw new Error('--from is not a cursor printed by npm run migrate');
}

export async function runMigrateCli(argv: string[], io: MigrateIo): Promise<number> {
  const parsed = parseCli(argv, { 'dry-run': { type: 'boolean' }, from: { type: 'string' } });
  if (parsed.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  let from: Record<string, unknown> | undefined;
  try {
    if (parsed.kind === 'usage-error') throw new Error(parsed.message);
    if (parsed.values.from !== undefined) from = decode(parsed.values.from);
  } catch (err: unknown) {
    io.err(usageErrorText('migrate', (err as Error).message, USAGE));
    return 2;
  }
  const dryRun = parsed.kind === 'ok' && parsed.values['dry-run'] === true;
  const opened = openCliStore('migrate', io);
  if (!opened) return 2;
  const { store } = opened;
  const verb = dryRun ? 'would add' : 'added';
  const cleared = dryRun ? 'would clear' : 'cleared';
  let last: MigrationProgress | undefined;
  try {
    io.out(`migrate: table ${store.tableName}${dryRun ? ' (dry run: nothing is written)' : ''}`);
    const done = await migrateReferences(store, {
      dryRun,
      ...(from ? { from } : {}),
      onPage: (progress) => {
        last = progress;
        const resume = progress.next ? `; resume with --from ${encode(progress.next)}` : '';
        io.out(
          `migrate: ${progress.scanned} items read, ${verb} ${progress.referenced} references, ${cleared} ${progress.cleared} old copies${resume}`,
        );
      },
    });
    io.out(
      `migrate: done: ${done.scanned} items read, ${verb} ${done.referenced} references, ${cleared} ${done.cleared} old copies`,
    );
    return 0;
  } catch (err: unknown) {
    io.err(storeFailure('migrate', 'the upgrade', opened, io.env, err));
    if (last?.next) io.err(`migrate: run again with --from ${encode(last.next)} to resume`);
    return 1;
  } finally {
    opened.close();
  }
}
