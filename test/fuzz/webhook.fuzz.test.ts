/**
 * The real webhook handler against the embedded store, fed fuzzed updates and bodies.
 * Properties: never a 5xx and never a throw while the store is healthy; names and titles
 * posted through the webhook read back exactly (unicode intact).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../functions/webhook.ts';
import { findByPhone, findByUsername } from '../../lib/directory/read/contact-search.ts';
import { getChat, getContact } from '../../lib/directory/read/profiles.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { webhookEvent } from '../helpers/events.ts';
import { useStack } from '../helpers/stack-fixture.ts';
import type { TestStore } from '../helpers/store.ts';
import {
  anyUpdate,
  groupChatId,
  junk,
  languageCode,
  PLACEHOLDERS,
  phone,
  text,
  username,
} from './arbitraries.ts';
import { fuzzParams, fuzzTimeout } from './fuzz-config.ts';

const stack = useStack();

async function freshWebhook(): Promise<{ store: TestStore; webhook: WebhookHandler }> {
  const store = await stack.freshTable();
  return { store, webhook: await stack.webhook({ store }) };
}

/** Posts and checks what every answer must be: no 5xx, a well-formed body, no internals. */
async function post(webhook: WebhookHandler, body: string, base64 = false) {
  const event = webhookEvent(body);
  if (base64) {
    event.body = Buffer.from(body, 'latin1').toString('base64');
    event.isBase64Encoded = true;
  }
  const response = await webhook(event);
  const status = response.statusCode ?? 0;
  expect(status, response.body).toBeLessThan(500);
  if (response.body) {
    const parsed = JSON.parse(response.body) as Record<string, unknown>;
    if (status === 200) expect(typeof parsed.method).toBe('string');
    else expect(parsed).toMatchObject({ status, title: expect.any(String) });
  }
  expect(response.body ?? '').not.toMatch(/\bat .+:\d+:\d+|node_modules|Exception|\.ts\b/);
  return status;
}

const isUpdateId = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

describe('webhook (fuzzed, healthy store)', () => {
  it(
    'answers 200 to every update of every kind, several in flight, and again to redeliveries',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(anyUpdate, { minLength: 1, maxLength: 8 }), async (batch) => {
          const { webhook } = await freshWebhook();
          const bodies = batch.map((update) => JSON.stringify(update));
          const first = await Promise.all(bodies.map((body) => post(webhook, body)));
          expect(first).toEqual(bodies.map(() => 200));
          const again = await Promise.all(bodies.map((body) => post(webhook, body)));
          expect(again).toEqual(bodies.map(() => 200));
        }),
        fuzzParams(40, 0.25, { shrink: false }),
      );
    },
    fuzzTimeout(30_000),
  );

  it(
    'answers 400 or 200, never 5xx, to arbitrary bytes and JSON',
    async () => {
      const { webhook } = await freshWebhook();
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({
          text: Buffer.from(bytes).toString('latin1'),
          base64: true,
        })),
        fc.string({ unit: 'binary', maxLength: 512 }).map((text) => ({ text, base64: false })),
        fc.json({ maxDepth: 3 }).map((text) => ({ text, base64: false })),
        fc.tuple(anyUpdate, fc.nat(), junk).map(([update, cut, value]) => {
          const json = JSON.stringify({ ...update, update_id: value });
          return { text: cut % 2 ? json.slice(0, cut % json.length) : json, base64: false };
        }),
      );
      await fc.assert(
        fc.asyncProperty(body, async ({ text, base64 }) => {
          const status = await post(webhook, text, base64);
          let parsed: unknown;
          try {
            parsed = JSON.parse(base64 ? Buffer.from(text, 'latin1').toString('utf8') : text);
          } catch {
            parsed = undefined;
          }
          const valid =
            typeof parsed === 'object' &&
            parsed !== null &&
            !Array.isArray(parsed) &&
            isUpdateId((parsed as { update_id?: unknown }).update_id);
          expect(status).toBe(valid ? 200 : 400);
        }),
        fuzzParams(300, 2),
      );
    },
    fuzzTimeout(30_000),
  );
});

/** A real person: a valid id that is no placeholder and not the test bot (999). */
const personId = fc
  .integer({ min: 1000, max: Number.MAX_SAFE_INTEGER })
  .filter((id) => !(PLACEHOLDERS as readonly number[]).includes(id));

const profile = fc.record(
  {
    first_name: text(),
    last_name: text(),
    username,
    language_code: languageCode,
    title: text(128),
    chat_username: username,
    phone,
  },
  { requiredKeys: ['first_name', 'title'] },
);

