import type { ClickHouseClient } from '@clickhouse/client';
import type { Redis } from 'ioredis';
import { consentStateKey, type Logger } from '@backbone/runtime';
import { STREAM_NAMES, type StreamName } from '@backbone/schemas';
import {
  familyOf,
  ident,
  mutationTarget,
  qualified,
  rawTable,
  subjectColumns,
  TABLES,
  type ErasureRequest,
  type ErasureState,
  writeLog,
} from '@backbone/warehouse';
import { subjectToken } from './crypto.js';
import type { SubjectStore } from './store.js';

/** A test hook: called as each store reaches a state (a fault test kills the process there). */
export type ErasureStep = (store: string, state: ErasureState) => void;

export interface ErasureJobOptions {
  store: SubjectStore;
  clickhouse: ClickHouseClient;
  database: string;
  /** CLICKHOUSE_CLUSTER: deletes go to the shards' local tables. */
  cluster?: string | undefined;
  /** The query service's cache (its CACHE_NAMESPACE); none: nothing cached to clear. */
  cache?: { redis: Redis; namespace: string };
  logger: Logger;
  /** How long after the deletes the tables are checked again for rows a sink had in flight. */
  settleMs?: number;
  /**
   * The tokens the subject's id had before persons' keys (the tenant's hash or token of it):
   * rows written then are erased with the rest.
   */
  legacyTokens?: (request: ErasureRequest) => string[];
  onStep?: ErasureStep;
}

/** Session tables: one row per session (per day), fed by which streams' raw tables. */
const SESSION_TABLES: { table: string; streams: StreamName[] }[] = [
  { table: TABLES.webSessions, streams: ['web'] },
  { table: TABLES.sttSessions, streams: STREAM_NAMES.filter((s) => familyOf(s).name === 'stt') },
  { table: TABLES.sttSpeakers, streams: STREAM_NAMES.filter((s) => familyOf(s).name === 'stt') },
];

interface LogRow {
  store: string;
  state: ErasureState;
  rows: number;
  detail: string;
}

/** The days a log row's detail names (`days=2026-12-01,2026-12-02; …`). */
const daysIn = (detail: string): string[] =>
  /days=([0-9,-]*)/.exec(detail)?.[1]?.split(',').filter(Boolean) ?? [];

/**
 * How many of a replay's differing table-days an erasure explains: a rollup (not a raw table)
 * on a day an erasure deleted rows of the family's raw tables from. The live rollup still
 * counts the erased rows; the one rebuilt from events.* (without them) does not.
 */
export async function expectedByErasures(
  clickhouse: ClickHouseClient,
  database: string,
  family: { raw: readonly string[] },
  v: { differences: { table: string; day: string }[] },
): Promise<number> {
  const erased = await erasedDays(clickhouse, database, family.raw);
  return v.differences.filter((d) => !family.raw.includes(d.table) && erased.has(d.day)).length;
}

/** The days on which erasures deleted rows from these raw tables. */
async function erasedDays(
  clickhouse: ClickHouseClient,
  database: string,
  rawTables: readonly string[],
): Promise<Set<string>> {
  const rows = await (
    await clickhouse.query({
      query: `SELECT detail FROM ${qualified({ database, suffix: '' }, TABLES.subjectRequestLog)} FINAL
WHERE store IN {tables:Array(String)} AND state = 'done' AND rows > 0`,
      query_params: { tables: rawTables },
      format: 'JSONEachRow',
    })
  ).json<{ detail: string }>();
  return new Set(rows.flatMap((r) => daysIn(r.detail)));
}

/**
 * One erasure, idempotent and resumable (docs/privacy.md#erasure). In order:
 * 1. keys: the ledger entry (the subject's tokens, erased as of now) is written to Kafka, then
 *    every key of the subject is tombstoned; from then on its tokens cannot be derived again;
 * 2. ledger: the tokens go into ClickHouse's `subject_erasures`, which the landing views read,
 *    so no sink or replay inserts a row of the subject again;
 * 3. each session table, then each raw table: the subject's rows are counted (the count is
 *    recorded first), then deleted (lightweight DELETE); a resumed job deletes again and keeps
 *    the count it recorded, so every count is recorded once;
 * 4. a second look after a sink's batch in flight could have landed (rows found are deleted
 *    and added to the table's count), then the query service's cached answers for the tenant.
 * Every step is written to `subject_request_log`, which holds the subject's reference only.
 */
export class ErasureJob {
  constructor(private readonly options: ErasureJobOptions) {}

