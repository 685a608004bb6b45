import { Kafka, Partitioners, logLevel, type IHeaders, type Producer } from 'kafkajs';
import { topicName, type SchemaKind, type StreamName } from '../catalog.js';
import { EventValidationError, ProduceError } from '../errors.js';
import type { EnrichedStreamEvents, StreamEvents } from '../generated/types.js';
import { confluentRegistry, StreamSerde, type SchemaRegistryClient } from '../serde.js';
import { validateEvent } from '../validate.js';
import { MicroBatcher } from './micro-batcher.js';

/** The value types of each kind of topic. */
export interface EventsByKind {
  raw: StreamEvents;
  events: EnrichedStreamEvents;
}

export interface EventProducerOptions<K extends SchemaKind = 'raw'> {
  brokers: string[];
  registryUrl: string;
  clientId: string;
  /** Which topics to write: raw.* (producers of events) or events.* (the enrich worker). */
  kind?: K;
  /**
   * Wait this long to share a produce call with later events (default 0: events of the same
   * tick, and those arriving while a batch is in flight, share one call anyway; measured,
   * a 2 ms linger only added tail latency).
   */
  lingerMs?: number;
  /** Events in one produce call, at most (default 1000). */
  maxBatch?: number;
  /** Events waiting or in flight, at most; past it produce() rejects with BufferFullError (default 20000). */
  maxPending?: number;
  /** kafkajs log creator (e.g. kafkaLogCreator(logger) from @backbone/runtime). */
  logCreator?: ConstructorParameters<typeof Kafka>[0]['logCreator'];
  /** Credentials (SASL, e.g. SCRAM-SHA-512) and TLS for an authenticated cluster. */
  sasl?: ConstructorParameters<typeof Kafka>[0]['sasl'];
  ssl?: boolean;
  /** Injected in tests. */
  registry?: SchemaRegistryClient;
}

interface Outgoing {
  topic: string;
  key: string;
  value: Buffer;
  headers?: IHeaders;
}

/**
 * Produces typed events to their stream's topic: validated like the gateway validates,
 * encoded in the Confluent wire format, keyed by session id, with acks=all and one request
 * in flight. Concurrent produce() calls share Kafka round trips; each resolves only when
 * Kafka acknowledged its event.
 */
export class EventProducer<K extends SchemaKind = 'raw'> {
  private readonly batcher: MicroBatcher<Outgoing>;

  private constructor(
    private readonly producer: Producer,
    private readonly serde: StreamSerde,
    options: EventProducerOptions<K>,
  ) {
    this.batcher = new MicroBatcher<Outgoing>({
      lingerMs: options.lingerMs ?? 0,
      maxBatch: options.maxBatch ?? 1000,
      maxPending: options.maxPending ?? 20_000,
      flush: (items) => this.send(items),
    });
  }

  static async connect<K extends SchemaKind = 'raw'>(
    options: EventProducerOptions<K>,
  ): Promise<EventProducer<K>> {
    const serde = await StreamSerde.open(
      options.registry ?? confluentRegistry(options.registryUrl),
      options.kind ?? 'raw',
    );
    const kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ...(options.sasl ? { sasl: options.sasl } : {}),
      ...(options.ssl ? { ssl: true } : {}),
      logLevel: logLevel.WARN,
      ...(options.logCreator ? { logCreator: options.logCreator } : {}),
    });
    const producer = kafka.producer({
      // Not idempotent: kafkajs' idempotent producer loses its sequence numbers when a
      // partition's leader moves (a broker fails) and then fails or drops sends
      // (schemas/README.md § The producer SDK). A send retried after an unanswered attempt may
      // write an event twice; enrich drops the second by event_id.
      idempotent: false,
      // One request in flight: retries cannot reorder a session's events.
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return new EventProducer<K>(producer, serde, options);
  }

  /** Events waiting for Kafka or in flight. */
  get pending(): number {
    return this.batcher.pending;
  }

  /**
   * Resolves once Kafka acknowledged the event. Rejects with EventValidationError (nothing
   * sent), BufferFullError (retry later) or ProduceError (Kafka did not take the batch).
   */
  produce<S extends StreamName>(
    stream: S,
    event: StreamEvents[S],
    headers?: Record<string, string>,
  ): Promise<void> {
    const errors = validateEvent(stream, event);
    if (errors.length > 0) return Promise.reject(new EventValidationError(errors));
    return this.batcher.add({
      topic: topicName(this.serde.kind, stream),
      key: event.envelope.session_id,
      value: this.serde.encode(stream, event),
      // The tenant in a header: dead letters are counted per tenant without decoding them.
      headers: { 'x-tenant-id': event.envelope.tenant_id, ...headers },
    });
  }

  private async send(items: Outgoing[]): Promise<void> {
    const byTopic = new Map<string, Outgoing[]>();
    for (const item of items) byTopic.set(item.topic, [...(byTopic.get(item.topic) ?? []), item]);
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({
          topic,
          messages: messages.map(({ key, value, headers }) => ({
            key,
            value,
            ...(headers ? { headers } : {}),
          })),
        })),
      });
    } catch (err) {
      throw new ProduceError(
        `Kafka did not acknowledge ${items.length} events: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /** Delivers everything accepted so far, then disconnects. */
  async close(): Promise<void> {
    await this.batcher.drain();
    await this.producer.disconnect();
  }
}
