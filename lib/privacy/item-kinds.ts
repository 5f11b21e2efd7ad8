/**
 * The item kinds of the data map (data-map.ts): one entry per row of the key table of
 * keys.ts (a row whose items differ in whom they hold has one entry per variant). Every TTL
 * is the constant the writer uses, imported, so the map cannot drift from it. Each feature's
 * kinds are listed in its own module, in the order the generated table shows them.
 */

import type { ItemKind } from './data-map.ts';
import { DIRECTORY_ITEMS } from './directory-items.ts';
import { EVENT_ITEMS } from './event-items.ts';
import { MESSAGING_ITEMS } from './messaging-items.ts';

/** An API key: the access feature's one item kind. */
const ACCESS_ITEMS: readonly ItemKind[] = [
  {
    item: 'API key',
    pk: 'APIKEY#<sha256>',
    sk: 'APIKEY',
    index: 'GSI1 APIKEYS',
    builders: ['apiKeyKey', 'apiKeyIndexKeys'],
    holders: [],
    keep: { kind: 'until', until: 'revoked and deleted by the operator' },
    note: "The operator's name for the key, its scope and a hash of the key.",
  },
];

/** Every item kind, by feature. */
export const ITEM_KINDS: readonly ItemKind[] = [
  ...DIRECTORY_ITEMS,
  ...ACCESS_ITEMS,
  ...EVENT_ITEMS,
  ...MESSAGING_ITEMS,
];
