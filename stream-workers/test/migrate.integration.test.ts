import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { createTestDatabase, testClickHouse, testStack } from '@backbone/test';
import { migrate, MIGRATIONS } from '@backbone/warehouse';
import { TABLES } from '@backbone/warehouse/tables';
import { runScript } from './child.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** `npm run migrate`'s entry point in a process of its own, against one database. */
async function migrateProcess(database: string): Promise<{ code: number | null; out: string }> {
  const stack = testStack();
  const { code, stdout, stderr } = await runScript('stream-workers/src/migrate.main.ts', [], {
    CLICKHOUSE_URL: stack.clickhouseUrl,
    CLICKHOUSE_USER: stack.clickhouseUser,
    CLICKHOUSE_PASSWORD: stack.clickhousePassword,
    CLICKHOUSE_DATABASE: database,
    LOG_LEVEL: 'warn',
  });
  return { code, out: stdout + stderr };
}

describe('migrate', () => {
  const client = testClickHouse();
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => drop?.());

  it('applies every migration once and records it; a second run changes nothing', async () => {
    const db = await createTestDatabase(client, 'mig');
    drop = db.drop;
    const first = await migrate({ client, database: db.name, logger });
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.id));
    const tables = async () =>
      (
        await (
          await client.query({
            query: `SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name`,
            query_params: { db: db.name },
            format: 'JSONEachRow',
          })
        ).json<{ name: string }>()
      ).map((t) => t.name);
    const before = await tables();
    expect(before).toEqual(
      expect.arrayContaining([
        `${TABLES.webEvents}`,
        `${TABLES.webTraffic1m}`,
        'web_traffic_1m_mv',
        `${TABLES.sttSessions}`,
        `${TABLES.sinkInflight}`,
        `${TABLES.schemaMigrations}`,
      ]),
    );
    const second = await migrate({ client, database: db.name, logger });
    expect(second).toEqual({
      applied: [],
      alreadyApplied: MIGRATIONS.map((m) => m.id),
      columnsAdded: [],
    });
    expect(await tables()).toEqual(before);
  });

  it('is safe when two instances start at once: each migration applied exactly once', async () => {
    const db = await createTestDatabase(client, 'mig');
    drop = db.drop;
    const runs = await Promise.all([migrateProcess(db.name), migrateProcess(db.name)]);
    for (const run of runs) expect(run.code, run.out).toBe(0);
    const outs = runs.map((r) => r.out).join('\n');
    expect(outs).toMatch(new RegExp(`${MIGRATIONS.length} migration\\(s\\) applied`));
    expect(outs).toMatch(
      new RegExp(`0 migration\\(s\\) applied, ${MIGRATIONS.length} already applied`),
    );
    const ledger = await (
      await client.query({
        query: `SELECT id, count() AS n FROM ${db.name}.${TABLES.schemaMigrations} GROUP BY id ORDER BY id`,
        format: 'JSONEachRow',
      })
    ).json<{ id: string; n: number }>();
    expect(ledger).toEqual(MIGRATIONS.map((m) => ({ id: m.id, n: 1 })));
  }, 60_000);

  it('adds the column a newer schema brings to a table created before it', async () => {
    const db = await createTestDatabase(client, 'mig');
    drop = db.drop;
    await migrate({ client, database: db.name, logger });
    await client.command({
      query: `ALTER TABLE ${db.name}.${TABLES.sttSessionEvents} DROP COLUMN message`,
    });
    const again = await migrate({ client, database: db.name, logger });
    expect(again.columnsAdded).toEqual([`${TABLES.sttSessionEvents}.message`]);
  });
});
