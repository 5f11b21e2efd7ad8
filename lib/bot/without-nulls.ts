/**
 * Telegram omits absent fields, but serializers of other libraries write them as `null`
 * (`"contact": null`, `"message": null` beside the real kind). telegraf tests presence with
 * `in` (`message('contact')`, `updateType`), so it would route such an update to the wrong
 * handler and then read a field of `null`. The bot gets a copy without them.
 */

/** Deeper than any Bot API object; below it values are kept as they are. */
const MAX_DEPTH = 32;

/** A copy of `value` without the object properties that are `null`. Never throws. */
export function withoutNulls<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => withoutNulls(item, depth + 1)) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null) copy[key] = withoutNulls(field, depth + 1);
  }
  return copy as T;
}
