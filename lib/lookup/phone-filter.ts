/**
 * The `phones` permission, applied in one place: the router passes every JSON answer through
 * `withoutPhones` when the caller's key lacks it, so no route (present or future) can hand a
 * phone number to such a key by forgetting a check. Exports are text, not JSON: the export
 * service refuses `includePhone=true` to such a key instead (member-export.ts).
 */
import type { ApiCaller } from '../access/api-key-auth.ts';

/** The one field name under which answers carry a phone number (contacts, shared contacts). */
export const PHONE_FIELD = 'phoneNumber';

/**
 * Whether answers to `caller` may carry phone numbers: a key with the permission, or no key
 * at all (public routes, which serve no personal data: the OpenAPI document names the field
 * `phoneNumber` in its schemas, which must stay).
 */
export function mayCarryPhones(caller: ApiCaller | undefined): boolean {
  return caller === undefined || caller.phones;
}

/** A deep copy of a JSON value without any `phoneNumber` member, at any depth. */
export function withoutPhones(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPhones);
  if (value === null || typeof value !== 'object') return value;
  const kept: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (name !== PHONE_FIELD) kept[name] = withoutPhones(member);
  }
  return kept;
}
