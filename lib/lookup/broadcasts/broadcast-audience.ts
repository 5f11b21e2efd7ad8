/**
 * Who a new broadcast goes to: the contacts its audience names (a tag's contacts, a chat's
 * current members, or user ids), less those who cannot be messaged now (no private chat with
 * the bot, blocked it, sent /stop, unknown or erased: readEligibility). The dispatcher checks
 * each again right before sending.
 *
 * DynamoDB requests per contact named: one eligibility Query, plus 1/100 of a BatchGetItem for
 * a tag (the notes items that confirm it) or a chat (the memberships), and the index Queries.
 */

import { listChatMemberKeys, readChatMembers } from '../../directory/read/chat-roster.ts';
import { getChat } from '../../directory/read/profiles.ts';
import { taggedUserIds } from '../../directory/tags/tagged-contacts.ts';
import { HttpError } from '../../http/http-error.ts';
import type { AudienceSummary } from '../../messaging/store/broadcasts.ts';
import { type Eligibility, readEligibility } from '../../messaging/store/messaging-eligibility.ts';
import { bulkGet } from '../../store/bulk-get.ts';
import type { StoreContext } from '../../store/client.ts';
import { notesKey } from '../../store/keys.ts';
import { MAX_BROADCAST_AUDIENCE } from './broadcast-schemas.ts';

export type Audience = { tag?: string; chatId?: number; userIds?: number[] };

/** Eligibility reads in flight at once. */
const READ_CONCURRENCY = 16;

const tooLarge = () =>
  new HttpError(
    413,
    `the audience names more than ${MAX_BROADCAST_AUDIENCE} contacts: narrow it (a tag, a smaller chat, fewer userIds)`,
  );

export const canBroadcastTo = (e: Eligibility) =>
  e.known && e.privateChat && !e.botBlocked && !e.broadcastOptOut;

async function tagged(ctx: StoreContext, tag: string): Promise<number[]> {
  const ids: number[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await taggedUserIds(ctx, tag, { limit: 1000, ...(startKey ? { startKey } : {}) });
    ids.push(...page.ids);
    if (ids.length > MAX_BROADCAST_AUDIENCE) throw tooLarge();
    startKey = page.lastKey;
  } while (startKey);
  // The tag index may run ahead of the notes item (contact-notes.ts): the notes item decides.
  const notes = await bulkGet(
    ctx,
    ids.map((id) => notesKey(id)),
    { attributes: ['tags'] },
  );
  const confirmed = new Set(
    notes
      .filter((item) => Array.isArray(item.tags) && item.tags.includes(tag))
      .map((item) => Number(String(item.pk).slice('USER#'.length))),
  );
  return ids.filter((id) => confirmed.has(id));
}

async function members(ctx: StoreContext, chatId: number): Promise<number[]> {
  const keys = await listChatMemberKeys(ctx, chatId);
  if (keys.length === 0 && !(await getChat(ctx, chatId))) {
    throw new HttpError(404, `no chat with id ${chatId}`);
  }
  if (keys.length > MAX_BROADCAST_AUDIENCE) throw tooLarge();
  return (await readChatMembers(ctx, keys)).filter((m) => m.isMember).map((m) => m.userId);
}

/** The audience's contacts who may be messaged now, in the order named, each once. */
export async function resolveAudience(
  ctx: StoreContext,
  audience: Audience,
  eligibility: (ctx: StoreContext, userId: number) => Promise<Eligibility> = readEligibility,
): Promise<{ named: number; recipients: number[]; summary: AudienceSummary }> {
  let named: number[];
  let summary: AudienceSummary;
  if (audience.tag !== undefined) {
    named = await tagged(ctx, audience.tag);
    summary = { kind: 'tag', tag: audience.tag };
  } else if (audience.chatId !== undefined) {
    named = await members(ctx, audience.chatId);
    summary = { kind: 'chat', chatId: audience.chatId };
  } else {
    named = [...new Set(audience.userIds ?? [])];
    summary = { kind: 'users', count: named.length };
  }
  const allowed = new Array<boolean>(named.length).fill(false);
  let next = 0;
  const worker = async () => {
    while (next < named.length) {
      const i = next++;
      allowed[i] = canBroadcastTo(await eligibility(ctx, named[i] as number));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, named.length) }, worker));
  return { named: named.length, recipients: named.filter((_, i) => allowed[i]), summary };
}
