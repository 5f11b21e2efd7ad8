/**
 * Which messages are service messages: Telegram's notes about the chat (joins, leaves, title
 * changes, migrations, pins, payments, topics, gifts, ...) rather than something a person wrote.
 * They are not counted as messages; joins, leaves, shared users and migrations still give facts.
 */
import { isPresent, type JsonRecord } from './json-fields.ts';

/**
 * Keys of Bot API service messages (each documented as "Service message: ..."), up to Bot API
 * 9.x. `passport_data`, `invoice`, `checklist` and `giveaway` are content, not service.
 */
export const SERVICE_MESSAGE_KEYS: readonly string[] = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'pinned_message',
  'successful_payment',
  'refunded_payment',
  'users_shared',
  'user_shared',
  'chat_shared',
  'connected_website',
  'write_access_allowed',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'checklist_tasks_done',
  'checklist_tasks_added',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_completed',
  'gift',
  'gift_upgrade_sent',
  'unique_gift',
  'paid_message_price_changed',
  'direct_message_price_changed',
  'suggested_post_approved',
  'suggested_post_approval_failed',
  'suggested_post_declined',
  'suggested_post_paid',
  'suggested_post_refunded',
  'chat_owner_left',
  'chat_owner_changed',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
  'web_app_data',
];

/**
 * Whether `message` is a service message: it holds one of SERVICE_MESSAGE_KEYS with a value
 * that is present ({@link isPresent}). `"new_chat_members": null`, `"group_chat_created": false`
 * or `"migrate_to_chat_id": 0`, as some serializers write absent fields, do not make a service
 * message.
 */
export function isServiceMessage(message: JsonRecord): boolean {
  return SERVICE_MESSAGE_KEYS.some((key) => isPresent(message[key]));
}
