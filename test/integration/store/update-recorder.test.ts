import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactMonthKey, membershipKey } from '../../../lib/store/keys.ts';
import { isUpdateDone, markUpdateDone, recordFacts } from '../../../lib/store/update-recorder.ts';
import type { UpdateFacts } from '../../../lib/telegram/facts.ts';
import { startTestStore, type TestStore } from '../../helpers/store.ts';

let root: TestStore;
beforeAll(async () => {
  root = await startTestStore();
});
afterAll(async () => root.close());

function groupMessage(updateId: number): UpdateFacts {
  return {
    updateId,
    kind: 'message',
    at: 1764000000,
    activityDate: '2025-11-24',
    people: [{ id: 1001, isBot: false, firstName: 'Alice', username: 'Alice_Smith' }],
    chats: [{ id: -100200300, type: 'supergroup', title: 'Test Group' }],
    memberships: [
      { userId: 1001, chatId: -100200300, source: 'message', status: 'member', isMember: true },
    ],
    message: { chatId: -100200300, chatType: 'supergroup', senderId: 1001 },
    sharedContacts: [],
  };
}

describe('update recorder', () => {
  it('counts a replayed update once per item', async () => {
    const store = await root.freshTable();
    await recordFacts(store, groupMessage(1));
    await recordFacts(store, groupMessage(1));
    await recordFacts(store, groupMessage(2));

    const month = await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: contactMonthKey(1001, '2025-11') }),
    );
    const member = await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: membershipKey(1001, -100200300) }),
    );
    expect(month.Item?.n).toBe(2);
    expect(month.Item?.d24).toBe(2);
    expect(member.Item?.n).toBe(2);
    expect(member.Item?.status).toBe('member');
  });

  it('keeps the guard set small by pruning updates marked done', async () => {
    const store = await root.freshTable();
    for (let id = 100; id < 140; id++) {
      await recordFacts(store, groupMessage(id));
      await markUpdateDone(store, id);
    }
    const month = await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: contactMonthKey(1001, '2025-11') }),
    );
    expect(month.Item?.n).toBe(40);
    expect((month.Item?.g as Set<number> | undefined)?.size).toBeLessThanOrEqual(17);
  });

  it('reports an update as done only after its marker is written', async () => {
    const store = await root.freshTable();
    expect(await isUpdateDone(store, 7)).toBe(false);
    await markUpdateDone(store, 7);
    expect(await isUpdateDone(store, 7)).toBe(true);
  });
});
