/** Applies one ItemUpdate, guarded when it carries counters. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '../logger.ts';
import type { StoreContext } from './client.ts';
import { isConditionalCheckFailed } from './dynamo-errors.ts';
import type { ItemUpdate } from './item-update.ts';
import { GUARD_PRUNE_AT, pruneGuard } from './update-guard.ts';

/** Writes a guarded or plain item update; a replayed guarded write is a no-op. */
export async function applyItemUpdate(
  ctx: StoreContext,
  update: ItemUpdate,
  guardId: number,
): Promise<void> {
  const guarded = update.guarded;
  try {
    const { Attributes } = await ctx.client.send(
      new UpdateCommand({
        ...update.toInput(ctx.tableName, guarded ? guardId : undefined),
        ...(guarded ? { ReturnValues: 'UPDATED_NEW' } : {}),
      }),
    );
    const guard = Attributes?.g as Set<number> | undefined;
    if (guard && guard.size > GUARD_PRUNE_AT) {
      await pruneGuard(ctx, update.key, guard, guardId).catch((err: unknown) => {
        logger.warn('guard prune failed; will retry on a later write', {
          error: err instanceof Error ? err.name : 'Error',
        });
      });
    }
  } catch (err: unknown) {
    if (guarded && isConditionalCheckFailed(err)) return;
    throw err;
  }
}
