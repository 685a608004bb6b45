import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from './raw-tables.js';
import { TABLES } from './tables.js';

/** The kinds of subject, as the client names them. */
export type SubjectKind = 'user' | 'anonymous';

/** A subject request as the API and the CLI take it: the id as the client sent it. */
export interface ErasureRequest {
  id: string;
  /** erasure (the default), or export: the subject's tokens resolved for an access request. */
  type?: 'erasure' | 'export';
  tenant: string;
  kind: SubjectKind;
  subjectId: string;
  requestedBy: string;
  requestedAt: number;
}

/** The stores an erasure goes through, in order (docs/privacy.md#erasure). */
export type ErasureState = 'accepted' | 'counted' | 'done' | 'failed';
const RANK: Record<ErasureState, number> = { accepted: 1, counted: 2, done: 3, failed: 4 };

/** A log row's version: later writes win, and of two in one millisecond the later state. */
export const logVersion = (state: ErasureState, at = Date.now()) => at * 8 + RANK[state];

/** A new request, checked: a tenant, and exactly one of user id and anonymous id. */
export function newErasureRequest(input: {
  tenant: string;
  userId?: string | null | undefined;
  anonymousId?: string | null | undefined;
  requestedBy: string;
  type?: 'erasure' | 'export';
}): ErasureRequest {
  const user = input.userId ?? undefined;
  const anonymous = input.anonymousId ?? undefined;
  if ((user === undefined) === (anonymous === undefined))
    throw new ErasureInputError('give exactly one of user_id and anonymous_id');
  const subjectId = (user ?? anonymous)!;
  const field = user !== undefined ? 'user_id' : 'anonymous_id';
  if (typeof subjectId !== 'string' || subjectId.length === 0 || subjectId.length > 512)
    throw new ErasureInputError(`${field}: a string of 1 to 512 characters`);
  if (!input.tenant) throw new ErasureInputError('tenant: required');
  return {
    id: randomUUID(),
    ...(input.type === 'export' ? { type: 'export' as const } : {}),
    tenant: input.tenant,
    kind: user !== undefined ? 'user' : 'anonymous',
    subjectId,
    requestedBy: input.requestedBy,
    requestedAt: Date.now(),
  };
}

export class ErasureInputError extends Error {}

/** The Kafka record of a request (keyed by its id). */
export const requestMessage = (r: ErasureRequest) => ({ key: r.id, value: JSON.stringify(r) });

/**
 * Notes a request as accepted in the audit before it is queued, so it can be followed at
 * once; the subject's reference is filled in by the job (only the workers can derive it).
 */
export async function noteAccepted(
  clickhouse: ClickHouseClient,
  database: string,
  request: ErasureRequest,
): Promise<void> {
  await writeLog(clickhouse, database, {
    request,
    ref: '',
    store: 'request',
    state: 'accepted',
    rows: 0,
    detail: '',
  });
}

/** One row of a request's audit and progress (subject_request_log). */
export async function writeLog(
  clickhouse: ClickHouseClient,
  database: string,
  row: {
    request: ErasureRequest;
    ref: string;
    store: string;
    state: ErasureState;
    rows: number;
    detail: string;
  },
): Promise<void> {
  const { request } = row;
  await clickhouse.insert({
    table: qualified({ database, suffix: '' }, TABLES.subjectRequestLog),
    format: 'JSONEachRow',
    values: [
      {
        request_id: request.id,
        request_kind: request.type ?? 'erasure',
        tenant_id: request.tenant,
        subject_ref: row.ref,
        subject_kind: request.kind,
        requested_by: request.requestedBy,
        requested_at: request.requestedAt,
        store: row.store,
        state: row.state,
        rows: row.rows,
        detail: row.detail,
        version: logVersion(row.state),
      },
    ],
  });
}

export interface ErasureProgress {
  id: string;
  tenant: string;
  /** queued: not picked up yet; running; done; failed (retried by the worker). */
  state: 'queued' | 'running' | 'done' | 'failed';
  requestedAt: string;
  requestedBy: string;
  completedAt: string | null;
  /** Per store: keys, ledger, each ClickHouse table, caches; rows (or keys) removed. */
  stores: { store: string; state: ErasureState; rows: number; detail: string }[];
}

/** A request's progress from the audit, or undefined when the tenant has no such request. */
export async function erasureProgress(
  clickhouse: ClickHouseClient,
  database: string,
  tenant: string,
  id: string,
): Promise<ErasureProgress | undefined> {
  const rows = await (
    await clickhouse.query({
      query: `SELECT store, toString(state) AS state, rows, detail,
  formatDateTime(requested_at, '%Y-%m-%dT%H:%i:%S.%fZ') AS requested_at, requested_by,
  formatDateTime(at, '%Y-%m-%dT%H:%i:%S.%fZ') AS at
FROM ${qualified({ database, suffix: '' }, TABLES.subjectRequestLog)} FINAL
WHERE tenant_id = {tenant:String} AND request_id = {id:String} AND request_kind = 'erasure'
ORDER BY at, store`,
      query_params: { tenant, id },
      format: 'JSONEachRow',
    })
  ).json<{
    store: string;
    state: ErasureState;
    rows: string | number;
    detail: string;
    requested_at: string;
    requested_by: string;
    at: string;
  }>();
  const request = rows.find((r) => r.store === 'request');
  if (!request) return undefined;
  const stores = rows
    .filter((r) => r.store !== 'request')
    .map((r) => ({ store: r.store, state: r.state, rows: Number(r.rows), detail: r.detail }));
  const state =
    request.state === 'done'
      ? 'done'
      : request.state === 'failed'
        ? 'failed'
        : stores.length > 0 || request.detail === 'running'
          ? 'running'
          : 'queued';
  return {
    id,
    tenant,
    state,
    requestedAt: request.requested_at,
    requestedBy: request.requested_by,
    completedAt: request.state === 'done' ? request.at : null,
    stores,
  };
}

/**
 * The tokens an export request resolved to (the workers write them, with a marker row of an
 * empty token once done), or undefined while it waits for them.
 */
export async function exportTokens(
  clickhouse: ClickHouseClient,
  database: string,
  tenant: string,
  id: string,
): Promise<string[] | undefined> {
  const rows = await (
    await clickhouse.query({
      query: `SELECT token FROM ${qualified({ database, suffix: '' }, TABLES.subjectExportTokens)}
WHERE tenant_id = {tenant:String} AND request_id = {id:String}`,
      query_params: { tenant, id },
      format: 'JSONEachRow',
    })
  ).json<{ token: string }>();
  if (!rows.some((r) => r.token === '')) return undefined;
  return [...new Set(rows.map((r) => r.token).filter(Boolean))];
}
