import type { ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import {
  erasureProgress,
  noteAccepted,
  requestMessage,
  type ErasureProgress,
  type ErasureRequest,
} from '@backbone/warehouse';

/** Subject requests as the query service hands them on (the workers hold the keys). */
export interface SubjectRequests {
  /** Notes the request in the audit and queues it; resolves once Kafka has it. */
  submit(request: ErasureRequest): Promise<void>;
  progress(tenant: string, id: string): Promise<ErasureProgress | undefined>;
  stop(): Promise<void>;
}

/**
 * Erasure requests onto the requests topic (`<prefix>_subject_erasure_requests`), their
 * progress from `subject_erasure_log`. The producer connects on the first request, so Kafka
 * is not a dependency of the dashboard's queries.
 */
export function kafkaSubjectRequests(o: {
  brokers: string[];
  topicPrefix: string;
  /** May insert into subject_erasure_log (the audit writer). */
  writer: ClickHouseClient;
  reader: ClickHouseClient;
  database: string;
}): SubjectRequests {
  const kafka = new Kafka({
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
    async stop() {
      if (producer) await (await producer.catch(() => undefined))?.disconnect();
    },
  };
}
