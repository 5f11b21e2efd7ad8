/**
 * Broadcasts through the lookup API: create (the audience resolved and its recipients written
 * now, the sending left to the dispatcher), read, list, cancel. One audit line per creation
 * and cancel (as direct messages log theirs): the caller's key id, the route, the broadcast,
 * the recipient count; never the text.
 */
import { HttpError } from '../../http/http-error.ts';
import { logger } from '../../logger.ts';
import { countsOf, recipientStates } from '../../messaging/store/broadcast-counts.ts';
import { writeRecipients } from '../../messaging/store/broadcast-recipients.ts';
import {
  type AudienceSummary,
  type Broadcast,
  type BroadcastStatus,
  cancelBroadcast,
  expiryOf,
  getBroadcast,
  listBroadcasts,
  listPending,
  newBroadcastId,
  putBroadcast,
} from '../../messaging/store/broadcasts.ts';
import {
  broadcastIdempotencyItemKey,
  type Claim,
  canonicalHash,
  claimKey,
  recordAnswer,
  release,
} from '../../messaging/store/idempotency.ts';
import type { StoreContext } from '../../store/client.ts';
import { callerOf, type RequestContext } from '../context.ts';
import { idempotencyKeyOf } from '../messages/messages-service.ts';
import { type List, type ListQuery, readList } from '../paging.ts';
import { type Audience, resolveAudience } from './broadcast-audience.ts';
import type { BroadcastCreate } from './broadcast-schemas.ts';
import { ADMIN_BROADCAST_RECIPIENTS } from './broadcast-schemas.ts';

