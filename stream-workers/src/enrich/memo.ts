/**
 * A bounded memo for pure functions of a string: user agents, IPs and visitor ids repeat
 * heavily in real traffic, so parsing and hashing each distinct value once is most of the
 * enrich worker's speed. Oldest entries go first when full (insertion order).
 */
export function memoize<T>(fn: (key: string) => T, maxEntries: number): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = fn(key);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
    return value;
  };
}
