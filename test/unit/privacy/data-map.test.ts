/**
 * The data map (lib/privacy/data-map.ts) is held to the code: a key builder, a key prefix or
 * a row of keys.ts's key table without an entry fails here, and so does a log call whose
 * message the map does not list, or a log line listing a name or a phone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceAction } from '../../../lib/directory/erasure/person-refs.ts';
import {
  ITEM_KINDS,
  itemKindOf,
  LOG_LINES,
  LOG_RETENTION_DAYS,
} from '../../../lib/privacy/data-map.ts';
import * as keys from '../../../lib/store/key-schema.ts';
import { ROOT } from '../../helpers/local-process.ts';

/** Builders of key parts and parsers: they build no item's key of their own. */
const KEY_PARTS = new Set([
  'userPk',
  'chatPk',
  'monthSk',
  'monthOf',
  'monthOfSk',
  'isNotesSk',
  'isPrefsSk',
  'isBlockedSk',
  'tagOfSk',
  'eventTime',
  'idFromKey',
  'keyId',
]);

const exported = Object.entries(keys) as [string, unknown][];
const mapped = new Set<string>(ITEM_KINDS.flatMap((kind) => kind.builders));

describe('data map: items', () => {
  it('names every key builder of keys.ts', () => {
    const builders = exported
      .filter(([name, value]) => typeof value === 'function' && !KEY_PARTS.has(name))
      .map(([name]) => name);
    expect(builders.length).toBeGreaterThan(30);
    expect(builders.filter((name) => !mapped.has(name))).toEqual([]);
  });

  it('has an entry for every key prefix and index partition of keys.ts', () => {
    const prefixes = exported.filter(
      ([name, value]) => name.endsWith('_PREFIX') && typeof value === 'string',
    );
    for (const [name, prefix] of prefixes) {
      expect(
        ITEM_KINDS.some((k) => k.pk.startsWith(String(prefix)) || k.sk.startsWith(String(prefix))),
        name,
      ).toBe(true);
    }
    const indexes = exported.filter(
      ([name, value]) => name.endsWith('_PK') && typeof value === 'string',
    );
    for (const [name, pk] of indexes) {
      expect(
        ITEM_KINDS.some((k) => (k.index ?? '').split(/[ ;(),]+/).includes(String(pk))),
        name,
      ).toBe(true);
    }
  });

  it('has an entry for every row of the key table at the top of keys.ts', () => {
    const source = readFileSync(join(ROOT, 'lib/store/keys.ts'), 'utf8');
    const rows = [...source.matchAll(/^ \* \| ([^|]+?)\s*\| [A-Z]/gm)].map((m) => m[1]);
    expect(rows.length).toBeGreaterThan(20);
    const items = new Set(ITEM_KINDS.map((kind) => kind.item));
    expect(rows.filter((row) => row !== 'item' && !items.has(row ?? ''))).toEqual([]);
  });

  it('finds the entry of every key a builder makes', () => {
    const samples: keys.Key[] = [
      keys.contactMonthKey(1234567, '2025-01'),
      keys.phoneItemKey(1234567),
      keys.notesKey(1234567),
      keys.contactLifeKey(1234567),
      keys.prefsKey(1234567),
      keys.blockedKey(1234567),
      keys.tagKey(1234567, 'vip'),
      keys.eventKey(1234567, -100, 1_700_000_000, 'join'),
      keys.membershipKey(1234567, -100),
      keys.sharedKey(1234567, { userId: 7654321 }),
      keys.sharedKey(1234567, { phoneNumber: '+15550001111' }),
      keys.chatKey(-100),
      keys.chatMonthKey(-100, '2025-01'),
      keys.apiKeyKey('abc'),
      keys.outboxKey({ userId: 1234567 }, 'evt_1'),
      keys.outboxKey({ chatId: -100 }, 'evt_1'),
      keys.outboxKey({}, 'evt_1'),
      keys.idempotencyKey('key_1', 'abc'),
      keys.subscriptionKey('sub_1'),
      keys.deliveryKey('sub_1', 'evt_1'),
      keys.attemptKey('sub_1', 1, 'evt_1', 1),
      keys.broadcastKey('bc_1'),
      keys.pendingBroadcastKey('bc_1'),
      keys.recipientKey('bc_1', 1234567),
      keys.broadcastSenderLeaseKey(),
      keys.broadcastIdempotencyKey('key_1', 'abc'),
    ];
    for (const key of samples) expect(itemKindOf(key), keys.keyId(key)).toBeDefined();
    expect(itemKindOf(keys.phoneItemKey(1))?.item).toBe('verified phone');
    expect(itemKindOf({ pk: 'NEW#1', sk: 'NEW' })).toBeUndefined();
  });

  it('says how an erasure finds every copy of a person kept outside their partition', () => {
    for (const kind of ITEM_KINDS) {
      for (const holder of kind.holders) {
        if (holder.whose === 'owner') {
          expect(kind.pk, kind.item).toMatch(/^USER#/);
          expect(['settled', 'tombstone'], kind.item).toContain(holder.erasure);
        } else if (holder.erasure !== 'kept') {
          expect(holder.by, kind.item).toMatch(/REF#|REFPHONE#|ACTOR#|SHAREDOF#/);
          expect(holder.erasure === 'actor-nulled', kind.item).toBe(/ACTOR#/.test(holder.by));
          if (/^GSI2 REF(PHONE)?#/.test(holder.by)) {
            // As the erasure ends it (person-refs.ts).
            const action = referenceAction({ pk: kind.pk, sk: kind.sk });
            expect(holder.erasure, kind.item).toBe(
              action === 'tombstone' ? 'tombstone' : 'deleted',
            );
          }
        } else {
          // Only what must outlive the erasure, holding the id alone (contact.erased).
          expect(holder.fields, kind.item).toEqual(['id']);
        }
      }
    }
  });
});

/** Every `message` a log call in `dir` passes (logger.info('…'), logger[level]('…'), log('…')). */
function logMessages(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const source = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    const calls = source.matchAll(
      /(?:\blogger\s*(?:\.\s*(?:debug|info|warn|error|critical)|\[[^\n]*?\])|(?<![.\w])log)\(\s*'([^']+)'/g,
    );
    for (const call of calls) found.push(call[1] ?? '');
  }
  return found;
}

describe('data map: log lines', () => {
  const listed = new Set(LOG_LINES.map((line) => line.message));

  it('lists every log call of the functions, lib and the local stack', () => {
    const logged = [...new Set(['functions', 'lib', 'scripts/local'].flatMap(logMessages))];
    expect(logged.length).toBeGreaterThan(15);
    expect(logged.filter((message) => !listed.has(message))).toEqual([]);
    expect([...listed].filter((message) => !logged.includes(message))).toEqual([]);
  });

  it('holds no name, username, phone, title or text', () => {
    const forbidden = /name|phone|title|text|description|first|last|contact|vcard/i;
    for (const line of LOG_LINES) {
      expect(
        line.fields.filter((field) => forbidden.test(field)),
        line.message,
      ).toEqual([]);
      for (const what of line.personal) expect(['id', 'chat']).toContain(what);
    }
  });

  it('states the retention the template sets on every log group', () => {
    const template = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
    expect(template).toMatch(new RegExp(`^ {4}logRetentionInDays: ${LOG_RETENTION_DAYS}$`, 'm'));
    expect(template).toMatch(
      /^provider:[\s\S]*^ {2}logRetentionInDays: \$\{param:logRetentionInDays\}$/m,
    );
    // No function sets its own.
    expect(template.split('\n').filter((line) => line.includes('logRetentionInDays'))).toHaveLength(
      2,
    );
  });
});
