/**
 * Structure-aware fast-check arbitraries for Telegram updates: every update kind the facts
 * extractor knows (UPDATE_KINDS), optional fields present or absent, unicode (emoji, RTL,
 * zero-width, combining marks), ids up to 2^53-1 and negative chat ids, strings up to a few
 * KB, and now and then a field replaced by arbitrary JSON.
 */
import fc from 'fast-check';

type Json = Record<string, unknown>;

/** Names and titles people really use, and strings that break naive code. */
export const TRICKY_STRINGS: readonly string[] = [
  '',
  ' ',
  'Алиса',
  'محمد علي',
  'שלום עולם',
  '\u202Egnp.exe',
  '\u200B',
  'a\u200Db',
  '\uFEFFbom',
  'e\u0301',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '🇺🇦',
  'ﷺ',
  '𝕬𝖑𝖎𝖈𝖊',
  '１２３',
  '١٢٣',
  '\u0000nul',
  "Robert'); DROP TABLE users;--",
  '1 OR 1=1',
  '../../etc/passwd',
  '%00',
  '__proto__',
  'constructor',
  '$'.concat('{jndi:ldap://x}'),
  '<script>alert(1)</script>',
  '"\\\n\r\t',
];

/** Text of up to `maxLength` units, sometimes a few KB. Well-formed UTF-16 (no lone surrogates). */
export function text(maxLength = 64): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 2, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'binary', minLength: 512, maxLength: 3000, size: 'max' }),
    },
  );
}

/** Any JSON value, small: what a broken or hostile sender could put in a field. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 53), 1e300, '', '1', []),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Mostly `arb`, now and then junk. */
export function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 15, arbitrary: arb }, { weight: 1, arbitrary: junk });
}

export const PLACEHOLDERS = [777000, 1087968824, 136817688] as const;

export const userId: fc.Arbitrary<number> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 10_000_000_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) },
  { weight: 1, arbitrary: fc.constantFrom(...PLACEHOLDERS, 999, 1, Number.MAX_SAFE_INTEGER) },
);

export const groupChatId: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: -1 }),
  fc.integer({ min: -1_009_999_999_999, max: -1_000_000_000_000 }),
  fc.constantFrom(-100200300, -4001002, -Number.MAX_SAFE_INTEGER),
);

/** Unix seconds: mostly plausible, sometimes out of range or not a number. */
export const date: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 253_402_300_799, 253_402_300_800, 1e15, 1.5) },
  { weight: 1, arbitrary: junk },
);

export const username: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{4,31}$/) },
  { weight: 1, arbitrary: text() },
);

export const languageCode = fc.oneof(fc.constantFrom('en', 'ru', 'ar', 'he', 'pt-br'), text(8));

export const user: fc.Arbitrary<Json> = fc.record(
  {
    id: maybe(userId),
    is_bot: maybe(fc.boolean()),
    first_name: maybe(text()),
    last_name: text(),
    username: username,
    language_code: languageCode,
    is_premium: fc.constant(true),
  },
  { requiredKeys: ['id', 'is_bot', 'first_name'] },
);

export const privateChat: fc.Arbitrary<Json> = fc.record(
  { id: userId, type: fc.constant('private'), first_name: text(), username: username },
  { requiredKeys: ['id', 'type'] },
);

export const groupChat: fc.Arbitrary<Json> = fc.record(
  {
    id: maybe(groupChatId),
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('group', 'supergroup', 'channel') },
      { weight: 1, arbitrary: junk },
    ),
    title: text(128),
    username: username,
    is_forum: fc.boolean(),
  },
  { requiredKeys: ['id', 'type'] },
);

export const chat: fc.Arbitrary<Json> = fc.oneof(privateChat, groupChat);

/** Phone numbers as Telegram sends them and as people type them, and nonsense. */
export const phone: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[1-9]\d{6,14}$/),
  fc.stringMatching(/^\+[1-9]\d{0,2}[ -]?\(?\d{3}\)?[ -]?\d{3}[ -.]?\d{2,4}$/),
  fc.constantFrom('', '+', '00', '0000000', '١٢٣٤٥٦٧٨٩', '+1 555 123 4567 ext 9'),
  text(32),
);

