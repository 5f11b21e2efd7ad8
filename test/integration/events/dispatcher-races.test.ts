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
  /**
   * Holds the dispatcher's `write` (an Update or Put) of the delivery that `start()` makes,
   * re-enables the subscription meanwhile, then lets it land, sweeps, and expects the event
   * delivered once.
   */
  const reEnableDuring = async (write: RegExp, start: () => Promise<unknown>) => {
    const held = rig.gated.hold(onItem(`SUB#${sub.id}`, `DELIVERY#${rig.event.eventId}`, write));
    const running = start();
    await held.reached;
    await reEnable();
    held.release();
    await running;
    await rig.dispatcher.sweep();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([rig.event.eventId]);
  };
  return { ...rig, reEnableDuring, t };
}

describe('dispatcher and a re-enabled subscription', () => {
  it('delivers what an attempt parked after the re-enable looked for parked deliveries', async () => {
    const { store, sub, event, key, dispatcher, reEnableDuring, t } = await setUp();
    await createDelivery(store, {
      subscriptionId: sub.id,
      eventId: event.eventId,
      type: event.type,
      event: key,
      now: t,
    });
    // The attempt reads the subscription as disabled and goes to park the delivery, while an
    // admin re-enables it and resumes what was parked (nothing yet).
    await reEnableDuring(/Update/, () => dispatcher.attempt(sub.id, event.eventId));
  });

  it('delivers what a fan-out created parked after the re-enable looked for parked deliveries', async () => {
    const { key, dispatcher, reEnableDuring } = await setUp();
    // The fan-out lists the subscription as disabled and goes to create a parked delivery.
    await reEnableDuring(/Put/, () => dispatcher.fanOut(key));
  });
});
