import { describe, expect, it } from 'vitest';
import { parseComponents, sumMetric } from './ops.route.js';

describe('parseComponents', () => {
  it('reads name=url pairs and refuses an entry that is not one, naming it', () => {
    expect(parseComponents('gateway=http://127.0.0.1:8080/, sink=http://127.0.0.1:9401')).toEqual([
      { name: 'gateway', url: 'http://127.0.0.1:8080' },
      { name: 'sink', url: 'http://127.0.0.1:9401' },
    ]);
    expect(parseComponents('')).toEqual([]);
    expect(() => parseComponents('gateway')).toThrow(/"gateway" is not name=url/);
  });
});

describe('sumMetric', () => {
  it("adds a metric's samples over its labels and ignores metrics with a longer name", () => {
    const text = [
      '# HELP backbone_consumer_lag Records behind',
      '# TYPE backbone_consumer_lag gauge',
      'backbone_consumer_lag{worker="sink",topic="events.web.v1",partition="0"} 12',
      'backbone_consumer_lag{worker="sink",topic="events.web.v1",partition="1"} 30',
      'backbone_consumer_lag_total 999',
    ].join('\n');
    expect(sumMetric(text, 'backbone_consumer_lag')).toBe(42);
    expect(sumMetric(text, 'absent_metric')).toBeUndefined();
  });
});
