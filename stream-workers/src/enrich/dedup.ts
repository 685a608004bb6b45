import type { Redis } from 'ioredis';

/**
 * Drops client retries by event_id within a window. A claim records where the event was
 * first read (topic:partition:offset): the same record read again after a crash (its
 * transaction never committed) still owns its claim and is kept; a retry arriving as another
 * record is a duplicate. So deduplication never loses an event that was not yet written.
 */
export interface DedupStore {
  /** True when this record may go on: the event is new, or this very record claimed it. */
  claim(eventId: string, origin: string): Promise<boolean>;
}

// GET, then SET with expiry if absent, atomically: 1 = may go on, 0 = duplicate.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end
if v == ARGV[1] then return 1 end
return 0`;

export class RedisDedup implements DedupStore {
  constructor(
    private readonly redis: Redis,
    private readonly options: { ttlSeconds: number; prefix: string },
  ) {}

  async claim(eventId: string, origin: string): Promise<boolean> {
    const result = await this.redis.eval(
      CLAIM,
      1,
      `${this.options.prefix}${eventId}`,
      origin,
      String(this.options.ttlSeconds),
    );
    return result === 1;
  }
}

/** Single-instance fallback without Redis: a bounded window in memory (oldest claims go first). */
export class MemoryDedup implements DedupStore {
  private readonly claims = new Map<string, { origin: string; expires: number }>();

  constructor(
    private readonly options: { ttlSeconds: number; maxEntries: number; now?: () => number },
  ) {}

  get size(): number {
    return this.claims.size;
  }

  claim(eventId: string, origin: string): Promise<boolean> {
    const now = (this.options.now ?? Date.now)();
    const existing = this.claims.get(eventId);
    if (existing && existing.expires > now) return Promise.resolve(existing.origin === origin);
    this.claims.delete(eventId);
    this.claims.set(eventId, { origin, expires: now + this.options.ttlSeconds * 1000 });
    // Insertion order is age order: trim expired and excess claims from the front.
    for (const [id, entry] of this.claims) {
      if (this.claims.size <= this.options.maxEntries && entry.expires > now) break;
      this.claims.delete(id);
    }
    return Promise.resolve(true);
  }
}
