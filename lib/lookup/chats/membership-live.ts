/**
 * `?live=true`: asks Telegram (getChatMember) whether a user is in a chat now and answers
 * with the recorded membership as Telegram's status makes it. Only a caller allowed to write
 * (`admin`) stores the answer, and only on a membership already recorded: a live answer
 * never creates a contact or a membership (an erased or never-seen user stays absent).
 * Telegram's failures become API answers:
 *
 * | Telegram says                                         | API answer |
 * | ----------------------------------------------------- | ---------- |
 * | 400 user not found, chat not found, PARTICIPANT_ID_INVALID | 404   |
 * | 403 (bot not in the chat, kicked), 400 member list is inaccessible, no rights | 409 |
 * | unreachable, timeout, 5xx, token rejected, other errors | 502      |
 * | flood control (429)                                   | 503 with Retry-After |
 * | no bot token configured                               | 503        |
 *
 * Details are fixed texts, never Telegram's description or anything holding the token.
 */
import type { ChatMember } from 'telegraf/types';
import { getMembership, saveMemberStatus } from '../../directory/read/memberships.ts';
import type { Membership } from '../../directory/read/shapes.ts';
import { HttpError } from '../../http/http-error.ts';
import { isBotApiError } from '../../telegram/bot-api-errors.ts';
import type { MemberStatus } from '../../telegram/update/facts.ts';
import type { LookupContext } from '../context.ts';

const NOT_FOUND =
  /user not found|chat not found|PARTICIPANT_ID_INVALID|USER_ID_INVALID|invalid user_id/i;
const NO_ACCESS =
  /member list is inaccessible|not enough rights|CHAT_ADMIN_REQUIRED|bot is not a member|bot was kicked/i;

const NO_ACCESS_DETAIL =
  'the bot cannot check members of this chat: it is not in the chat or lacks the rights';

/** Bot API rule: creator, administrator and member are members; restricted says so itself. */
export function isMemberNow(member: ChatMember): boolean {
  if (member.status === 'restricted') return member.is_member;
  return (
    member.status === 'creator' || member.status === 'administrator' || member.status === 'member'
  );
}

/** The API answer for a failed getChatMember; anything that is not a Bot API error passes. */
export function liveCheckError(err: unknown, userId: number, chatId: number): unknown {
  if (!isBotApiError(err)) return err;
  const description = err.description ?? '';
  const expose = true;
  if (err.kind === 'token_missing') {
    return new HttpError(
      503,
      'live checks need the bot token, and TELEGRAM_BOT_TOKEN is not configured',
      {
        expose,
        cause: err,
      },
    );
  }
  if (err.kind === 'bad_request' && NOT_FOUND.test(description)) {
    const what = /chat not found/i.test(description)
      ? `chat ${chatId}`
      : `user ${userId} in chat ${chatId}`;
    return new HttpError(404, `Telegram does not know ${what}`, { cause: err });
  }
  if (err.kind === 'forbidden' || (err.kind === 'bad_request' && NO_ACCESS.test(description))) {
    return new HttpError(409, NO_ACCESS_DETAIL, { cause: err });
  }
  if (isBotApiError(err, 'rate_limited')) {
    return new HttpError(503, 'Telegram asked to slow down; retry later', {
      expose,
      cause: err,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfter))) },
    });
  }
  if (err.kind === 'unauthorized') {
    return new HttpError(502, 'Telegram rejected the bot token', { expose, cause: err });
  }
  if (err.kind === 'unreachable') {
    return new HttpError(502, 'Telegram could not be reached; try again later', {
      expose,
      cause: err,
    });
  }
  return new HttpError(502, 'Telegram could not answer the membership check', {
    expose,
    cause: err,
  });
}

export async function checkMembershipLive(
  ctx: LookupContext,
  userId: number,
  chatId: number,
  options: { store: boolean },
): Promise<Membership> {
  let member: ChatMember;
  try {
    member = await ctx.botApi.getChatMember(chatId, userId);
  } catch (err: unknown) {
    throw liveCheckError(err, userId, chatId);
  }
  const live = {
    userId,
    chatId,
    status: member.status as MemberStatus,
    isMember: isMemberNow(member),
  };
  const stored = options.store ? await saveMemberStatus(ctx.store, live) : null;
  if (stored) return stored;
  const recorded = await getMembership(ctx.store, userId, chatId);
  return { ...(recorded ?? { messageCount: 0 }), ...live };
}
