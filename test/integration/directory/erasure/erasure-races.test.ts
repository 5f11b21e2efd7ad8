/**
 * Erasures racing the recorder: each test is one interleaving that would break "an erasure is
 * final" (lib/directory/record/recorder.ts, lib/directory/erasure/erasure.ts, chat-migration.ts):
 * a redelivery, a late or dateless update, a migration copy, a second erasure, a live status
 * or a share landing around it leaves nothing of the erased user, and an erasure retried
 * after a crash finishes the job. The comment above each names the guarantee and the
 * interleaving (docs/reliability.md, "Review").
 *
 * Store-level tests drive recordUpdate / eraseUser / copyMigratedChat / saveMemberStatus with
 * explicit clocks, and a "gated" client that holds one chosen store call until released, so
 * a concurrent writer's calls land in a chosen order (the way store-scheduler.ts does).
 */
import { describe, expect, it } from 'vitest';
import { eraseUser } from '../../../../lib/directory/erasure/erasure.ts';
import { getMembership, saveMemberStatus } from '../../../../lib/directory/read/memberships.ts';
import { getContact } from '../../../../lib/directory/read/profiles.ts';
import { createDocumentClient, type StoreContext } from '../../../../lib/store/client.ts';
import { freshUpdateId, loadUpdate } from '../../../fixtures/updates.ts';
import { ALICE, BOB } from '../../../helpers/lookup.ts';
import {
  aliceLeftovers,
  BOB_PROFILE,
  createRig,
  gatedClient,
  message,
  nowSeconds,
  OLD_GROUP,
  onItem,
  record,
  SUPERGROUP,
  scan,
} from '../../../helpers/recorder-rig.ts';
import { useStack } from '../../../helpers/stack-fixture.ts';

const stack = useStack();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Alice verifies her own phone (+15551234567) at `date`. */
function ownPhone(date: number, phone = '15551234567') {
  const own = loadUpdate('contact-own') as {
    update_id: number;
    message: { date: number; contact: { phone_number: string } };
  };
  own.update_id = freshUpdateId();
  own.message.date = date;
  own.message.contact.phone_number = phone;
  return own;
}

/** Bob sends the bot a contact card of `phone` with no user id, at `date`. */
function phoneCard(date: number, phone = '+1 555 123 4567') {
  return {
    update_id: freshUpdateId(),
    message: {
      message_id: 77,
      from: { is_bot: false, ...BOB_PROFILE },
      chat: { id: BOB, type: 'private', first_name: 'Bob' },
      date,
      contact: { phone_number: phone, first_name: 'Alice', last_name: 'Smith' },
    },
  };
}

const withPhone = async (store: StoreContext, e164: string) =>
  (await scan(store)).filter((i) => String(i.phoneNumber ?? '') === e164);

/** Bob shares Alice with the bot (a request_users button) at `date`, with `username`. */
function bobSharesAlice(date: number, username = 'Alice_Smith') {
  return {
    update_id: freshUpdateId(),
    message: {
      message_id: 90,
      from: { is_bot: false, ...BOB_PROFILE },
      chat: { id: BOB, type: 'private', first_name: 'Bob' },
      date,
      users_shared: {
        request_id: 1,
        users: [{ user_id: ALICE, first_name: 'Alice', last_name: 'Smith', username }],
      },
    },
  };
}

