/**
 * The tombstone of a direct message's Idempotency-Key whose recipient was erased: the record
 * (`IDEMPOTENCY#<keyId>#<sha256(key)>`) stays until its TTL, in state `erased`, with its keys
 * (hashes only), `createdAt` and `expiresAt` and nothing else: no answer (the chat id), no
 * request hash, no token, no reference to the person. Every repeat of the key within its TTL
 * then answers "erased" and never sends (idempotency.ts), so a client retrying after the
 * person came back cannot make the message go out twice; deleting the record instead would
 * free the key for exactly that second send.
 *
 * Kept apart from idempotency.ts so that the erasure (person-refs.ts, in the webhook too)
 * imports only this.
 */

/** The state of a key whose recipient was erased. */
export const ERASED_STATE = 'erased';

/** Every attribute a record may hold that a tombstone drops (today's and earlier layouts). */
const DROPPED = ['answer', 'requestHash', 'token', 'leaseUntil', 'gsi2pk', 'refAt'] as const;

/**
 * The update that turns a record into its tombstone, with its attribute names and values (to
 * merge with the caller's condition's; placeholders start with `#t`/`:t`).
 */
export function tombstoneUpdate() {
  const names: Record<string, string> = { '#tstate': 'state' };
  DROPPED.forEach((name, i) => {
    names[`#t${i}`] = name;
  });
  return {
    UpdateExpression: `SET #tstate = :terased REMOVE ${DROPPED.map((_, i) => `#t${i}`).join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':terased': ERASED_STATE } as Record<string, unknown>,
  };
}
