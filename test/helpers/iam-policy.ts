/**
 * Evaluates the IAM statements of a generated template for one DynamoDB request, so tests can
 * ask "may this role Query gsi1 for SHAREDOF#1001?" instead of comparing policy text. It
 * covers exactly the subset our template uses (Allow statements, exact action names,
 * resources compared as CloudFormation values, `ForAllValues:StringLike` and `Null` on
 * `dynamodb:LeadingKeys`) and throws on anything else, so a policy it does not understand
 * fails the test rather than passing it.
 */
import { isDeepStrictEqual } from 'node:util';

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface DynamoRequest {
  /** e.g. `dynamodb:Query`. */
  action: string;
  /** The table's or an index's ARN, as the template writes it. */
  resource: unknown;
  /** The partition key values of the request (every item's, for a batch). */
  leadingKeys: readonly string[];
}

const LEADING_KEYS = 'dynamodb:LeadingKeys';

export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** IAM's StringLike: `*` any run of characters, `?` any one, everything else literal. */
function stringLike(pattern: string, value: string): boolean {
  const source = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

function conditionHolds(
  operator: string,
  entries: Record<string, unknown>,
  leadingKeys: readonly string[],
): boolean {
  for (const [key, expected] of Object.entries(entries)) {
    if (key !== LEADING_KEYS) throw new Error(`unsupported condition key ${key}`);
    if (operator === 'ForAllValues:StringLike') {
      const patterns = asList(expected as string | string[]);
      // As IAM does: true for an empty set, hence the Null condition beside it.
      if (!leadingKeys.every((value) => patterns.some((p) => stringLike(p, value)))) return false;
    } else if (operator === 'Null') {
      const absent = leadingKeys.length === 0;
      if (String(expected) !== String(absent)) return false;
    } else {
      throw new Error(`unsupported condition operator ${operator}`);
    }
  }
  return true;
}

/** Whether any statement allows the request (there are no Deny statements to weigh). */
export function allows(statements: readonly Statement[], request: DynamoRequest): boolean {
  return statements.some((statement) => {
    if (statement.Effect !== 'Allow') throw new Error(`unsupported effect ${statement.Effect}`);
    if (!asList(statement.Action).includes(request.action)) return false;
    if (!asList(statement.Resource).some((r) => isDeepStrictEqual(r, request.resource))) {
      return false;
    }
    return Object.entries(statement.Condition ?? {}).every(([operator, entries]) =>
      conditionHolds(operator, entries, request.leadingKeys),
    );
  });
}
