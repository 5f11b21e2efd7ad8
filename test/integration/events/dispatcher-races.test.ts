/**
 * Interleavings of the dispatcher with an admin re-enabling a stopped subscription (PATCH
 * `"status":"active"`: the status, then `resumeDeliveries`), found reviewing park and resume
 * for the dispatcher's simulation (test/simulation/dispatcher.sim.test.ts): a dispatcher that
 * read the subscription as stopped parks a delivery after the resume looked for parked ones,
 * and the delivery waited for ever under an active subscription. Each test holds the parking
 * write (a "gated" client, test/helpers/recorder-rig.ts) until the re-enable is done, then
 * sweeps.
 */
import { describe, expect, it } from 'vitest';
import { createDelivery, resumeDeliveries } from '../../../lib/events/store/deliveries.ts';
import { stopSubscription } from '../../../lib/events/store/subscription-health.ts';
import { updateSubscription } from '../../../lib/events/store/subscriptions.ts';
import { useEventReceiver } from '../../helpers/event-receiver.ts';
import { gatedDispatch } from '../../helpers/event-rig.ts';
import { nowSeconds, onItem } from '../../helpers/recorder-rig.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();
const receiver = useEventReceiver();

async function setUp() {
  const t = nowSeconds();
  const rig = await gatedDispatch(stack, receiver.url, {
    tag: 'race',
    at: t,
    now: () => (t + 1) * 1000,
    before: (sub, store) =>
      stopSubscription(store, sub.id, 'disabled', 'the receiver answered 410 Gone', t),
  });
  const { store, sub } = rig;
  const reEnable = async () => {
    await updateSubscription(store, sub.id, { status: 'active' });
    await resumeDeliveries(store, sub.id, t + 1);
  };
  return { ...rig, reEnable, t };
}

describe('dispatcher and a re-enabled subscription', () => {
  it('delivers what an attempt parked after the re-enable looked for parked deliveries', async () => {
    const { store, gated, sub, event, key, dispatcher, reEnable, t } = await setUp();
    await createDelivery(store, {
      subscriptionId: sub.id,
      eventId: event.eventId,
      type: event.type,
      event: key,
      now: t,
    });
    const park = gated.hold(onItem(`SUB#${sub.id}`, `DELIVERY#${event.eventId}`, /Update/));
    // The attempt reads the subscription as disabled and goes to park the delivery...
    const attempt = dispatcher.attempt(sub.id, event.eventId);
    await park.reached;
    // ...while an admin re-enables it and resumes what was parked (nothing yet).
    await reEnable();
    park.release();
    await attempt;

    await dispatcher.sweep();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([event.eventId]);
  });

  it('delivers what a fan-out created parked after the re-enable looked for parked deliveries', async () => {
    const { gated, sub, event, key, dispatcher, reEnable } = await setUp();
    const create = gated.hold(onItem(`SUB#${sub.id}`, `DELIVERY#${event.eventId}`, /Put/));
    // The fan-out lists the subscription as disabled and goes to create a parked delivery...
    const fanOut = dispatcher.fanOut(key);
    await create.reached;
    await reEnable();
    create.release();
    await fanOut;

    await dispatcher.sweep();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([event.eventId]);
  });
});
