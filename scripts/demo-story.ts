/**
 * The short story `npm run demo` tells the local webhook, shaped like Telegram's updates:
 * Dana starts the bot in private and shares her own contact (a verified phone), Eli joins the
 * demo group, both write there, Eli leaves.
 *
 * Every run is new: update ids grow with the clock (strictly increasing within a run and
 * larger than any earlier run's), and messages are dated now, so the activity shows today.
 * The people, the group and the phone number are made up (555-01xx is reserved for fiction).
 */

export const DANA = {
  id: 7_700_100_201,
  is_bot: false,
  first_name: 'Dana',
  last_name: 'Demo',
  username: 'demo_dana',
  language_code: 'en',
};
export const ELI = { id: 7_700_100_202, is_bot: false, first_name: 'Eli', username: 'demo_eli' };
export const DEMO_GROUP = { id: -1_007_700_100_300, type: 'supergroup', title: 'Demo Group' };
/** Dana's phone as she shares it; stored as +12025550143. */
export const DANA_PHONE = '+1 202 555 0143';
export const DANA_PHONE_E164 = '+12025550143';

export type DemoUpdate = { update_id: number } & Record<string, unknown>;

/** Update ids per millisecond of the clock: room for a story of up to this many updates. */
const IDS_PER_MS = 100;

/** The story, dated `nowMs`: ids from `nowMs * 100 + 1` up, dates `nowMs` in seconds. */
export function demoStory(nowMs: number = Date.now()): DemoUpdate[] {
  const date = Math.floor(nowMs / 1000);
  const danaChat = { id: DANA.id, type: 'private', first_name: DANA.first_name };
  const steps: Record<string, unknown>[] = [
    {
      message: {
        chat: danaChat,
        from: DANA,
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    },
    {
      message: {
        chat: danaChat,
        from: DANA,
        contact: {
          phone_number: DANA_PHONE,
          first_name: DANA.first_name,
          last_name: DANA.last_name,
          user_id: DANA.id,
        },
      },
    },
    { message: { chat: DEMO_GROUP, from: ELI, new_chat_members: [ELI] } },
    { message: { chat: DEMO_GROUP, from: DANA, text: 'Welcome, Eli!' } },
    { message: { chat: DEMO_GROUP, from: ELI, text: 'Thanks! Just passing through.' } },
    { message: { chat: DEMO_GROUP, from: DANA, text: 'The lookup API has us both now.' } },
    { message: { chat: DEMO_GROUP, from: ELI, left_chat_member: ELI } },
  ];
  const firstId = nowMs * IDS_PER_MS + 1;
  return steps.map((step, i) => {
    const { message } = step as { message: Record<string, unknown> };
    return {
      update_id: firstId + i,
      message: { message_id: (nowMs % 1_000_000) * 10 + i + 1, date, ...message },
    };
  });
}

/** The curl lines to try next against `url` with `apiKey`, for the story told at `nowMs`. */
export function nextSteps(url: string, apiKey: string, nowMs: number = Date.now()): string[] {
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const group = DEMO_GROUP.id;
  const lines: [string, string][] = [
    [`/contacts/${DANA.id}`, 'Dana, with her verified phone'],
    [`/contacts?username=@${DANA.username}`, 'by username: exact, any case, @ optional'],
    [`/contacts?phone=${encodeURIComponent(DANA_PHONE)}`, 'by verified phone, any formatting'],
    [`/contacts/${DANA.id}/chats`, 'her memberships, each with its chat'],
    [`/chats/${group}/members`, 'Dana a member, Eli left'],
    [`/chats/${group}/activity?from=${today}&to=${today}`, 'messages per day'],
  ];
  const commands = lines.map(([path]) => `curl -s -H "$H" "$API${path}"`);
  const width = Math.max(...commands.map((c) => c.length));
  return [
    `API=${url}/v1`,
    `H="Authorization: Bearer ${apiKey}"`,
    ...commands.map((command, i) => `${command.padEnd(width)}  # ${lines[i]?.[1]}`),
  ];
}
