/**
 * Alice's LIFE item and her contact.created events, and the store calls that write them, for
 * tests of contact.created's exactly-once across duplicates, erasures and crashes.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from '../../lib/store/client.ts';
import { contactLifeKey } from '../../lib/store/keys.ts';
import { ALICE } from './lookup.ts';
import { scan } from './recorder-rig.ts';

export const CHAT_A = -100200300;
export const CHAT_B = -100200301;

export const isLifeWrite = (command: string, input: string) =>
  command === 'UpdateItemCommand' && input.includes(`"USER#${ALICE}"`) && input.includes('"LIFE"');
export const isCreatedWrite = (command: string, input: string) =>
  command === 'UpdateItemCommand' && input.includes('contact.created');

export const createdEvents = async (store: StoreContext) =>
  (await scan(store)).filter(
    (i) => String(i.sk).startsWith('OUTBOX#') && i.type === 'contact.created',
  );

export const life = async (store: StoreContext) =>
  (
    await store.client.send(
      new GetCommand({ TableName: store.tableName, Key: contactLifeKey(ALICE) }),
    )
  ).Item;