describe('an erasure racing the recorder', () => {
  /**
   * Guarantee (c), "no redelivery brings back anything of the user". A dateless update
   * (inline_query; likewise callback_query, chosen_inline_result, purchased_paid_media...) is
   * dated at arrival. Its first delivery records Alice's profile and loses the answer; an
   * admin erases Alice; Telegram redelivers the same update (same update_id) a second later.
   * The redelivery is now dated after the erasure floor and the tombstone replaced the
   * queue's high-water mark, so it is recorded as new activity: Alice's profile and username
   * index entry are back.
   */
  it('a redelivered dateless update (inline_query) does not bring an erased user back', async () => {
    const r = await createRig(stack);
    const update = loadUpdate('inline-query') as { update_id: number };
    update.update_id = freshUpdateId();
    expect(await r.deliver(update, 0)).toBe(500);
    expect(await r.erase(ALICE)).toBe(204);
    await sleep(1100); // the redelivery arrives in a later second than the erasure
    expect(await r.deliver(update)).toBe(200);
    expect((await r.api.call({ path: `/v1/contacts/${ALICE}` })).status).toBe(404);
    const byName = await r.api.call({ path: '/v1/contacts', query: { username: 'alice_smith' } });
    expect(byName.body.items).toEqual([]);
    expect(await aliceLeftovers(r.store)).toEqual([]);
  }, 20_000);

  /**
   * Guarantees (b) and (c) "a user who writes again after the erasure starts afresh". An
   * erasure starts at T (floor T+1); before its first store call (the tombstone Put) lands,
   * Alice's message dated T+1 (after the floor) is fully recorded and acknowledged. The
   * blind Put then replaces her contact month, message count and profile included, while
   * the membership (settled, kept: its source is after the floor) keeps the count: the
   * acknowledged message is half gone and the contact 404s although her membership says she
   * wrote once. (A 1-second race: the Put only has to take longer than the floor's margin.)
   */
  it('an erasure whose tombstone lands after an update dated after its floor takes effect after that update, whole', async () => {
    // The update (dated T+1) lands before the erasure started at T writes anything: the two
    // overlap, and the erasure takes effect after the update (it moves its floor past what
    // its tombstone replaced). What must never happen is half of it: a membership counting
    // a message while the contact is gone.
    const store = await stack.freshTable();
    const T = nowSeconds();
    await record(store, message(SUPERGROUP, T + 1), T + 1);
    await eraseUser(store, ALICE, T);
    expect(await getMembership(store, ALICE, SUPERGROUP)).toBeNull();
    expect(await getContact(store, ALICE)).toBeNull();
    // And what comes after it counts afresh.
    await record(store, message(SUPERGROUP, T + 3), T + 3);
    expect((await getContact(store, ALICE))?.messageCount).toBe(1);
    expect((await getMembership(store, ALICE, SUPERGROUP))?.messageCount).toBe(1);
  });

  /**
   * Guarantee (c), migrations. Alice is in the old group; a migration (announced by Bob's
   * service message) copies memberships while Alice is erased. The erasure's Query of her
   * partition runs before the copy creates her supergroup membership; its settle of her
   * group membership runs after the copy marked that membership `movedTo`. copyMember only
   * looks at her erasure when the `movedTo` write fails, so the supergroup membership (her
   * name snapshot, her count, the chat's member index entry) outlives the erasure.
   */
  it('a migration copy racing an erasure leaves nothing of the erased member in the supergroup', async () => {
    const store = await stack.freshTable();
    const T = nowSeconds();
    await record(store, message(OLD_GROUP, T - 300), T - 300);
    await record(store, message(OLD_GROUP, T - 290, BOB_PROFILE), T - 290);
    const gated = gatedClient(store.endpoint);
    const held = gated.hold(onItem(`USER#${ALICE}`, `CHAT#${OLD_GROUP}`, /Delete|Update/));
    const erasure = eraseUser({ client: gated.client, tableName: store.tableName }, ALICE, T);
    await held.reached; // tombstones written, her partition queried, the settle not yet sent
    const migrate = loadUpdate('migrate-to-chat') as {
      update_id: number;
      message: { date: number; from: object };
    };
    migrate.update_id = freshUpdateId();
    migrate.message.date = T - 10;
    migrate.message.from = { is_bot: false, ...BOB_PROFILE };
    await record(store, migrate, T);
    held.release();
    await erasure;
    expect(await getMembership(store, ALICE, SUPERGROUP)).toBeNull();
    expect(await aliceLeftovers(store)).toEqual([]);
  });

  /**
   * Guarantee (c) with two erasures close together ("the 48 h post-erasure window,
   * settle then rewrite"). E1 erases Alice at T. Alice writes at T+5 (update U, one of the
   * first updates after E1): U creates her membership, reads E1's floor, settles the item
   * and is about to send its write again. E2 erases Alice at T+10 and completes: it deletes
   * the membership (U is older than E2). Then U's rewrite lands: the membership is created
   * again (a fresh item has no floor) with U's count, her names and the chat index entry,
   * after E2 answered. Nothing re-checks after the rewrite.
   */
  it('the post-erasure rewrite of an update does not outlive a second erasure', async () => {
    const store = await stack.freshTable();
    const T = nowSeconds();
    await record(store, message(SUPERGROUP, T - 100), T - 100);
    await eraseUser(store, ALICE, T);
    const gated = gatedClient(store.endpoint);
    let updates = 0;
    const held = gated.hold((command, input) => {
      if (!onItem(`USER#${ALICE}`, `CHAT#${SUPERGROUP}`, /Update/)(command, input)) return false;
      updates++;
      return updates === 3; // 1: the write round, 2: the settle, 3: the rewrite
    });
    const u = record(
      { client: gated.client, tableName: store.tableName },
      message(SUPERGROUP, T + 5),
      T + 5,
    );
    await held.reached;
    await eraseUser(store, ALICE, T + 10);
    held.release();
    await u;
    expect(await getMembership(store, ALICE, SUPERGROUP)).toBeNull();
    expect(await aliceLeftovers(store)).toEqual([]);
  });

  /**
   * "Nothing is ever stored for an erased user" (saveMemberStatus: nothing is created from a
   * live answer). An admin's `?live=true` check answered while an erasure of Alice is under
   * way (its clock one second past the erasure's floor) lands between the erasure's Query
   * and its settle of the membership. The settle keeps the live source (dated after the
   * floor) and with it the membership: Alice stays listed as a member of the chat after the
   * DELETE answered, from a live answer alone.
   */
  it('a live status stored while the erasure runs does not keep the erased membership', async () => {
    const store = await stack.freshTable();
    const T = nowSeconds();
    await record(store, message(SUPERGROUP, T - 100), T - 100);
    const gated = gatedClient(store.endpoint);
    const held = gated.hold(onItem(`USER#${ALICE}`, `CHAT#${SUPERGROUP}`, /Delete|Update/));
    const erasure = eraseUser({ client: gated.client, tableName: store.tableName }, ALICE, T);
    await held.reached;
    const live = { userId: ALICE, chatId: SUPERGROUP, status: 'member' as const, isMember: true };
    expect(await saveMemberStatus(store, live, T + 2)).not.toBeNull();
    held.release();
    await erasure;
    expect(await getMembership(store, ALICE, SUPERGROUP)).toBeNull();
    expect(await aliceLeftovers(store)).toEqual([]);
  });

  /**
   * Guarantee (c), shared entries. Bob shares a contact card of Alice's number without a
   * `user_id` (Telegram omits it when the card is not linked to an account the sender
   * knows); the entry is keyed by phone and has no SHAREDOF# index entry. Alice verified
   * that number herself, then is erased: the erasure reads her verified phone but only
   * looks for shared entries through SHAREDOF#, so Bob's entry keeps her name and number.
   * (Possibly a documented limit; listed because the erasure holds the number it could
   * look for.)
   */
  it('erasing a user removes shared entries holding her verified phone number', async () => {
    const store = await stack.freshTable();
    const T = nowSeconds() - 60;
    const own = loadUpdate('contact-own') as { update_id: number; message: { date: number } };
    own.update_id = freshUpdateId();
    own.message.date = T;
    await record(store, own, T);
    const card = {
      update_id: freshUpdateId(),
      message: {
        message_id: 77,
        from: { is_bot: false, ...BOB_PROFILE },
        chat: { id: BOB, type: 'private', first_name: 'Bob' },
        date: T + 1,
        contact: { phone_number: '+1 555 123 4567', first_name: 'Alice', last_name: 'Smith' },
      },
    };
    await record(store, card, T + 1);
    expect(
      (await scan(store)).some((i) => i.phoneNumber === '+15551234567' && i.pk === `USER#${BOB}`),
    ).toBe(true);
    await eraseUser(store, ALICE, T + 10);
    const left = (await scan(store)).filter((i) => String(i.phoneNumber ?? '') === '+15551234567');
    expect(left).toEqual([]);
  });
  /**
   * Guarantee (c), erasure final, with two erasures of one user overlapping (an admin's
   * DELETE retried by its client, or the DELETE and the bot's /forget, or two attempts of the
   * forget callback). E2 erases Alice at T+3 and answers; E1, which read its clock at T but
   * whose store calls were slow, puts its tombstones afterwards. The tombstone Put is blind:
   * it replaces E2's gate months, floor T+4, by floor T+1. Alice's message dated T+2 (sent
   * before E2, delayed by Telegram's retries) then arrives and is recorded: her profile,
   * count and membership are back after an erasure that answered 204 after that message.
   */
  it("an erasure that lands after a later one does not lower the later one's floor", async () => {
    const store = await stack.freshTable();
    const T = nowSeconds();
    await record(store, message(SUPERGROUP, T - 100), T - 100);
    await eraseUser(store, ALICE, T + 3); // E2 completes
    await eraseUser(store, ALICE, T); // E1, started earlier, lands afterwards
    const late = await record(store, message(SUPERGROUP, T + 2), T + 5);
    expect(late.stale).toBe(true);
    expect(await getContact(store, ALICE)).toBeNull();
    expect(await getMembership(store, ALICE, SUPERGROUP)).toBeNull();
    expect(await aliceLeftovers(store)).toEqual([]);
  });
  /**
   * Guarantee (b), every acknowledged update fully recorded, against the erasure of a user
   * another user shared. Bob shared Alice at T-100. Alice is erased at T; the erasure finds
   * Bob's entry through SHAREDOF#Alice. Before its settle of that entry, Bob shares Alice
   * again at T+5 (after the erasure: it must count afresh): the write lands on the entry
   * (since stays T-100), checkSharedUsers sees T+5 >= the floor and does nothing, and the
   * webhook acknowledges. The erasure's settle then reads the entry, sees a source begun
   * before the floor and deletes it whole: Bob's acknowledged share of T+5 is gone. (An
   * owner's own items get the post-erasure rewrite in checkOwner; entries naming an erased
   * user get none.)
   */
  it('a share of an erased user made after the erasure survives the erasure settling the older entry', async () => {
    const store = await stack.freshTable();
    const T = nowSeconds();
    await record(store, message(SUPERGROUP, T - 200), T - 200);
    await record(store, bobSharesAlice(T - 100), T - 100);
    const gated = gatedClient(store.endpoint);
    const held = gated.hold(onItem(`USER#${BOB}`, `SHARED#USER#${ALICE}`, /Get|Delete|Update/));
    const erasure = eraseUser({ client: gated.client, tableName: store.tableName }, ALICE, T);
    await held.reached;
    const again = await record(store, bobSharesAlice(T + 5, 'alice_again'), T + 5);
    expect(again.stale).toBe(false);
    held.release();
    await erasure;
    const entries = (await scan(store)).filter(
      (i) => i.pk === `USER#${BOB}` && i.sk === `SHARED#USER#${ALICE}`,
    );
    expect(entries.map((e) => e.username)).toEqual(['alice_again']);
  });
  /**
   * Guarantee (c) and erasure.ts's "Idempotent: running it again finishes the job", for the
   * SHAREDPHONE# fix. The erasure settles (deletes) Alice's verified-phone item before it
   * queries SHAREDPHONE#<her number>; it crashes in between (here: the Query fails). The
   * DELETE is retried: her phone item is gone, so the retry no longer knows the number and
   * Bob's phone-only card of it, with her name, stays for good.
   */
  it('an erasure retried after a crash still removes phone-only cards of her number', async () => {
    const store = await stack.freshTable();
    const T = nowSeconds() - 60;
    await record(store, ownPhone(T), T);
    await record(store, phoneCard(T + 1), T + 1);
    const crashing = createDocumentClient({
      region: 'us-east-1',
      endpoint: store.endpoint,
      maxAttempts: 1,
    });
    crashing.middlewareStack.add(
      (next, context) => async (args) => {
        const input = JSON.stringify(args.input);
        if (context.commandName === 'QueryCommand' && input.includes('SHAREDPHONE#')) {
          throw new Error('crash');
        }
        return next(args);
      },
      { step: 'initialize', name: 'crash' },
    );
    await expect(
      eraseUser({ client: crashing, tableName: store.tableName }, ALICE, T + 10),
    ).rejects.toThrow();
    await eraseUser(store, ALICE, T + 11); // the retry
    expect(await withPhone(store, '+15551234567')).toEqual([]);
  });
});
