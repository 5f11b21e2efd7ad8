/**
 * The functions' grants (lib/store/grants/) cover the table's key kinds exactly: every kind
 * keys.ts builds is granted to a function or declared reached by none, and every granted
 * kind is one keys.ts builds. serverless.yml's roles equal these grants (the template test).
 */
import { describe, expect, it } from 'vitest';
import { FUNCTION_GRANTS, UNGRANTED } from '../../../../lib/store/grants/function-grants.ts';
import type { FunctionGrants, Target } from '../../../../lib/store/grants/grants.ts';
import { keyKindsOfKeysModule } from '../../../helpers/key-kinds.ts';

const TARGETS: Target[] = ['table', 'gsi1', 'gsi2'];

/** The kinds `grants` reach on `target`, by any action. */
function kindsOn(grants: FunctionGrants, target: Target): Set<string> {
  if (target !== 'table') return new Set(grants[target]);
  return new Set(Object.values(grants.table).flatMap((kinds) => kinds ?? []));
}
const granted = (target: Target, kind: string) =>
  Object.values(FUNCTION_GRANTS).some((grants) => kindsOn(grants, target).has(kind));

describe('function grants', () => {
  const found = keyKindsOfKeysModule();

  it('finds the kinds of keys.ts by calling its builders, references to a person included', () => {
    const kinds = found.map((f) => `${f.target} ${f.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['table USER#', 'table IDEMPOTENCY#', 'gsi1 DUE', 'gsi2 REF#']),
    );
    expect(kinds).toEqual(expect.arrayContaining(['gsi2 ACTOR#', 'gsi2 REFPHONE#']));
  });

  it('grants every key kind of keys.ts to some function, or says why none reaches it', () => {
    const missing = found.filter(({ kind, target }) => {
      const targets = target === 'any' ? TARGETS : [target];
      const declared = UNGRANTED.some((u) => u.kind === kind && targets.includes(u.target));
      return !declared && !targets.some((t) => granted(t, kind));
    });
    expect(missing).toEqual([]);
  });

  it('grants only kinds keys.ts builds, on the table or index they live in', () => {
    const builds = (target: Target, kind: string) =>
      found.some((f) => f.kind === kind && (f.target === target || f.target === 'any'));
    const unknown = Object.entries(FUNCTION_GRANTS).flatMap(([name, grants]) =>
      TARGETS.flatMap((target) =>
        [...kindsOn(grants, target)]
          .filter((kind) => !builds(target, kind))
          .map((kind) => `${name} ${target} ${kind}`),
      ),
    );
    expect(unknown).toEqual([]);
  });

  it('grants no function a kind declared reached by none (API keys are listed by the CLI)', () => {
    for (const { kind, target } of UNGRANTED) expect(granted(target, kind), kind).toBe(false);
    expect(UNGRANTED.map((u) => `${u.target} ${u.kind}`)).toContain('gsi1 APIKEYS');
  });
});
