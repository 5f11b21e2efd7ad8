/** The local stack's one admin key for trying the lookup API (`DEV_API_KEY` or the kept one). */
import { listApiKeys, registerApiKey, revokeApiKey } from '../../lib/access/api-key-admin.ts';
import type { StoreContext } from '../../lib/store/client.ts';

export const DEV_KEY_NAME = 'dev (npm start)';

/**
 * Registers `key` as the dev key and revokes every other dev key still valid in the table
 * (earlier starts made one each), so exactly one dev key works. Keys created with
 * `npm run apikey` have other names and are left alone.
 */
export async function keepOneDevKey(store: StoreContext, key: string): Promise<void> {
  const current = await registerApiKey(store, { key, name: DEV_KEY_NAME, scope: 'admin' });
  const stale = (await listApiKeys(store)).filter(
    (record) => record.name === DEV_KEY_NAME && !record.revokedAt && record.id !== current.id,
  );
  for (const record of stale) await revokeApiKey(store, record.id);
}
