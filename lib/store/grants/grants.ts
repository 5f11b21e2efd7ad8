/**
 * What each Lambda function may do to the table, declared once (one module per function
 * beside this one) and held to serverless.yml by the template test
 * (test/integration/deploy/template.test.ts): per DynamoDB action and per table or index, the
 * partition key kinds its code uses, built from lib/store/keys.ts. The deployed role grants
 * exactly that, each action under a `dynamodb:LeadingKeys` condition on those kinds, so a
 * function can reach no item its code does not name; a test store client held to the same
 * declaration (test/helpers/granted-client.ts) refuses what a deployed role would.
 *
 * Not used at run time: the functions' bundles never import it.
 */

/** The DynamoDB actions our code calls (test/helpers/bundle-operations.ts reads them). */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem';

/** The table itself, or one of its indexes (only Query reads an index). */
export type Target = 'table' | 'gsi1' | 'gsi2';

/**
 * A partition key kind: `USER#` for every key `USER#<...>`, or a constant key (`OUTBOX`, the
 * GSI1 list of events not yet fanned out). {@link kindOf} makes one from a key built by
 * keys.ts.
 */
export type KeyKind = string;

/** One function's grants: for each action, the key kinds it may touch. */
export interface FunctionGrants {
  table: Partial<Record<TableAction, readonly KeyKind[]>>;
  /** Query on GSI1, by its partition key (gsi1pk). */
  gsi1: readonly KeyKind[];
  /** Query on GSI2, by its partition key (gsi2pk). */
  gsi2: readonly KeyKind[];
}

/**
 * The kind of a partition key: up to and including its first `#` (`USER#1001` -> `USER#`,
 * `BROADCAST#IDEM#k#h` -> `BROADCAST#`), or the whole key when it has none (`APIKEYS`).
 */
export function kindOf(key: string): KeyKind {
  const hash = key.indexOf('#');
  return hash < 0 ? key : key.slice(0, hash + 1);
}

/** Whether a partition key is of `kind`. */
export const isOfKind = (key: string, kind: KeyKind) =>
  kind.endsWith('#') ? key.startsWith(kind) : key === kind;

/** The IAM `StringLike` pattern of a kind: `USER#*`, or the constant key itself. */
export const patternOf = (kind: KeyKind) => (kind.endsWith('#') ? `${kind}*` : kind);

/** The kinds `action` may touch on `target` (none: not granted). */
export function kindsFor(grants: FunctionGrants, action: TableAction, target: Target) {
  if (target !== 'table') return action === 'Query' ? grants[target] : [];
  return grants.table[action] ?? [];
}

/**
 * Whether `grants` allow `action` on `target` for a request whose partition keys are
 * `leadingKeys` (every item's, for a batch): each must be of a granted kind, and there must
 * be at least one (a Scan has none), as the deployed condition says.
 */
export function permits(
  grants: FunctionGrants,
  action: TableAction,
  target: Target,
  leadingKeys: readonly string[],
): boolean {
  const kinds = kindsFor(grants, action, target);
  return leadingKeys.length > 0 && leadingKeys.every((key) => kinds.some((k) => isOfKind(key, k)));
}

/** An IAM statement of a role, as the template test compares them (Sid and order aside). */
export interface GrantStatement {
  action: string;
  target: Target;
  patterns: string[];
}

/**
 * The IAM statements `grants` stand for: one per action and table or index, allowing it on
 * the granted kinds (serverless.yml writes them so, each with a Sid and its reason). Sorted,
 * so two declarations compare as lists.
 */
export function grantStatements(grants: FunctionGrants): GrantStatement[] {
  const statements: GrantStatement[] = [];
  const add = (action: TableAction, target: Target, kinds: readonly KeyKind[]) => {
    if (kinds.length === 0) return;
    const patterns = [...new Set(kinds.map(patternOf))].sort();
    statements.push({ action: `dynamodb:${action}`, target, patterns });
  };
  for (const [action, kinds] of Object.entries(grants.table)) {
    add(action as TableAction, 'table', kinds ?? []);
  }
  add('Query', 'gsi1', grants.gsi1);
  add('Query', 'gsi2', grants.gsi2);
  return statements.sort((a, b) =>
    `${a.target} ${a.action}`.localeCompare(`${b.target} ${b.action}`),
  );
}

/** The union of several grants (a function's own and those of a feature it runs). */
export function mergeGrants(...parts: FunctionGrants[]): FunctionGrants {
  const union = (lists: (readonly KeyKind[] | undefined)[]) =>
    [...new Set(lists.flatMap((list) => list ?? []))].sort();
  const actions = new Set(parts.flatMap((part) => Object.keys(part.table) as TableAction[]));
  return {
    table: Object.fromEntries(
      [...actions].sort().map((action) => [action, union(parts.map((p) => p.table[action]))]),
    ),
    gsi1: union(parts.map((p) => p.gsi1)),
    gsi2: union(parts.map((p) => p.gsi2)),
  };
}