  async run(request: ErasureRequest): Promise<{ rows: number }> {
    const { store, logger } = this.options;
    const ref = store.ref(request.tenant, request.kind, request.subjectId);
    const done = await this.logged(request.id, request.tenant);
    if (done.get('request')?.state === 'done')
      return {
        rows: [...done.values()].reduce((n, r) => n + (r.store === 'request' ? 0 : r.rows), 0),
      };
    await this.log(request, ref, 'request', 'accepted', 0, 'running');

    // 1. Keys, and the ledger entry before them.
    await store.catchUp();
    const keys = done.get('keys');
    if (keys?.state !== 'done') {
      let count = keys?.rows;
      if (count === undefined) {
        count = store.liveKeys(ref).length;
        await this.log(request, ref, 'keys', 'counted', count, '');
      }
      const more = await this.shred(request, ref);
      await this.log(request, ref, 'keys', 'done', count + more, '');
    }
    const erased = store.erasure(ref)?.tokens ?? [];

    // 2. The warehouse's copy of the ledger.
    if (done.get('ledger')?.state !== 'done') {
      if (erased.length > 0)
        await this.options.clickhouse.insert({
          table: this.table(TABLES.subjectErasures),
          format: 'JSONEachRow',
          values: erased.map((token) => ({
            token,
            tenant_id: request.tenant,
            erased_at: store.erasure(ref)!.erasedAt,
          })),
        });
      await this.log(request, ref, 'ledger', 'done', erased.length, '');
    }

    // 3. Rows: sessions first (found through the raw rows), then the raw rows.
    let total = 0;
    if (erased.length > 0) {
      for (const s of SESSION_TABLES)
        total += await this.remove(request, ref, done, s.table, this.sessionsOf(s, erased));
      for (const stream of STREAM_NAMES)
        total += await this.remove(
          request,
          ref,
          done,
          rawTable(stream),
          this.rowsOf(stream, erased),
        );
      // 4. A batch a sink had in flight before the ledger reached ClickHouse.
      await new Promise((r) => setTimeout(r, this.options.settleMs ?? 2000));
      for (const stream of STREAM_NAMES) total += await this.late(request, ref, stream, erased);
    }
    const cleared = await this.clearCache(request);
    await this.log(
      request,
      ref,
      'cache',
      'done',
      cleared.answers + cleared.consent,
      this.options.cache
        ? `query answers=${cleared.answers}; consent state=${cleared.consent}`
        : 'no cache configured',
    );
    await this.log(request, ref, 'request', 'done', total, '');
    logger.info({ requestId: request.id, tenant: request.tenant, rows: total }, 'subject erased');
    return { rows: total };
  }

  /**
   * Writes the ledger entry, then tombstones the subject's keys; again while keys appear
   * that were made before the erasure (an enrich instance that had not seen the entry yet).
   * How many keys appeared after the first round.
   */
  private async shred(request: ErasureRequest, ref: string): Promise<number> {
    const { store } = this.options;
    const before = store.erasure(ref);
    // The same request resumed keeps its time; a new one for the subject erases as of now.
    const erasedAt = before?.requestId === request.id ? before.erasedAt : Date.now();
    const tokens = new Set([
      ...(before?.tokens ?? []),
      ...(this.options.legacyTokens?.(request) ?? []),
    ]);
    let shredded = 0;
    let first = 0;
    for (let round = 0; round < 5; round++) {
      const live = store.liveKeys(ref).filter((k) => k.createdAt <= erasedAt);
      for (const k of live) tokens.add(subjectToken(k.key, request.kind));
      await store.recordErasure(ref, {
        tenant: request.tenant,
        kind: request.kind,
        erasedAt,
        tokens: [...tokens].sort(),
        requestId: request.id,
      });
      await store.shred(
        ref,
        live.map((k) => k.id),
      );
      if (round === 0) first = live.length;
      shredded += live.length;
      this.options.onStep?.('keys', 'accepted');
      await store.catchUp();
      if (!store.liveKeys(ref).some((k) => k.createdAt <= erasedAt)) break;
    }
    return shredded - first;
  }

  /** Rows of the subject in a stream's raw table. */
  private rowsOf(stream: StreamName, tokens: string[]) {
    const table = this.table(rawTable(stream));
    const where = subjectColumns(stream)
      .map((c) => `ifNull(${ident(c)}, '') IN {tokens:Array(String)}`)
      .join(' OR ');
    return { table, where: `tenant_id = {tenant:String} AND (${where})`, tokens, days: true };
  }

  /** Rows of a session table for the sessions the subject's raw rows belong to. */
  private sessionsOf(s: { table: string; streams: StreamName[] }, tokens: string[]) {
    const sessions = s.streams
      .map((stream) => {
        const rows = this.rowsOf(stream, tokens);
        return `SELECT session_id FROM ${rows.table} WHERE ${rows.where}`;
      })
      .join(' UNION DISTINCT ');
    return {
      table: this.table(s.table),
      where: `tenant_id = {tenant:String} AND session_id IN (${sessions})`,
      tokens,
    };
  }

