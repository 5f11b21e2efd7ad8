/**
 * The sendMessage options of a message the API sends (broadcasts): parse mode, silent
 * delivery, and rows of URL buttons as an inline keyboard.
 */
export interface OutgoingMessage {
  parseMode: 'HTML' | 'MarkdownV2' | null;
  disableNotification: boolean;
  buttons?: { text: string; url: string }[][];
}

export interface SendMessageOptions {
  parse_mode?: 'HTML' | 'MarkdownV2';
  disable_notification?: true;
  reply_markup?: { inline_keyboard: { text: string; url: string }[][] };
}

export function sendMessageOptions(message: OutgoingMessage): SendMessageOptions {
  return {
    ...(message.parseMode ? { parse_mode: message.parseMode } : {}),
    ...(message.disableNotification ? { disable_notification: true as const } : {}),
    ...(message.buttons && message.buttons.length > 0
      ? {
          reply_markup: {
            inline_keyboard: message.buttons.map((row) =>
              row.map((button) => ({ text: button.text, url: button.url })),
            ),
          },
        }
      : {}),
  };
}
