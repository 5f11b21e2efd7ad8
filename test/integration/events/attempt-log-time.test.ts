/**
 * The attempt log is dated by the attempt, not by the write that logs it (found by the
 * dispatcher's simulation, seed 1: an invocation slow between sending and logging wrote its
 * line after the next attempt's, dated later, and the log read newest first put the older
 * attempt on top). The attempt's finishing write is held here while the clock moves on.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EventReceiver, startEventReceiver } from '../../helpers/event-receiver.ts';
import { gatedDispatch } from '../../helpers/event-rig.ts';
import { nowSeconds, scan } from '../../helpers/recorder-rig.ts';
import { useStack } from '../../helpers/stack-fixture.ts';

const stack = useStack();
let receiver: EventReceiver;

beforeAll(async () => {
  receiver = await startEventReceiver();
  receiver.answer = () => 503;
});
afterAll(async () => {
  await receiver.close();
});

it('dates an attempt in the log when it was made, however late the log is written', async () => {
  const t = nowSeconds();
  let clock = t * 1000;
  const { store, gated, key, dispatcher } = await gatedDispatch(stack, receiver.url, {
    tag: 'log-time',
    at: t,
    now: () => clock,
  });
  // The attempt's finishing write (not the claim, which asks for the item back).
  const finish = gated.hold(
    (command, input) =>
      command === 'UpdateItemCommand' &&
      input.includes('"sk":"DELIVERY#') &&
      !input.includes('ALL_NEW'),
  );

  const dispatched = dispatcher.dispatchEvents([key]);
  await finish.reached;
  clock += 20 * 60_000; // the invocation is slow: it records the attempt 20 min later
  finish.release();
  await dispatched;

  expect(receiver.requests).toHaveLength(1);
  const lines = (await scan(store)).filter((i) => String(i.sk).startsWith('ATTEMPT#'));
  expect(lines.map((l) => [l.attempt, l.outcome, l.at])).toEqual([
    [1, 'failed', new Date(t * 1000).toISOString()],
  ]);
});
