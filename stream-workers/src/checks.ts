import type { Admin } from 'kafkajs';
import { DEFAULT_CHECK_TIMEOUT_MS, type Check } from '@backbone/runtime';
import type { Refusal } from './sink/retry.js';

/** Readiness checks the workers share: the broker answers metadata, the registry lists subjects. */
export const kafkaCheck = (admin: Admin): Check => ({
  name: 'kafka',
  run: async () => {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length > 0;
  },
});

export const registryCheck = (url: string): Check => ({
  name: 'registry',
  run: async () =>
    (await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(DEFAULT_CHECK_TIMEOUT_MS) })).ok,
});

/**
 * Down while ClickHouse refuses a partition's batch (not a passing failure): names the table,
 * the ClickHouse error and what to do. Up again by itself once the partition's insert succeeds.
 */
export const insertsCheck = (sink: { refusals(): Refusal[] }): Check => ({
  name: 'inserts',
  run: () => {
    const refused = sink.refusals();
    if (refused.length === 0) return true;
    const byTable = new Map<string, Refusal>();
    for (const r of refused) byTable.set(`${r.table}/${r.code}`, r);
    const detail = [...byTable.values()]
      .map((r) => `${r.table} refuses inserts: ClickHouse error ${r.code} ${r.type}; ${r.action}`)
      .join('; ');
    return { up: false, detail };
  },
});