const commandText = fc
  .tuple(
    fc.constantFrom('/start', '/me', '/forget', '/help', '/Start'),
    fc.constantFrom('', '@contacts_test_bot', '@other_bot'),
    fc.constantFrom('', ' payload', ' 🙂'),
  )
  .map(([command, mention, rest]) => ({
    text: `${command}${mention}${rest}`,
    entities: [{ type: 'bot_command', offset: 0, length: command.length + mention.length }],
  }));

const contactCard = fc.record(
  {
    phone_number: phone,
    first_name: text(),
    last_name: text(),
    user_id: maybe(userId),
    vcard: text(),
  },
  { requiredKeys: ['phone_number', 'first_name'] },
);

const sharedUser = fc.record(
  { user_id: maybe(userId), first_name: text(), last_name: text(), username: username },
  { requiredKeys: ['user_id'] },
);

const usersShared = fc.oneof(
  fc.record({ request_id: fc.nat(), users: fc.array(maybe(sharedUser), { maxLength: 5 }) }),
  fc.record({ request_id: fc.nat(), user_ids: fc.array(maybe(userId), { maxLength: 5 }) }),
);

/** A Message: content keys optional and independent, so odd combinations come up too. */
export const message: fc.Arbitrary<Json> = fc
  .tuple(
    fc.record(
      {
        message_id: maybe(fc.nat()),
        date: date,
        chat: maybe(chat),
        from: maybe(user),
        sender_chat: chat,
        text: text(),
        edit_date: date,
        new_chat_members: maybe(fc.array(maybe(user), { maxLength: 4 })),
        left_chat_member: maybe(user),
        contact: maybe(contactCard),
        users_shared: maybe(usersShared),
        user_shared: fc.record({ request_id: fc.nat(), user_id: maybe(userId) }),
        migrate_to_chat_id: maybe(groupChatId),
        migrate_from_chat_id: maybe(groupChatId),
        new_chat_title: text(128),
        pinned_message: fc.constant({ message_id: 1, date: 0, chat: { id: -1, type: 'group' } }),
        is_automatic_forward: fc.boolean(),
      },
      { requiredKeys: ['message_id', 'date', 'chat'] },
    ),
    fc.option(commandText, { freq: 4 }),
    fc.boolean(),
  )
  .map(([message, command, ownContact]) => {
    const out: Json = { ...message, ...(command ?? {}) };
    const contact = out.contact;
    const from = out.from as Json | undefined;
    if (ownContact && contact && typeof contact === 'object' && from && typeof from === 'object') {
      out.contact = { ...(contact as Json), user_id: from.id };
    }
    return out;
  });

const chatMember: fc.Arbitrary<Json> = fc.record(
  {
    status: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('creator', 'administrator', 'member') },
      { weight: 4, arbitrary: fc.constantFrom('restricted', 'left', 'kicked') },
      { weight: 1, arbitrary: junk },
    ),
    user: maybe(user),
    is_member: maybe(fc.boolean()),
    until_date: fc.nat(),
    can_be_edited: fc.boolean(),
  },
  { requiredKeys: ['status', 'user'] },
);

const chatMemberUpdated: fc.Arbitrary<Json> = fc.record(
  {
    chat: maybe(chat),
    from: maybe(user),
    date: date,
    old_chat_member: maybe(chatMember),
    new_chat_member: maybe(chatMember),
    invite_link: fc.constant({ invite_link: 'https://t.me/+x', creates_join_request: false }),
  },
  { requiredKeys: ['chat', 'from', 'date', 'old_chat_member', 'new_chat_member'] },
);

const reaction = fc.array(fc.constantFrom({ type: 'emoji', emoji: '👍' }, { type: 'paid' }), {
  maxLength: 2,
});

const boostSource = fc.record(
  { source: fc.constantFrom('premium', 'gift_code', 'giveaway'), user: maybe(user) },
  { requiredKeys: ['source'] },
);

