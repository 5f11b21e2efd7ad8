/**
 * Every partition key kind lib/store/keys.ts can build, found by calling its builders rather
 * than by anyone listing them: each exported function is called with placeholder arguments,
 * and the `pk`, `gsi1pk` and `gsi2pk` of what it returns (or the string a `...Pk` builder
 * returns) give a kind and where it lives. A key kind added to keys.ts is thus seen by the
 * grants tests without being added anywhere else.
 */

import { type KeyKind, kindOf, type Target } from '../../lib/store/grants/grants.ts';
import * as keys from '../../lib/store/key-schema.ts';

export interface FoundKind {
  kind: KeyKind;
  /** Where keys of this kind are partition keys; `any` for a `...Pk` builder's string. */
  target: Target | 'any';
}

const FIELDS: Record<string, Target> = { pk: 'table', gsi1pk: 'gsi1', gsi2pk: 'gsi2' };

/** Placeholder argument lists: ids as strings, and the owners outboxKey takes. */
const argumentSets = (arity: number): unknown[][] => {
  const ids = Array.from({ length: arity }, () => '42');
  return [ids, [{ userId: 42 }, ...ids.slice(1)], [{ chatId: 42 }, ...ids.slice(1)]];
};

export function keyKindsOfKeysModule(): FoundKind[] {
  const found = new Map<string, FoundKind>();
  const add = (kind: KeyKind, target: FoundKind['target']) =>
    found.set(`${target} ${kind}`, { kind, target });
  for (const [name, value] of Object.entries(keys)) {
    if (typeof value !== 'function') continue;
    for (const args of argumentSets(value.length)) {
      let result: unknown;
      try {
        result = (value as (...a: unknown[]) => unknown)(...args);
      } catch {
        continue; // a parser given a placeholder: not a builder
      }
      if (typeof result === 'string' && name.endsWith('Pk')) add(kindOf(result), 'any');
      if (result && typeof result === 'object') {
        for (const [field, target] of Object.entries(FIELDS)) {
          const key = (result as Record<string, unknown>)[field];
          if (typeof key === 'string') add(kindOf(key), target);
        }
      }
    }
  }
  return [...found.values()].sort((a, b) =>
    `${a.target} ${a.kind}`.localeCompare(`${b.target} ${b.kind}`),
  );
}
