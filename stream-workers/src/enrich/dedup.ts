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
  /** claim() for a whole batch, in order (a later duplicate of an earlier id is false). */
  claimMany(claims: readonly { eventId: string; origin: string }[]): Promise<boolean[]>;
}

// GET, then SET with expiry if absent, atomically: 1 = may go on, 0 = duplicate.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end
if v == ARGV[1] then return 1 end
return 0`;

// The same for a batch in one round trip: KEYS[i] claimed for ARGV[i + 1], expiry ARGV[1].
const CLAIM_MANY = `local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if not v then redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1]) out[i] = 1
  elseif v == ARGV[i + 1] then out[i] = 1
  else out[i] = 0 end
end
return out`;

// Keys per script call: bounded so Redis is never blocked for long by one batch.
const CHUNK = 1000;

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

  async claimMany(claims: readonly { eventId: string; origin: string }[]): Promise<boolean[]> {
    const out: boolean[] = [];
    for (let i = 0; i < claims.length; i += CHUNK) {
      const chunk = claims.slice(i, i + CHUNK);
      const result = (await this.redis.eval(
        CLAIM_MANY,
        chunk.length,
        ...chunk.map((c) => `${this.options.prefix}${c.eventId}`),
        String(this.options.ttlSeconds),
        ...chunk.map((c) => c.origin),
      )) as number[];
      for (const r of result) out.push(r === 1);
    }
    return out;
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

  async claimMany(claims: readonly { eventId: string; origin: string }[]): Promise<boolean[]> {
    const out: boolean[] = [];
    for (const c of claims) out.push(await this.claim(c.eventId, c.origin));
    return out;
  }
}
