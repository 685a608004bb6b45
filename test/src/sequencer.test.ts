import { describe, expect, it } from 'vitest';
import { spread } from './sequencer.js';

const file = (moduleId: string, project = 'integration') => ({
  moduleId,
  project: { name: project },
});

describe('spread', () => {
  it('keeps the heavy files of a project apart, the other files in their order', () => {
    const files = [
      file('/r/a.test.ts', 'unit'),
      file('/r/deploy/local/test/clickhouse.integration.test.ts'),
      file('/r/test/e2e/dashboard.integration.test.ts'),
      file('/r/deploy/local/test/kafka-cluster.integration.test.ts'),
      ...Array.from({ length: 6 }, (_, i) => file(`/r/x${i}.integration.test.ts`)),
    ];
    const order = spread(files).map((f) => f.moduleId.replace('/r/', ''));
    expect(order[0]).toBe('a.test.ts');
    const at = (name: string) => order.findIndex((m) => m.includes(name));
    expect(at('dashboard')).toBe(1);
    expect(at('kafka-cluster') - at('dashboard')).toBeGreaterThanOrEqual(4);
    expect(order.filter((m) => m.startsWith('x'))).toEqual(
      ['x0', 'x1', 'x2', 'x3', 'x4', 'x5'].map((x) => `${x}.integration.test.ts`),
    );
    expect(order).toHaveLength(files.length);
  });
});
