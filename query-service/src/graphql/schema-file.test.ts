import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { schemaSDL } from './schema.js';

const FILE = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

describe('query-service/schema.graphql', () => {
  it('is the schema the service serves (UPDATE_GOLDEN=1 npm run test:unit writes it)', () => {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(FILE, schemaSDL());
    expect(readFileSync(FILE, 'utf8')).toBe(schemaSDL());
  });
});
