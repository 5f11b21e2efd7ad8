/**
 * Facts of membership updates: `chat_member` (another member's status, the authoritative
 * membership) and `my_chat_member` (the bot's own status in a chat).
 */
import type { FactsDraft, MemberStatus, MembershipEventFact } from './facts.ts';
import {
  asRecord,
  compact,
  type JsonRecord,
  memberStatus,
  pick,
  readMemberState,
  safeInt,
  str,
} from './json-fields.ts';

interface MemberState {
  status: MemberStatus;
  isMember: boolean;
}

/**
 * The membership change from `before` to `after` of member `memberId` made by `actorId`, or
 * undefined when membership did not change (the same status, or from one non-member status
 * to another, such as banning someone who had left).
 */
export function membershipEvent(
  before: MemberState,
  after: MemberState,
  memberId: number,
  actorId: number | undefined,
): MembershipEventFact | undefined {
  const base = compact({ fromStatus: before.status, toStatus: after.status, actorId });
  if (!before.isMember && after.isMember) return { kind: 'join', ...base };
  if (before.isMember && !after.isMember) {
    const byOther = after.status === 'kicked' || (actorId !== undefined && actorId !== memberId);
    return { kind: byOther ? 'remove' : 'leave', ...base };
  }
  if (before.isMember && after.isMember && before.status !== after.status) {
    return { kind: 'change', ...base };
  }
  return undefined;
}

/** The link a member joined by, as the API shows it: its name, else the (truncated) link. */
function inviteLinkOf(update: JsonRecord): string | undefined {
  const link = asRecord(update.invite_link);
  return str(link?.name) ?? str(link?.invite_link);
}

/** Another member's status changed: the authoritative membership for (user, chat). */
export function chatMemberFacts(update: JsonRecord, draft: FactsDraft): void {
  const chat = draft.chat(update.chat);
  draft.person(update.from);
  const member = asRecord(update.new_chat_member);
  const user = draft.person(member?.user);
  const state = readMemberState(member);
  const before = readMemberState(update.old_chat_member);
  if (chat && chat.type !== 'private' && user && state) {
    const actorId = safeInt(asRecord(update.from)?.id);
    const event = before ? membershipEvent(before, state, user.id, actorId) : undefined;
    const inviteLink = inviteLinkOf(update);
    draft.facts.memberships.push({
      userId: user.id,
      chatId: chat.id,
      source: 'chat_member',
      ...state,
      ...(before ? { wasMember: before.isMember } : {}),
      ...(event
        ? {
            event: compact({
              ...event,
              ...(event.kind === 'join' ? { inviteLink } : {}),
              ...(event.kind === 'join' && update.via_join_request === true
                ? { viaJoinRequest: true }
                : {}),
            }),
          }
        : {}),
    });
  }
}

/** The bot's own status changed; in a private chat `kicked` means the user blocked the bot. */
export function myChatMemberFacts(update: JsonRecord, draft: FactsDraft): void {
  const chat = draft.chat(update.chat);
  const from = draft.person(update.from);
  const status = memberStatus(pick(update, ['new_chat_member', 'status']));
  if (!chat || !status) return;
  const state = readMemberState(update.new_chat_member);
  const privateUserId = chat.type === 'private' ? (from?.id ?? chat.id) : undefined;
  const botUserId = safeInt(pick(update, ['new_chat_member', 'user', 'id']));
  const before = readMemberState(update.old_chat_member);
  const actorId = safeInt(asRecord(update.from)?.id);
  const event =
    chat.type !== 'private' && before && state && botUserId !== undefined
      ? membershipEvent(before, state, botUserId, actorId)
      : undefined;
  draft.facts.botStatus = compact({
    chatId: chat.id,
    chatType: chat.type,
    status,
    privateUserId,
    botUserId,
    ...(chat.type === 'private' && before ? { previousStatus: before.status } : {}),
    event,
  });
}
