/** Bounded in-memory maps for warm-instance caches. */

/**
 * Sets `key` as the newest entry of `map` (a Map iterates in insertion order) and drops the
 * oldest entry once the map holds more than `maxEntries`: least recently set goes first.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > maxEntries) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
