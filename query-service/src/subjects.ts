import type { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { STREAM_NAMES, type StreamName } from '@backbone/schemas';
import {
  CONSENT_LATEST,
  CONSENT_PURPOSES,
  TABLES,
  erasureProgress,
  exportTokens,
  ident,
  noteAccepted,
  qualified,
  rawTable,
  requestMessage,
  subjectColumns,
  type ErasureProgress,
  type ErasureRequest,
} from '@backbone/warehouse';
import { kafkaAuth } from '@backbone/runtime';

/** Subject requests as the query service hands them on (the workers hold the keys). */
export interface SubjectRequests {
  /** Notes the request in the audit and queues it; resolves once Kafka has it. */
  submit(request: ErasureRequest): Promise<void>;
  progress(tenant: string, id: string): Promise<ErasureProgress | undefined>;
  /** What an export request resolved to: the subject's tokens, or undefined while waiting. */
  exportTokens(tenant: string, id: string): Promise<string[] | undefined>;
  /** The subject's consent decisions (by its anonymous id's tokens): latest, and history. */
  consent(tenant: string, tokens: string[]): Promise<ConsentRecord | undefined>;
  /** A stream's rows that carry one of the tokens, as NDJSON lines (`stream` first). */
  rows(stream: StreamName, tenant: string, tokens: string[]): Promise<Readable>;
  stop(): Promise<void>;
}

/** A purpose's latest decision: granted or not, and when it took effect; null: never decided. */
export type PurposeDecision = { granted: boolean; at: string } | null;

export interface ConsentRecord {
  latest: Record<(typeof CONSENT_PURPOSES)[number], PurposeDecision> & {
    text_version: string | null;
    text_sha256: string | null;
    method: string;
    decided_at: string;
  };
  history: Record<string, unknown>[];
}

/** The streams an export reads, in order. */
export const EXPORT_STREAMS: readonly StreamName[] = STREAM_NAMES;

/**
 * Erasure requests onto the requests topic (`<prefix>_subject_erasure_requests`), their
 * progress from `subject_request_log`. The producer connects on the first request, so Kafka
 * is not a dependency of the dashboard's queries.
 */
export function kafkaSubjectRequests(o: {
  brokers: string[];
  topicPrefix: string;
  /** May insert into subject_request_log (the audit writer). */
  writer: ClickHouseClient;
  reader: ClickHouseClient;
  database: string;
}): SubjectRequests {
  const kafka = new Kafka({
    ...kafkaAuth(),
    clientId: 'query-service',
    brokers: o.brokers,
    logLevel: logLevel.NOTHING,
  });
  let producer: Promise<Producer> | undefined;
  const connected = () =>
    (producer ??= (async () => {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      try {
        await p.connect();
      } catch (err) {
        producer = undefined;
        throw err;
      }
      return p;
    })());
  return {
    async submit(request) {
      const p = await connected();
      await noteAccepted(o.writer, o.database, request);
      await p.send({
        topic: `${o.topicPrefix}_subject_erasure_requests`,
        acks: -1,
        messages: [requestMessage(request)],
      });
    },
    progress: (tenant, id) => erasureProgress(o.reader, o.database, tenant, id),
    exportTokens: (tenant, id) => exportTokens(o.reader, o.database, tenant, id),
    async consent(tenant, tokens) {
      const params = { tenant, tokens };
      const where = `e.tenant_id = {tenant:String} AND e.anonymous_id IN {tokens:Array(String)}`;
      const table = qualified({ database: o.database, suffix: '' }, TABLES.consentEvents);
      const [latest] = await (
        await o.reader.query({
          query: `SELECT ${CONSENT_LATEST.join(', ')} FROM ${table} AS e
WHERE ${where} AND e.event_type = 'consent_decision' HAVING decisions > 0`,
          query_params: params,
          format: 'JSONEachRow',
        })
      ).json<Record<string, unknown>>();
      if (!latest) return undefined;
      const history = await (
        await o.reader.query({
          query: `SELECT event_id, event_type, occurred_at, received_at, source,
  ${CONSENT_PURPOSES.join(', ')}, text_version, text_sha256, method
FROM ${table} AS e WHERE ${where} ORDER BY received_at, event_id`,
          query_params: params,
          format: 'JSONEachRow',
        })
      ).json<Record<string, unknown>>();
      const iso = (v: unknown) => new Date(`${String(v).replace(' ', 'T')}Z`).toISOString();
      const decision = (p: (typeof CONSENT_PURPOSES)[number]): PurposeDecision =>
        latest[p] === null || latest[p] === undefined
          ? null
          : { granted: Boolean(latest[p]), at: iso(latest[`${p}_at`]) };
      return {
        latest: {
          analytics: decision('analytics'),
          marketing: decision('marketing'),
          functional: decision('functional'),
          text_version: (latest.text_version as string | null) ?? null,
          text_sha256: (latest.text_sha256 as string | null) ?? null,
          method: String(latest.method),
          decided_at: iso(latest.decided_at),
        },
        history,
      };
    },
    async rows(stream, tenant, tokens) {
      const match = subjectColumns(stream)
        .map((c) => `ifNull(${ident(c)}, '') IN {tokens:Array(String)}`)
        .join(' OR ');
      const { stream: body } = await o.reader.exec({
        query: `SELECT {stream:String} AS stream, * FROM ${qualified({ database: o.database, suffix: '' }, rawTable(stream))}
WHERE tenant_id = {tenant:String} AND (${match})
ORDER BY occurred_at, event_id
FORMAT JSONEachRow`,
        query_params: { stream, tenant, tokens },
      });
      return body;
    },
    async stop() {
      if (producer) await (await producer.catch(() => undefined))?.disconnect();
    },
  };
}
