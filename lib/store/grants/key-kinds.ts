/**
 * The partition key kinds of the table and its indexes, each taken from the keys.ts builder
 * that makes such keys (so the grants follow a renamed prefix). See grants.ts.
 */

import {
  actorRefPk,
  CHAT_PREFIX,
  chatEventsPk,
  personRefPk,
  phoneFloorKey,
  phoneIndexPk,
  phoneRefPk,
  sharedOfPk,
  sharedPhonePk,
  TAG_PREFIX,
  USER_PREFIX,
  usernameIndexPk,
} from '../keys.ts';
import {
  API_KEYS_INDEX_PK,
  apiKeyKey,
  BROADCAST_PREFIX,
  BROADCASTS_INDEX_PK,
  DUE_DELIVERIES_PK,
  IDEMPOTENCY_PREFIX,
  OUTBOX_PREFIX,
  PENDING_BROADCASTS_PK,
  PENDING_EVENTS_PK,
  SUBSCRIPTION_PREFIX,
  SUBSCRIPTIONS_INDEX_PK,
} from '../service-keys.ts';
import { kindOf } from './grants.ts';

/** Table partitions. */
export const USER = USER_PREFIX;
export const CHAT = CHAT_PREFIX;
export const APIKEY = kindOf(apiKeyKey('').pk);
/** contact.erased and ping events; the others live under the USER# or CHAT# they are about. */
export const OUTBOX = OUTBOX_PREFIX;
/** A subscription, its deliveries and their attempt log. */
export const SUB = SUBSCRIPTION_PREFIX;
/** A broadcast and its recipients, the sender lease, broadcast idempotency records. */
export const BROADCAST = BROADCAST_PREFIX;
/** Idempotency-Key records of direct messages. */
export const IDEMPOTENCY = IDEMPOTENCY_PREFIX;
/** An erased phone number's floor, by a keyed hash of the number (phone-floor.ts). */
export const PHONE_FLOOR = kindOf(phoneFloorKey('').pk);

/** GSI1 partitions. */
export const CHAT_MEMBERS = kindOf(CHAT_PREFIX);
export const CHAT_EVENTS = kindOf(chatEventsPk(0));
export const SHARED_OF = kindOf(sharedOfPk(0));
export const SHARED_PHONE = kindOf(sharedPhonePk(''));
export const TAGGED = TAG_PREFIX;
export const API_KEYS = API_KEYS_INDEX_PK;
export const PENDING_EVENTS = PENDING_EVENTS_PK;
export const DUE_DELIVERIES = DUE_DELIVERIES_PK;
export const SUBSCRIPTIONS = SUBSCRIPTIONS_INDEX_PK;
export const BROADCASTS = BROADCASTS_INDEX_PK;
export const PENDING_BROADCASTS = PENDING_BROADCASTS_PK;

/** GSI2 partitions: search, and the references to a person an erasure ends (person-refs.ts). */
export const USERNAME = kindOf(usernameIndexPk(''));
export const PHONE = kindOf(phoneIndexPk(''));
export const PERSON_REFS = [kindOf(personRefPk(0)), kindOf(phoneRefPk('')), kindOf(actorRefPk(0))];
