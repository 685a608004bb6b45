import { describe, expect, it } from 'vitest';
import { ApiKeyStore, generateApiKey, hashApiKey } from './api-keys.js';

describe('API keys', () => {
  it('are long, random, and stored only as their SHA-256', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^bbk_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey()).not.toBe(key);
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).not.toContain(key.slice(4, 12));
  });

  it('find the tenant and source of a known key, and nothing for an unknown or missing one', () => {
    const key = generateApiKey();
    const store = new ApiKeyStore([
      {
        id: 'k1',
        hash: hashApiKey(key),
        tenant_id: 'acme',
        source: 'web',
        created_at: '2025-01-01T00:00:00Z',
      },
    ]);
    expect(store.find(key)).toMatchObject({ tenant_id: 'acme', source: 'web' });
    expect(store.find(generateApiKey())).toBeUndefined();
    expect(store.find(undefined)).toBeUndefined();
  });
});
