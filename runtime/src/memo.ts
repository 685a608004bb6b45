/**
 * A bounded memo for pure functions of a string: user agents, IPs and visitor ids repeat
 * heavily in real traffic, so parsing and hashing each distinct value once is most of the
 * enrich worker's speed. Oldest entries go first when full (insertion order). Also what
 * derives per-stream tables from the schemas once.
 */
export function memoize<K extends string, T>(fn: (key: K) => T, maxEntries: number): (key: K) => T {
  const cache = new Map<K, T>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = fn(key);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as K);
    cache.set(key, value);
    return value;
  };
}
