import { describe, expect, it } from 'vitest';
import { UPDATE_KINDS } from '../../../lib/telegram/update/kinds.ts';
import { extractFacts } from '../../../lib/telegram/update/read-update.ts';
import { loadCorpus } from '../../fixtures/corpus.ts';

const options = { receivedAt: 1_764_100_000, botId: 999 };

/** Space-separated field names. */
const words = (names: string) => names.split(' ');

/**
 * Every optional field of a Bot API Message (up to 9.x, legacy forward fields included), by
 * how a serializer that writes absent fields renders them when it does not write `null`.
 */
const OPTIONAL_MESSAGE_FIELDS = {
  object: words(
    'from sender_chat sender_business_bot forward_origin forward_from forward_from_chat ' +
      'reply_to_message external_reply quote reply_to_story via_bot link_preview_options ' +
      'suggested_post_info direct_messages_topic animation audio document paid_media sticker ' +
      'story video video_note voice checklist contact dice game poll venue location ' +
      'left_chat_member message_auto_delete_timer_changed pinned_message invoice ' +
      'successful_payment refunded_payment users_shared user_shared chat_shared gift ' +
      'gift_upgrade_sent unique_gift write_access_allowed passport_data ' +
      'proximity_alert_triggered boost_added chat_background_set checklist_tasks_done ' +
      'checklist_tasks_added direct_message_price_changed paid_message_price_changed ' +
      'forum_topic_created forum_topic_edited forum_topic_closed forum_topic_reopened ' +
      'general_forum_topic_hidden general_forum_topic_unhidden giveaway_created giveaway ' +
      'giveaway_winners giveaway_completed suggested_post_approved ' +
      'suggested_post_approval_failed suggested_post_declined suggested_post_paid ' +
      'suggested_post_refunded chat_owner_left chat_owner_changed video_chat_scheduled ' +
      'video_chat_started video_chat_ended video_chat_participants_invited web_app_data ' +
      'reply_markup',
  ),
  flag: words(
    'is_topic_message is_automatic_forward has_protected_content is_from_offline ' +
      'is_paid_post show_caption_above_media has_media_spoiler delete_chat_photo ' +
      'group_chat_created supergroup_chat_created channel_chat_created',
  ),
  integer: words(
    'message_thread_id sender_boost_count reply_to_checklist_task_id edit_date ' +
      'paid_star_count migrate_to_chat_id migrate_from_chat_id forward_from_message_id ' +
      'forward_date',
  ),
  string: words(
    'business_connection_id media_group_id author_signature text effect_id caption ' +
      'new_chat_title connected_website forward_signature forward_sender_name',
  ),
  array: words('entities photo caption_entities new_chat_members new_chat_photo'),
};

const ZERO = { object: null, flag: false, integer: 0, string: '', array: [] };

type Json = Record<string, unknown>;

/** `message` with every optional field it lacks written as `null`, or as its type's zero. */
function withAbsentFieldsWritten(message: Json, style: 'null' | 'zero'): Json {
  const out = { ...message };
  for (const [type, fields] of Object.entries(OPTIONAL_MESSAGE_FIELDS)) {
    for (const field of fields) {
      if (!(field in out)) out[field] = style === 'null' ? null : ZERO[type as keyof typeof ZERO];
    }
  }
  return out;
}

const MESSAGE_KINDS = ['message', 'edited_message', 'channel_post', 'edited_channel_post'];
const messageCases = loadCorpus().filter(
  (entry) =>
    entry.file !== 'serializer-variants' && MESSAGE_KINDS.some((kind) => kind in entry.update),
);

describe('extractFacts with absent fields written as null, false, 0, empty', () => {
  it('has real-shaped messages of every kind to check', () => {
    expect(messageCases.length).toBeGreaterThan(50);
  });

  it.each(['null', 'zero'] as const)(
    'gives the same facts for every corpus message when absent fields are written as %s',
    (style) => {
      for (const { name, update } of messageCases) {
        // Prepare
        const kind = MESSAGE_KINDS.find((key) => key in update) as string;
        const written = { ...update, [kind]: withAbsentFieldsWritten(update[kind] as Json, style) };

        // Act + Assess
        expect(extractFacts(written, options), name).toStrictEqual(extractFacts(update, options));
      }
    },
  );

  it.each([
    ['new_chat_members', null],
    ['left_chat_member', null],
    ['migrate_to_chat_id', 0],
    ['migrate_from_chat_id', 0],
    ['contact', null],
    ['users_shared', null],
    ['group_chat_created', false],
    ['new_chat_title', null],
    ['pinned_message', null],
    ['forward_from', null],
    ['sender_chat', null],
    ['reply_to_message', null],
    ['new_chat_members', []],
    ['new_chat_title', ''],
  ])('counts an ordinary group message that carries "%s": %j (regression)', (field, value) => {
    const update = loadCorpus().find((entry) => entry.name === 'text-in-supergroup')
      ?.update as Json;
    (update.message as Json)[field] = value;

    const facts = extractFacts(update, options);

    expect(facts.message).toStrictEqual({
      chatId: -100200300,
      chatType: 'supergroup',
      senderId: 1001,
    });
    expect(facts.memberships).toHaveLength(1);
    expect(facts.migration).toBeUndefined();
  });

  it('gives the same facts for every corpus update when the other kinds are written as null', () => {
    for (const { name, update } of loadCorpus()) {
      const written: Json = Object.fromEntries([...UPDATE_KINDS].map((kind) => [kind, null]));
      for (const [key, value] of Object.entries(update)) written[key] = value;

      expect(extractFacts(written, options), name).toStrictEqual(extractFacts(update, options));
    }
  });

  it('reads the kind that holds an object when another kind before it is null (regression)', () => {
    const update = loadCorpus().find((e) => e.name === 'null-kinds-around-callback-query')?.update;

    const facts = extractFacts(update, options);

    expect(facts.kind).toBe('callback_query');
    expect(facts.people.map((person) => person.id)).toStrictEqual([1002]);
    expect(facts.chats.map((chat) => chat.id)).toStrictEqual([-100200300]);
  });

  it('keeps the name of the only kind an update has when its value is not an object', () => {
    expect(extractFacts({ update_id: 1, chat_boost: null }, options).kind).toBe('chat_boost');
  });
});
