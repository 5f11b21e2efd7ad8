/**
 * Who may be messaged through the bot: one consistent Query of a contact's PROFILE items
 * (their months, the `PROFILE#PREFS` and `PROFILE#BLOCKED` items), folded by
 * private-chat.ts. Direct sends (`POST /v1/contacts/{id}/messages`) and broadcasts read it
 * right before each send, so a `/stop` or a block that just landed is honoured.
 *
 * The same Query holds the contact's gate months, hence their erasure floor (`floor`): a
 * broadcast refuses a recipient erased after it was created even when she came back since (a
 * new `/start`), at no extra read (broadcast-delivery.ts).
 */

import { toContact } from '../../directory/read/items/contacts.ts';
import { unexpired } from '../../directory/read/items/values.ts';
import { floorOf } from '../../directory/record/owner-floor.ts';
import { FLOOR } from '../../directory/record/registers.ts';
import type { StoreContext } from '../../store/client.ts';
import { toStoreError } from '../../store/dynamo-errors.ts';
import { PROFILE, userPk } from '../../store/keys.ts';
import { queryAll } from '../../store/query.ts';
import { privateChatState } from './private-chat.ts';

export interface Eligibility {
  /** The contact exists (what `GET /v1/contacts/{id}` would show). */
  known: boolean;
  /** Not known because an erasure removed them (its tombstones last about three days). */
  erased?: boolean;
  /** They opened a private chat with the bot (a message there, or its my_chat_member). */
  privateChat: boolean;
  /** They blocked the bot (my_chat_member `kicked`, or a send refused with 403). */
  botBlocked: boolean;
  /** They sent `/stop` (and no `/start` since): no broadcasts; direct messages still go. */
  broadcastOptOut: boolean;
  /**
   * Their newest erasure floor (epoch seconds), while a month holding it is stored (the
   * tombstones live about three days; a month they wrote to since keeps it for its retention).
   */
  floor?: number;
}

/** Reads whether `userId` can be messaged now (see the module comment). */
export async function readEligibility(ctx: StoreContext, userId: number): Promise<Eligibility> {
  let all: Record<string, unknown>[];
  try {
    all = await queryAll(ctx, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :profile)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':profile': PROFILE },
      ConsistentRead: true,
    });
  } catch (err: unknown) {
    throw toStoreError(err, 'eligibility read');
  }
  // A floor counts even on a tombstone past its expiry that TTL has not removed yet.
  const floors = all.map(floorOf).filter((f): f is number => f !== undefined);
  const floor = floors.length ? { floor: Math.max(...floors) } : {};
  const items = unexpired(all, ctx.retentionDays);
  const known = toContact(items) !== null;
  if (!known) {
    const erased = items.some((item) => typeof item[FLOOR] === 'number');
    return {
      known,
      ...(erased ? { erased } : {}),
      privateChat: false,
      botBlocked: false,
      broadcastOptOut: false,
      ...floor,
    };
  }
  const state = privateChatState(items, userId);
  return {
    known,
    privateChat: state.privateChat,
    botBlocked: state.botBlocked ?? false,
    broadcastOptOut: state.broadcastOptOut,
    ...floor,
  };
}
