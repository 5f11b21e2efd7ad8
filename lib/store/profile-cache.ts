/**
 * Remembers, in a warm instance, which profile writes already landed, so an unchanged
 * profile is not written again on every message. Entries expire so that an erasure done
 * by another instance is repaired within `ttlMs`.
 */
import { setBounded } from '../bounded-map.ts';

export interface ProfileCache {
  has(id: string, signature: string): boolean;
  remember(id: string, signature: string): void;
  forget(id: string): void;
  clear(): void;
}

export function createProfileCache(options: { ttlMs: number; maxEntries: number }): ProfileCache {
  const entries = new Map<string, { signature: string; expires: number }>();
  return {
    has(id, signature) {
      const entry = entries.get(id);
      if (!entry) return false;
      if (entry.expires <= Date.now()) {
        entries.delete(id);
        return false;
      }
      return entry.signature === signature;
    },
    remember(id, signature) {
      setBounded(
        entries,
        id,
        { signature, expires: Date.now() + options.ttlMs },
        options.maxEntries,
      );
    },
    forget(id) {
      entries.delete(id);
    },
    clear() {
      entries.clear();
    },
  };
}

/** The cache used when none is given: five minutes, 10,000 profiles. */
export const defaultProfileCache = createProfileCache({ ttlMs: 5 * 60_000, maxEntries: 10_000 });
