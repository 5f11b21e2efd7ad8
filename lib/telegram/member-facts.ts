/**
 * Facts of membership updates: `chat_member` (another member's status, the authoritative
 * membership) and `my_chat_member` (the bot's own status in a chat).
 */
import type { FactsDraft } from './message-facts.ts';
import {
  asRecord,
  compact,
  type JsonRecord,
  memberStatus,
  pick,
  readMemberState,
} from './update-fields.ts';

/** Another member's status changed: the authoritative membership for (user, chat). */
export function chatMemberFacts(update: JsonRecord, draft: FactsDraft): void {
  const chat = draft.chat(update.chat);
  draft.person(update.from);
  const member = asRecord(update.new_chat_member);
  const user = draft.person(member?.user);
  const state = readMemberState(member);
  const before = readMemberState(update.old_chat_member);
  if (chat && chat.type !== 'private' && user && state) {
    draft.facts.memberships.push({
      userId: user.id,
      chatId: chat.id,
      source: 'chat_member',
      ...state,
      ...(before ? { wasMember: before.isMember } : {}),
    });
  }
}

/** The bot's own status changed; in a private chat `kicked` means the user blocked the bot. */
export function myChatMemberFacts(update: JsonRecord, draft: FactsDraft): void {
  const chat = draft.chat(update.chat);
  const from = draft.person(update.from);
  const status = memberStatus(pick(update, ['new_chat_member', 'status']));
  if (!chat || !status) return;
  const privateUserId = chat.type === 'private' ? (from?.id ?? chat.id) : undefined;
  draft.facts.botStatus = compact({ chatId: chat.id, chatType: chat.type, status, privateUserId });
}
