/**
 * STAND-IN until helper-dm's module of the same name is merged (same signature): who may be
 * messaged, from one consistent Query of the contact's PROFILE items. No opt-out yet.
 */
import type { StoreContext } from './client.ts';
import { toStoreError } from './dynamo-errors.ts';
import { toContact, unexpired } from './items.ts';
import { monthOfSk, PROFILE, userPk } from './keys.ts';
import { queryAll } from './query.ts';
import { FLOOR, type Register, registerAttr } from './registers.ts';

export interface Eligibility {
  known: boolean;
  erased?: boolean;
  privateChat: boolean;
  botBlocked: boolean;
  broadcastOptOut: boolean;
}

export async function readEligibility(ctx: StoreContext, userId: number): Promise<Eligibility> {
  let items: Record<string, unknown>[];
  try {
    items = unexpired(
      await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :profile)',
        ExpressionAttributeValues: { ':pk': userPk(userId), ':profile': PROFILE },
        ConsistentRead: true,
      }),
      ctx.retentionDays,
    );
  } catch (err: unknown) {
    throw toStoreError(err, 'eligibility read');
  }
  const contact = toContact(items);
  if (!contact) {
    const erased = items.some((item) => typeof item[FLOOR] === 'number');
    return {
      known: false,
      ...(erased ? { erased } : {}),
      privateChat: false,
      botBlocked: false,
      broadcastOptOut: false,
    };
  }
  const months = items.filter((item) => monthOfSk(String(item.sk)) !== undefined);
  const registers = (attr: string) =>
    months.map((m) => m[attr]).filter((r): r is Register => typeof r === 'object' && r !== null);
  return {
    known: true,
    privateChat:
      registers(registerAttr(`c${userId}`)).length > 0 ||
      registers(registerAttr(`y${userId}`)).length > 0,
    botBlocked: contact.botBlocked === true,
    broadcastOptOut: false,
  };
}
