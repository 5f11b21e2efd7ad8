/**
 * An erasure touches the person's partition and what references her, never a scan, and what
 * it costs is what `npm run bench` reports (scripts/bench/erasure-cost.ts): a person with 10
 * membership events, 3 shared cards of her and 1 broadcast pending.
 */
import { describe, expect, it } from 'vitest';
import { measureErasure } from '../../../scripts/bench/erasure-cost.ts';

describe('the cost of an erasure', () => {
  it('is a bounded number of requests, with no Scan', async () => {
    const cost = await measureErasure();
    expect(cost.scans).toBe(0);
    expect(cost.byCommand.Query).toBeGreaterThan(0);
    // Each of her items and each copy of her is one write; nothing else grows with the table.
    expect(cost.writes).toBeGreaterThanOrEqual(cost.events + cost.sharedCards);
    expect(cost.requests).toBeLessThan(80);
  }, 60_000);
});
