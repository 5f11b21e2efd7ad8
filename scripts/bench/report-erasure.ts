/** The erasure section of the bench's results (erasure-cost.ts). */
import type { ErasureCost } from './erasure-cost.ts';
import { table } from './markdown.ts';

export function renderErasure(e: ErasureCost): string {
  const commands = Object.entries(e.byCommand)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([command, n]) => `${command} ${n}`)
    .join(', ');
  return [
    `\`DELETE /v1/contacts/{id}\` of a person with ${e.events} membership events (and their outbox events), a verified phone, ${e.sharedCards} cards of her shared by others and ${e.broadcastsPending} broadcast to her pending; the API key's own lookup left out.`,
    '',
    table(
      [
        'requests',
        'by type',
        'reads',
        'writes',
        'failed conditions',
        'round trips',
        'scans',
        'ms (local)',
      ],
      [
        [
          e.requests,
          commands,
          e.reads,
          e.writes,
          e.conditionalFailures,
          e.roundTrips,
          e.scans,
          e.ms.toFixed(0),
        ],
      ],
    ),
  ].join('\n');
}
