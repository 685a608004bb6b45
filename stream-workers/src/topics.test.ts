import { describe, expect, it } from 'vitest';
import { EnrichConfig, fetchPolicy, SinkConfig } from './config.js';
import { fetchOptions } from './topics.js';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  HASH_KEY: 'h'.repeat(16),
  TOKEN_KEY: 't'.repeat(16),
  SUBJECT_MASTER_KEYS: `k1:${'m'.repeat(16)}`,
  CLICKHOUSE_URL: 'http://127.0.0.1:8123',
};

describe('fetch policy', () => {
  it('defaults to fuller fetches: 256 KiB or 200 ms, whichever comes first; new partitions within 30 s', () => {
    const c = EnrichConfig.parse(base);
    expect(fetchOptions(fetchPolicy(c))).toEqual({
      minBytes: 262_144,
      maxWaitTimeInMs: 200,
      metadataMaxAge: 30_000,
    });
    expect(fetchOptions()).toEqual({});
  });

  it('takes fetch.min.bytes and fetch.max.wait.ms from the environment', () => {
    const c = SinkConfig.parse({
      ...base,
      KAFKA_FETCH_MIN_BYTES: '1',
      KAFKA_FETCH_MAX_WAIT_MS: '5000',
      KAFKA_METADATA_MAX_AGE_MS: '2000',
    });
    expect(fetchOptions(fetchPolicy(c))).toEqual({
      minBytes: 1,
      maxWaitTimeInMs: 5000,
      metadataMaxAge: 2000,
    });
  });

  it('names the field it refuses', () => {
    const r = EnrichConfig.safeParse({ ...base, KAFKA_FETCH_MIN_BYTES: '0' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['KAFKA_FETCH_MIN_BYTES']);
  });

  it('a big reader takes more per partition and never long-polls past 250 ms', () => {
    expect(fetchOptions({ bytesPerPartition: 16 << 20 })).toEqual({
      maxBytesPerPartition: 16 << 20,
      maxBytes: 64 << 20,
      maxWaitTimeInMs: 250,
    });
    expect(fetchOptions({ bytesPerPartition: 1 << 20, maxWaitMs: 50 }).maxWaitTimeInMs).toBe(50);
  });
});
