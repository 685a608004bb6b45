import { hostname } from 'node:os';
import type { ClickHouseClient } from '@clickhouse/client';
import { clickhouseTime, isClickHouseCode, qualified } from '@backbone/warehouse';

import { ReplayConflictError } from '../errors.js';
import { TABLES } from '@backbone/warehouse/tables';

export type RunState =
  'preparing' | 'replaying' | 'refused' | 'swapping' | 'swapped' | 'done' | 'discarded';

export interface RunRecord<D> {
  runId: string;
  state: RunState;
  detail: D;
  owner: string;
  updatedAt: string;
}

const FINISHED: RunState[] = ['done', 'discarded'];

/** Replay runs of one stream family (`replay_runs`): the state a resumed run goes on from. */
export class RunLedger<D> {
  private readonly table: string;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly database: string,
    private readonly family: string,
  ) {
    this.table = qualified({ database, suffix: '' }, `${TABLES.replayRuns}`);
  }

  async unfinished(): Promise<RunRecord<D> | undefined> {
    const rows = await (
      await this.client.query({
        query: `SELECT run_id, state, detail, owner, toString(updated_at) AS updated_at
FROM ${this.table} FINAL WHERE family = {family:String} AND state NOT IN ({finished:Array(String)})
ORDER BY updated_at DESC LIMIT 1`,
        query_params: { family: this.family, finished: FINISHED },
        format: 'JSONEachRow',
      })
    ).json<{
      run_id: string;
      state: RunState;
      detail: string;
      owner: string;
      updated_at: string;
    }>();
    const r = rows[0];
    return r
      ? {
          runId: r.run_id,
          state: r.state,
          detail: JSON.parse(r.detail) as D,
          owner: r.owner,
          updatedAt: r.updated_at,
        }
      : undefined;
  }

  async set(runId: string, state: RunState, detail: D): Promise<void> {
    await this.client.insert({
      table: this.table,
      format: 'JSONEachRow',
      values: [
        {
          family: this.family,
          run_id: runId,
          state,
          detail: JSON.stringify(detail),
          owner: `${hostname()}:${process.pid}`,
          updated_at: clickhouseTime(Date.now()),
        },
      ],
    });
  }

  /**
   * One replay per family at a time: CREATE TABLE of one name succeeds for one caller. A lock
   * left by a process of this host that is gone (kill -9) is taken over.
   */
  async lock(): Promise<{ release: () => Promise<void> }> {
    const lockTable = qualified(
      { database: this.database, suffix: '' },
      `replay_lock_${this.family}`,
    );
    const owner = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
    const holder = async () => {
      const [row] = await (
        await this.client.query({
          query: `SELECT comment FROM system.tables WHERE database = {db:String} AND name = {name:String}`,
          query_params: { db: this.database, name: `replay_lock_${this.family}` },
          format: 'JSONEachRow',
        })
      ).json<{ comment: string }>();
      return row ? (JSON.parse(row.comment || '{}') as Partial<typeof owner>) : undefined;
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      // Looked at first (a refused CREATE is logged as an error by the client), then taken.
      let held = await holder();
      if (!held)
        try {
          await this.client.command({
            query: `CREATE TABLE ${lockTable} (x UInt8) ENGINE = Memory COMMENT '${JSON.stringify(owner)}'`,
          });
          return {
            release: async () => {
              await this.client.command({ query: `DROP TABLE IF EXISTS ${lockTable}` });
            },
          };
        } catch (err) {
          if (!isClickHouseCode(err, 'TABLE_ALREADY_EXISTS')) throw err;
        }
      held ??= (await holder()) ?? {};
      if (held.host === hostname() && held.pid !== undefined && !alive(held.pid)) {
        await this.client.command({ query: `DROP TABLE IF EXISTS ${lockTable}` });
        continue;
      }
      throw new ReplayConflictError(
        `a replay of ${this.family} is already running (pid ${held.pid ?? '?'} on ${held.host ?? '?'}, since ${held.since ?? '?'}); wait for it, or if that process is gone for good, DROP TABLE ${lockTable}`,
      );
    }
    throw new ReplayConflictError(`could not take the replay lock of ${this.family}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
