/**
 * Evaluates a Lambda event filter pattern (the `Pattern` JSON of an event source mapping's
 * FilterCriteria) against one record, so tests can ask "does the dispatcher's mapping pass
 * this stream record?" instead of comparing pattern text. It covers exactly the subset our
 * template uses, with the semantics of Lambda's event filtering ("Control which events Lambda
 * sends to your function"): an object in the pattern matches an object field by field, every
 * field named must match; an array lists the accepted values of a leaf, any one matching; a
 * value is an exact match (string, number, boolean, null) or `{"prefix": "..."}`. Anything
 * else (other operators, `$or`, a leaf pattern that is not an array) throws, so a pattern it
 * does not understand fails the test rather than passing it.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function leafMatches(accepted: unknown, value: unknown): boolean {
  if (isObject(accepted)) {
    const operators = Object.keys(accepted);
    if (operators.length !== 1 || typeof accepted.prefix !== 'string') {
      throw new Error(`unsupported filter operator ${JSON.stringify(accepted)}`);
    }
    return typeof value === 'string' && value.startsWith(accepted.prefix);
  }
  if (Array.isArray(accepted)) throw new Error('nested arrays are not a filter pattern');
  return value === accepted;
}

function objectMatches(pattern: Record<string, unknown>, record: unknown): boolean {
  if (!isObject(record)) return false;
  return Object.entries(pattern).every(([field, expected]) => {
    if (field.startsWith('$')) throw new Error(`unsupported filter key ${field}`);
    if (!(field in record)) return false;
    const value = record[field];
    if (Array.isArray(expected)) {
      if (isObject(value) || Array.isArray(value)) return false;
      return expected.some((accepted) => leafMatches(accepted, value));
    }
    if (isObject(expected)) return objectMatches(expected, value);
    throw new Error(`a filter leaf must be an array of values: ${field}`);
  });
}

/** Whether `record` passes the filter `pattern` (a Pattern string or its parsed object). */
export function filterMatches(pattern: string | Record<string, Json>, record: unknown): boolean {
  const parsed: unknown = typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
  if (!isObject(parsed)) throw new Error('a filter pattern is a JSON object');
  return objectMatches(parsed, record);
}
