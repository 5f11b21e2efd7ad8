/** Alice's private chat with the bot: commands, plain messages, blocking and unblocking. */
import { loadUpdate } from '../fixtures/updates.ts';

type Message = Record<string, unknown>;

/** Alice sends `text` in her private chat at `date` (a `/command` gets its entity). */
export function privateText(text: string, date: number) {
  const update = loadUpdate('start-command') as { update_id: number; message: Message };
  update.message.text = text;
  update.message.date = date;
  const command = /^\/\S+/.exec(text)?.[0];
  if (command)
    update.message.entities = [{ offset: 0, length: command.length, type: 'bot_command' }];
  else delete update.message.entities;
  return update;
}

/** Alice blocks the bot (`kicked`) or unblocks it (`member`) at `date` (my_chat_member). */
export function privateBotStatus(status: 'kicked' | 'member', date: number) {
  const update = loadUpdate('my-chat-member-kicked-private') as {
    update_id: number;
    my_chat_member: {
      date: number;
      old_chat_member: { status: string };
      new_chat_member: { status: string };
    };
  };
  const m = update.my_chat_member;
  m.date = date;
  m.old_chat_member.status = status === 'kicked' ? 'member' : 'kicked';
  m.new_chat_member.status = status;
  return update;
}