describe('webhook limits on text (found by fuzzing)', () => {
  const groupMessage = (updateId: number, from: Record<string, unknown>) => ({
    update_id: updateId,
    message: {
      message_id: 1,
      date: 1_764_000_000,
      chat: { id: -100, type: 'supergroup', title: 'T' },
      from: { id: 5, is_bot: false, ...from },
      text: 'hi',
    },
  });

  it('answers 200 to a username too long for an index key, and keeps no such username', async () => {
    const { store, webhook } = await freshWebhook();
    const status = await post(
      webhook,
      JSON.stringify(groupMessage(1, { first_name: 'A', username: '𝕬'.repeat(1100) })),
    );
    expect(status).toBe(200);
    const contact = await getContact(store, 5);
    expect(contact).toMatchObject({ firstName: 'A', messageCount: 1 });
    expect(contact?.username).toBeUndefined();
  });

  it('answers 200 to a name larger than an item may be, keeping its first 1024 units whole', async () => {
    const { store, webhook } = await freshWebhook();
    const name = `x${'😀'.repeat(600)}${'a'.repeat(500_000)}`;
    expect(await post(webhook, JSON.stringify(groupMessage(1, { first_name: name })))).toBe(200);
    const contact = await getContact(store, 5);
    expect(contact?.firstName).toBe(name.slice(0, 1023));
    expect(contact?.messageCount).toBe(1);
  });
});

/** What the store keeps of a text field: its first 1024 UTF-16 units, whole code points only. */
function kept(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let out = '';
  for (const codePoint of value) {
    if (out.length + codePoint.length > 1024) break;
    out += codePoint;
  }
  return out;
}

/** Usernames longer than 64 units are no Telegram usernames and are not kept. */
const keptUsername = (value: string | undefined) =>
  value !== undefined && value.length <= 64 ? value : undefined;

describe('webhook round trip (fuzzed)', () => {
  it(
    'stores names, usernames, titles and verified phones exactly as sent',
    async () => {
      // One profile per person (each is checked against what it sent; a person twice would
      // check the older of their two profiles against the newer), each in a chat of its own.
      const people = fc.uniqueArray(fc.tuple(personId, groupChatId, profile), {
        minLength: 1,
        maxLength: 6,
        selector: ([id]) => id,
      });
      await fc.assert(
        fc.asyncProperty(
          people.filter((list) => new Set(list.map(([, chatId]) => chatId)).size === list.length),
          async (list) => {
            const { store, webhook } = await freshWebhook();
            let updateId = 1;
            const posts = list.flatMap(([id, chatId, p]) => {
              const from = {
                id,
                is_bot: false,
                first_name: p.first_name,
                ...(p.last_name !== undefined ? { last_name: p.last_name } : {}),
                ...(p.username !== undefined ? { username: p.username } : {}),
                ...(p.language_code !== undefined ? { language_code: p.language_code } : {}),
              };
              const chat = {
                id: chatId,
                type: 'supergroup',
                title: p.title,
                ...(p.chat_username !== undefined ? { username: p.chat_username } : {}),
              };
              const date = 1_764_000_000;
              const updates: unknown[] = [
                { update_id: updateId++, message: { message_id: 1, date, chat, from, text: 'hi' } },
              ];
              if (p.phone !== undefined) {
                const contact = { phone_number: p.phone, first_name: p.first_name, user_id: id };
                const dm = { id, type: 'private', first_name: p.first_name };
                updates.push({
                  update_id: updateId++,
                  message: { message_id: 2, date: date + 1, chat: dm, from, contact },
                });
              }
              return updates;
            });
            // Each person's updates in order (their profile fields are last-writer-wins).
            const byPerson = new Map<number, unknown[]>();
            for (const update of posts) {
              const id = (update as { message: { from: { id: number } } }).message.from.id;
              byPerson.set(id, [...(byPerson.get(id) ?? []), update]);
            }
            await Promise.all(
              [...byPerson.values()].map(async (updates) => {
                for (const update of updates) {
                  expect(await post(webhook, JSON.stringify(update))).toBe(200);
                }
              }),
            );

            for (const [id, chatId, p] of list) {
              const contact = await getContact(store, id);
              expect(contact).not.toBeNull();
              expect(contact?.firstName).toBe(kept(p.first_name));
              expect(contact?.lastName).toBe(kept(p.last_name));
              expect(contact?.username).toBe(keptUsername(p.username));
              expect(contact?.languageCode).toBe(kept(p.language_code));
              expect(contact?.messageCount).toBe(p.phone === undefined ? 1 : 2);
              const e164 = p.phone === undefined ? undefined : normalizePhone(kept(p.phone) ?? '');
              expect(contact?.phoneNumber).toBe(e164);
              const chat = await getChat(store, chatId);
              expect(chat?.title).toBe(kept(p.title));
              expect(chat?.username).toBe(keptUsername(p.chat_username));
              const username = keptUsername(p.username);
              if (username) {
                const found = await findByUsername(store, username, { limit: 100 });
                expect(found.items.map((c) => c.id)).toContain(id);
              }
              if (e164) {
                const found = await findByPhone(store, e164, { limit: 100 });
                expect(found.items.map((c) => c.id)).toContain(id);
              }
            }
          },
        ),
        fuzzParams(30, 0.25, { shrink: false }),
      );
    },
    fuzzTimeout(30_000),
  );
});