/** The payload arbitrary of each update kind in UPDATE_KINDS. */
export const PAYLOADS: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  message,
  edited_message: message,
  channel_post: message,
  edited_channel_post: message,
  business_message: message,
  edited_business_message: message,
  business_connection: fc.record({
    id: text(),
    user: maybe(user),
    user_chat_id: userId,
    date: date,
    is_enabled: fc.boolean(),
  }),
  deleted_business_messages: fc.record({
    business_connection_id: text(),
    chat: maybe(chat),
    message_ids: fc.array(fc.nat(), { maxLength: 3 }),
  }),
  message_reaction: fc.record(
    {
      chat: maybe(chat),
      message_id: fc.nat(),
      user: maybe(user),
      actor_chat: groupChat,
      date: date,
      old_reaction: reaction,
      new_reaction: reaction,
    },
    { requiredKeys: ['chat', 'message_id', 'date', 'old_reaction', 'new_reaction'] },
  ),
  message_reaction_count: fc.record({
    chat: maybe(chat),
    message_id: fc.nat(),
    date: date,
    reactions: fc.constant([{ type: { type: 'emoji', emoji: '🔥' }, total_count: 3 }]),
  }),
  inline_query: fc.record({ id: text(), from: maybe(user), query: text(), offset: text(8) }),
  chosen_inline_result: fc.record({ result_id: text(), from: maybe(user), query: text() }),
  callback_query: fc.record(
    {
      id: text(),
      from: maybe(user),
      message: maybe(message),
      chat_instance: text(),
      data: fc.oneof(fc.constantFrom('forget:confirm', 'forget:cancel'), text()),
    },
    { requiredKeys: ['id', 'from', 'chat_instance'] },
  ),
  shipping_query: fc.record({ id: text(), from: maybe(user), invoice_payload: text() }),
  pre_checkout_query: fc.record({
    id: text(),
    from: maybe(user),
    currency: fc.constantFrom('USD', 'XTR'),
    total_amount: fc.nat(),
    invoice_payload: text(),
  }),
  purchased_paid_media: fc.record({ from: maybe(user), paid_media_payload: text() }),
  poll: fc.record({
    id: text(),
    question: text(),
    options: fc.constant([]),
    is_closed: fc.boolean(),
  }),
  poll_answer: fc.record(
    {
      poll_id: text(),
      user: maybe(user),
      voter_chat: maybe(groupChat),
      option_ids: fc.array(fc.nat(9)),
    },
    { requiredKeys: ['poll_id', 'option_ids'] },
  ),
  my_chat_member: chatMemberUpdated,
  chat_member: chatMemberUpdated,
  chat_join_request: fc.record({
    chat: maybe(chat),
    from: maybe(user),
    user_chat_id: userId,
    date: date,
    bio: text(),
  }),
  chat_boost: fc.record({
    chat: maybe(chat),
    boost: fc.record({ boost_id: text(), add_date: date, source: maybe(boostSource) }),
  }),
  removed_chat_boost: fc.record({
    chat: maybe(chat),
    boost_id: text(),
    remove_date: date,
    source: maybe(boostSource),
  }),
};

/** A valid update_id: a non-negative safe integer. */
export const updateId: fc.Arbitrary<number> = fc.oneof(
  fc.nat({ max: 2 ** 31 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

/** An update of the given kind (its payload possibly replaced by junk). */
export function updateOf(kind: string): fc.Arbitrary<Json> {
  const payload = PAYLOADS[kind];
  if (!payload) throw new Error(`no arbitrary for update kind ${kind}`);
  return fc.record({ update_id: updateId, [kind]: maybe(payload) }) as fc.Arbitrary<Json>;
}

/** An update Telegram may add one day: an unknown kind, or a known kind beside an unknown one. */
export const futureUpdate: fc.Arbitrary<Json> = fc
  .tuple(
    updateId,
    fc.stringMatching(/^[a-z][a-z_]{2,20}$/),
    fc.jsonValue({ maxDepth: 3 }),
    fc.option(fc.constantFrom(...Object.keys(PAYLOADS)), { freq: 3 }),
  )
  .chain(([id, key, value, known]) =>
    (known ? maybe(PAYLOADS[known] as fc.Arbitrary<unknown>) : fc.constant(undefined)).map(
      (payload) => ({ update_id: id, [key]: value, ...(known ? { [known]: payload } : {}) }),
    ),
  );

/** Any update: every known kind equally likely, plus unknown ones. */
export const anyUpdate: fc.Arbitrary<Json> = fc.oneof(
  ...Object.keys(PAYLOADS).map((kind) => updateOf(kind)),
  futureUpdate,
);