export interface ApiBroadcast {
  id: string;
  status: BroadcastStatus;
  total: number;
  sent: number;
  failed: number;
  blocked: number;
  skipped: number;
  unknown: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface QueuedBroadcast {
  id: string;
  status: BroadcastStatus;
  total: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const ZERO = { sent: 0, failed: 0, blocked: 0, skipped: 0, unknown: 0 };

/** Counts stored once it finished; before that, read from its recipients. */
async function toApi(store: StoreContext, b: Broadcast): Promise<ApiBroadcast> {
  const counts =
    b.counts ?? countsOf(await recipientStates(store, b.id), b.status === 'cancelled', b.total);
  return {
    id: b.id,
    status: b.status,
    total: b.total,
    ...counts,
    createdAt: iso(b.createdAt),
    ...(b.startedAt !== undefined ? { startedAt: iso(b.startedAt) } : {}),
    ...(b.finishedAt !== undefined ? { finishedAt: iso(b.finishedAt) } : {}),
  };
}

function summaryOf(audience: Audience): AudienceSummary {
  if (audience.tag !== undefined) return { kind: 'tag', tag: audience.tag };
  if (audience.chatId !== undefined) return { kind: 'chat', chatId: audience.chatId };
  return { kind: 'users', count: new Set(audience.userIds).size };
}

/** Stores the broadcast (its recipients are written) and lists it for the dispatcher. */
async function publish(
  ctx: RequestContext,
  body: BroadcastCreate,
  id: string,
  total: number,
  summary: AudienceSummary,
  createdAt: number,
): Promise<QueuedBroadcast> {
  const { audience: _audience, idempotencyKey: _key, ...message } = body;
  const empty = total === 0;
  await putBroadcast(ctx.store, {
    id,
    status: empty ? 'done' : 'queued',
    total,
    message,
    audience: summary,
    keyId: callerOf(ctx).keyId,
    createdAt,
    ...(empty ? { finishedAt: createdAt, counts: ZERO } : {}),
  });
  return { id, status: empty ? 'done' : 'queued', total };
}

/** What an idempotency record of a creation keeps: the broadcast's id and size, no person. */
interface Created {
  broadcastId: string;
  total: number;
}

/** The same request again (its idempotencyKey): the broadcast it made, as it is now. */
async function replay(
  ctx: RequestContext,
  body: BroadcastCreate,
  done: Created,
): Promise<QueuedBroadcast> {
  const existing = await getBroadcast(ctx.store, done.broadcastId, true);
  if (existing) {
    // The first request may have failed between storing the broadcast and listing it.
    if (existing.status === 'queued' && !existing.counts) await listPending(ctx.store, existing);
    return { id: existing.id, status: existing.status, total: existing.total };
  }
  // The first request stopped between recording its recipients and listing the broadcast.
  return publish(ctx, body, done.broadcastId, done.total, summaryOf(body.audience), Date.now());
}

/**
 * Accepts a broadcast: 202 with its id and recipient count. 503 at once without a bot token (as
 * a direct message: a broadcast that could never be sent is not stored to wait). 403 over
 * ADMIN_BROADCAST_RECIPIENTS without an admin key; with an idempotencyKey, 409 while the first
 * request runs and 422 for another body under the same key.
 */
export async function createBroadcastFor(
  ctx: RequestContext,
  body: BroadcastCreate,
  headerKey?: string,
): Promise<QueuedBroadcast> {
  const caller = callerOf(ctx);
  if (!ctx.botApi.hasToken) {
    throw new HttpError(
      503,
      'sending needs the bot token, and TELEGRAM_BOT_TOKEN is not configured',
      { expose: true },
    );
  }
  const createdAt = Date.now();
  const { idempotencyKey: _bodyKey, ...request } = body;
  const idempotencyKey = idempotencyKeyOf(headerKey, body.idempotencyKey);
  let claim: Claim | undefined;
  if (idempotencyKey !== undefined) {
    // The record holds hashes and the broadcast's id only, never a recipient: a crashed
    // creation is redone (nothing is listed before its record is done).
    const start = await claimKey(
      ctx.store,
      broadcastIdempotencyItemKey(caller.keyId, idempotencyKey),
      canonicalHash(request),
      { now: createdAt, expired: 'take-over' },
    );
    if (start.kind === 'mismatch') {
      throw new HttpError(422, 'this idempotencyKey was used for another broadcast (another body)');
    }
    // (`erased` is a direct message's tombstone only: never a broadcast's record.)
    if (start.kind === 'in-progress' || start.kind === 'unknown' || start.kind === 'erased') {
      throw new HttpError(
        409,
        'a request with this idempotencyKey is still being processed: retry shortly',
        {
          headers: { 'retry-after': '5' },
        },
      );
    }
    if (start.kind === 'done') return replay(ctx, body, start.answer.body as Created);
    claim = start.claim;
  }
  let completed = false;
  try {
    const { recipients, summary } = await resolveAudience(ctx.store, body.audience);
    if (recipients.length > ADMIN_BROADCAST_RECIPIENTS && caller.scope !== 'admin') {
      throw new HttpError(
        403,
        `this broadcast has ${recipients.length} recipients: more than ${ADMIN_BROADCAST_RECIPIENTS} needs an admin key`,
      );
    }
    // A new id per attempt: a retry never writes over recipients a dispatcher is sending to.
    const id = newBroadcastId();
    await writeRecipients(ctx.store, id, recipients, expiryOf(createdAt), createdAt);
    if (claim) {
      const created: Created = { broadcastId: id, total: recipients.length };
      completed = await recordAnswer(ctx.store, claim, { status: 202, body: created });
      if (!completed) {
        throw new HttpError(
          409,
          'another request took over this idempotencyKey: retry to see its broadcast',
        );
      }
    }
    const queued = await publish(ctx, body, id, recipients.length, summary, createdAt);
    logger.info('audit', {
      audit: 'broadcast.create',
      keyId: caller.keyId,
      route: 'POST /v1/broadcasts',
      broadcastId: id,
      audience: summary.kind,
      recipients: recipients.length,
      status: 202,
    });
    return queued;
  } catch (err: unknown) {
    if (claim && !completed) await release(ctx.store, claim).catch(() => undefined);
    throw err;
  }
}

export async function getBroadcastById(ctx: RequestContext, id: string): Promise<ApiBroadcast> {
  const broadcast = await getBroadcast(ctx.store, id);
  if (!broadcast) throw new HttpError(404, `no broadcast with id ${id}`);
  return toApi(ctx.store, broadcast);
}

export function listBroadcastsFor(
  ctx: RequestContext,
  query: ListQuery,
): Promise<List<ApiBroadcast>> {
  return readList(ctx, 'broadcasts', query, async (page) => {
    const found = await listBroadcasts(ctx.store, page);
    return { ...found, items: await Promise.all(found.items.map((b) => toApi(ctx.store, b))) };
  });
}

/** Stops a queued or sending broadcast (a cancelled one is answered as it is); 409 once done. */
export async function cancelBroadcastById(ctx: RequestContext, id: string): Promise<ApiBroadcast> {
  const broadcast = await cancelBroadcast(ctx.store, id, Date.now());
  if (!broadcast) throw new HttpError(404, `no broadcast with id ${id}`);
  if (broadcast.status === 'done') {
    throw new HttpError(409, 'this broadcast is done: every recipient already has an outcome');
  }
  logger.info('audit', {
    audit: 'broadcast.cancel',
    keyId: callerOf(ctx).keyId,
    route: 'POST /v1/broadcasts/{broadcastId}/cancel',
    broadcastId: id,
    recipients: broadcast.total,
    status: 200,
  });
  return toApi(ctx.store, broadcast);
}
