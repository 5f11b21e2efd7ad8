/** What the bot says: texts and keyboards in one place. */
import type { Contact } from '../directory/read/shapes.ts';

export const START_TEXT =
  'Hi! I keep a contact directory for this bot. Tap "Share my contact" to verify your ' +
  'phone number, or "Share someone" to add people you know. /me shows what I store about ' +
  'you, /forget erases it.';

/** Reply keyboard with the request_contact and request_users buttons. */
export const START_KEYBOARD = {
  keyboard: [
    [{ text: 'Share my contact', request_contact: true }],
    [
      {
        text: 'Share someone',
        request_users: {
          request_id: 1,
          user_is_bot: false,
          max_quantity: 10,
          request_name: true,
          request_username: true,
        },
      },
    ],
  ],
  resize_keyboard: true,
  one_time_keyboard: true,
};

/** The answer to /stop (recorded as an opt-out of broadcasts, record-plan.ts). */
export const STOP_TEXT =
  'Done: you will get no broadcasts from this bot. Send /start to receive them again.';

export const REMOVE_KEYBOARD = { remove_keyboard: true };

export const OWN_CONTACT_TEXT = 'Thanks! Your phone number is verified.';
export const INVALID_PHONE_TEXT = 'That phone number does not look valid, so I did not store it.';

export function sharedText(count: number): string {
  return count === 1 ? 'Saved 1 shared contact.' : `Saved ${count} shared contacts.`;
}

export const FORGET_PROMPT = 'Erase everything I store about you? This cannot be undone.';
export const FORGET_KEYBOARD = {
  inline_keyboard: [
    [
      { text: 'Yes, erase', callback_data: 'forget:confirm' },
      { text: 'Cancel', callback_data: 'forget:cancel' },
    ],
  ],
};
export const FORGET_DONE = 'Done: everything I stored about you is erased.';
export const FORGET_CANCELLED = 'Cancelled: nothing was erased.';

export function meText(contact: Contact | null, chats: number, shared: number): string {
  if (!contact) return 'I store nothing about you.';
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  const lines = [
    'What I store about you:',
    `Name: ${name}`,
    contact.username ? `Username: @${contact.username}` : undefined,
    contact.phoneNumber ? `Verified phone: ${contact.phoneNumber}` : 'Verified phone: none',
    contact.languageCode ? `Language: ${contact.languageCode}` : undefined,
    contact.firstSeenAt ? `First seen: ${contact.firstSeenAt}` : undefined,
    contact.lastSeenAt ? `Last seen: ${contact.lastSeenAt}` : undefined,
    `Messages counted: ${contact.messageCount}`,
    `Chats: ${chats}`,
    `Contacts you shared: ${shared}`,
    '',
    '/forget erases all of it.',
  ];
  return lines.filter((line) => line !== undefined).join('\n');
}
