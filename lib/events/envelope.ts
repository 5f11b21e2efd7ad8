/**
 * The body of a delivery (Standard Webhooks): `{"type","timestamp","data"}`, `data` in the
 * API's shapes. Phone numbers (every `phoneNumber` field) go only to subscriptions that asked
 * for them (`includePhone`).
 */
export interface EventItem {
  eventId: string;
  type: string;
  at: number;
  data?: Record<string, unknown>;
}

function withoutPhones(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPhones);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([name]) => name !== 'phoneNumber')
        .map(([name, inner]) => [name, withoutPhones(inner)]),
    );
  }
  return value;
}

export function envelope(event: EventItem, includePhone: boolean): string {
  const data = event.data ?? {};
  return JSON.stringify({
    type: event.type,
    timestamp: new Date(event.at * 1000).toISOString(),
    data: includePhone ? data : withoutPhones(data),
  });
}
