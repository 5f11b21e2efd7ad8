/**
 * The typed example client (examples/typed-client) against the contract: its generated types
 * are those of the document the code builds today (tsc in npm test then checks the client
 * against them), and it works against the local stack (npm start's code, over HTTP).
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  contactById,
  currentMembers,
  findByUsername,
  type LookupClient,
  LookupError,
  lookupClient,
  membershipOf,
  searchContacts,
  tagContact,
} from '../../../examples/typed-client/client.ts';
import { API_TYPES_PATH, generateApiTypes } from '../../../examples/typed-client/generate-types.ts';
import { loadUpdate } from '../../fixtures/updates.ts';
import { WEBHOOK_SECRET } from '../../helpers/events.ts';
import { postToWebhook, useLocalStack } from '../../helpers/local-stack.ts';
import { ALICE, GROUP } from '../../helpers/lookup.ts';

const DEV_API_KEY = 'dev-key-for-the-typed-client-test';
const stack = useLocalStack({
  env: {
    TABLE_NAME: 'typed-client',
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    DEV_API_KEY,
  },
  host: '127.0.0.1',
});
let api: LookupClient;

beforeAll(async () => {
  await postToWebhook(stack, loadUpdate('group-message'));
  api = lookupClient(stack.url, DEV_API_KEY);
});

describe('the typed example client', () => {
  it('is typed by the document the code generates (npm run example-types)', async () => {
    expect(await readFile(API_TYPES_PATH, 'utf8')).toBe(await generateApiTypes());
  });

  it('finds, reads, pages and tags contacts against the local stack', async () => {
    const alice = await findByUsername(api, '@alice_smith');
    expect(alice).toMatchObject({ id: ALICE, firstName: 'Alice' });
    expect(await findByUsername(api, 'nobody_here')).toBeUndefined();
    expect(await contactById(api, ALICE)).toMatchObject({ id: ALICE });
    expect(await contactById(api, 1)).toBeUndefined();
    const members = await currentMembers(api, GROUP);
    expect(members.map((m) => m.userId)).toContain(ALICE);
    expect(await membershipOf(api, ALICE, GROUP)).toMatchObject({ isMember: true });
    expect((await tagContact(api, ALICE, ['VIP', 'customer'])).tags).toEqual(['customer', 'vip']);
  });

  it('searches by exactly one of username, phone and tag, sent as ?username= and so on', async () => {
    await tagContact(api, ALICE, ['searchable']);
    const ids = async (search: Parameters<typeof searchContacts>[1]) =>
      (await searchContacts(api, search, 10)).map((c) => c.id);
    expect(await ids({ username: 'ALICE_SMITH' })).toEqual([ALICE]);
    expect(await ids({ tag: 'Searchable' })).toEqual([ALICE]);
    expect(await ids({ phone: '+1 555 000-0000' })).toEqual([]);
  });

  it('throws the problem of a refused request, with its detail', async () => {
    const refused = await membershipOf(lookupClient(stack.url, 'not-a-key'), ALICE, GROUP).catch(
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(LookupError);
    expect((refused as LookupError).problem.status).toBe(401);
  });
});
