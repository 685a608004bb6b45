import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig } from './config.js';

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535),
  KAFKA_BROKERS: z.string().min(1),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn']).default('info'),
});

describe('parseConfig', () => {
  it('returns a frozen, typed configuration with defaults applied', () => {
    const config = parseConfig(schema, { PORT: '8080', KAFKA_BROKERS: 'localhost:9092' });
    expect(config).toEqual({ PORT: 8080, KAFKA_BROKERS: 'localhost:9092', LOG_LEVEL: 'info' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every invalid field at once, by name', () => {
    try {
      parseConfig(schema, { PORT: 'abc', LOG_LEVEL: 'loud' });
      expect.unreachable('parseConfig accepted an invalid configuration');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const fields = (err as ConfigError).issues.map((i) => i.field).sort();
      expect(fields).toEqual(['KAFKA_BROKERS', 'LOG_LEVEL', 'PORT']);
      expect((err as ConfigError).message).toContain('PORT');
    }
  });
});