  /** Counts (recorded first), then deletes; a resumed job deletes again and keeps its count. */
  private async remove(
    request: ErasureRequest,
    ref: string,
    done: Map<string, LogRow>,
    store: string,
    target: { table: string; where: string; tokens: string[]; days?: boolean },
  ): Promise<number> {
    const seen = done.get(store);
    if (seen?.state === 'done') return seen.rows;
    const params = { tenant: request.tenant, tokens: target.tokens };
    let rows = seen?.state === 'counted' ? seen.rows : undefined;
    let detail = seen?.detail ?? '';
    if (rows === undefined) {
      ({ rows, detail } = await this.count(target.table, target.where, params, target.days));
      await this.log(request, ref, store, 'counted', rows, detail);
    }
    if (rows > 0) await this.delete(target.table, target.where, params);
    await this.log(request, ref, store, 'done', rows, detail);
    return rows;
  }

  /** Rows that landed after the deletes (a batch in flight): deleted, added to the count. */
  private async late(request: ErasureRequest, ref: string, stream: StreamName, tokens: string[]) {
    const target = this.rowsOf(stream, tokens);
    const params = { tenant: request.tenant, tokens };
    const late = await this.count(target.table, target.where, params, true);
    if (late.rows === 0) return 0;
    const before = (await this.logged(request.id, request.tenant)).get(rawTable(stream));
    await this.delete(target.table, target.where, params);
    const days = new Set([...daysIn(before?.detail ?? ''), ...daysIn(late.detail)]);
    await this.log(
      request,
      ref,
      rawTable(stream),
      'done',
      (before?.rows ?? 0) + late.rows,
      `days=${[...days].sort().join(',')}; ${late.rows} late`,
    );
    return late.rows;
  }

  /** Rows that match, and for a raw table the days they are on (`days=…`, replay reads it). */
  private async count(
    table: string,
    where: string,
    params: Record<string, unknown>,
    days = false,
  ): Promise<{ rows: number; detail: string }> {
    const [row] = await (
      await this.options.clickhouse.query({
        query: `SELECT count() AS n${days ? ", arrayStringConcat(arraySort(groupUniqArray(toString(toDate(occurred_at)))), ',') AS days" : ''} FROM ${table} WHERE ${where}`,
        query_params: params,
        format: 'JSONEachRow',
      })
    ).json<{ n: string | number; days?: string }>();
    const rows = Number(row?.n ?? 0);
    return { rows, detail: days && rows > 0 ? `days=${row?.days ?? ''}` : '' };
  }

  private async delete(table: string, where: string, params: Record<string, unknown>) {
    await this.options.clickhouse.command({
      query: `DELETE FROM ${mutationTarget(table, this.options.cluster)} WHERE ${where}`,
      query_params: params,
      // Returns once the rows are gone for every reader.
      clickhouse_settings: { lightweight_deletes_sync: '2' },
    });
  }

  /**
   * Drops the tenant's cached query answers (they may count the subject's rows) and the
   * subject's recorded consent the gateway keeps (docs/privacy.md#consent-records).
   */
  private async clearCache(request: ErasureRequest): Promise<{ answers: number; consent: number }> {
    const cache = this.options.cache;
    if (!cache) return { answers: 0, consent: 0 };
    const consent = await cache.redis.unlink(
      consentStateKey(request.tenant, request.kind, request.subjectId),
    );
    const match = `${cache.namespace ? `${cache.namespace}:` : ''}qc:${request.tenant}:*`;
    let cursor = '0';
    let cleared = 0;
    do {
      const [next, keys] = await cache.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) cleared += await cache.redis.unlink(...keys);
    } while (cursor !== '0');
    return { answers: cleared, consent };
  }

  private table(name: string) {
    return qualified({ database: this.options.database, suffix: '' }, name);
  }

  /** What the log holds for the request, by store. */
  private async logged(id: string, tenant: string): Promise<Map<string, LogRow>> {
    const rows = await (
      await this.options.clickhouse.query({
        query: `SELECT store, toString(state) AS state, rows, detail FROM ${this.table(TABLES.subjectRequestLog)} FINAL
WHERE tenant_id = {tenant:String} AND request_id = {id:String}`,
        query_params: { tenant, id },
        format: 'JSONEachRow',
      })
    ).json<{ store: string; state: ErasureState; rows: string | number; detail: string }>();
    return new Map(rows.map((r) => [r.store, { ...r, rows: Number(r.rows) }]));
  }

  private async log(
    request: ErasureRequest,
    ref: string,
    store: string,
    state: ErasureState,
    rows: number,
    detail: string,
  ): Promise<void> {
    const { clickhouse, database } = this.options;
    await writeLog(clickhouse, database, { request, ref, store, state, rows, detail });
    this.options.onStep?.(store, state);
  }
}
