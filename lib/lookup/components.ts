/**
 * The named schemas of the OpenAPI document (`#/components/schemas/<name>`): each is listed
 * once here under its name, in the order the document lists them. They are registered here,
 * not beside each schema, because the document lists a registry in the order of registration:
 * spread over the resources' modules, that order would follow module evaluation, and with it
 * a generated client's types (examples/typed-client/api.d.ts). A schema not named here is
 * inlined wherever it is used.
 */
import * as z from 'zod';
import { Broadcast, BroadcastList, QueuedBroadcast } from './broadcasts/broadcast-schemas.ts';
import {
  Chat,
  ChatActivity,
  ChatActivityDay,
  ChatSummary,
  TopMember,
  TopMembers,
} from './chats/chat-schemas.ts';
import {
  Membership,
  MembershipEvent,
  MembershipEventList,
  MembershipList,
} from './chats/membership-schemas.ts';
import {
  Activity,
  ActivityDay,
  Contact,
  ContactList,
  ContactSummary,
  SharedContact,
  SharedContactList,
} from './contacts/contact-schemas.ts';
import { MessageButton, SentMessage } from './messages/message-schemas.ts';
import { OpenApiDocument, Problem } from './schemas.ts';
import {
  CreatedSubscription,
  DeliveryAttempt,
  DeliveryAttemptList,
  PingEvent,
  Subscription,
  SubscriptionList,
} from './subscriptions/subscription-schemas.ts';

/** Component schemas of the OpenAPI document, by name. */
export const components = z.registry<{ id: string }>();

const NAMED: Record<string, z.ZodType> = {
  ContactSummary,
  Contact,
  ChatSummary,
  Chat,
  Membership,
  SharedContact,
  ActivityDay,
  Activity,
  ChatActivityDay,
  ChatActivity,
  MembershipEvent,
  TopMember,
  TopMembers,
  Problem,
  ContactList,
  MembershipList,
  SharedContactList,
  MembershipEventList,
  OpenApiDocument,
  Subscription,
  CreatedSubscription,
  SubscriptionList,
  DeliveryAttempt,
  DeliveryAttemptList,
  PingEvent,
  Broadcast,
  QueuedBroadcast,
  BroadcastList,
  MessageButton,
  SentMessage,
};
for (const [id, schema] of Object.entries(NAMED)) components.add(schema, { id });
