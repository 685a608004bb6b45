import { moduleLogger, type Logger } from '@backbone/runtime';
import { kafkaLogCreator } from '@backbone/runtime';
import type { StreamEvents, StreamName } from '@backbone/schemas';
import { EventProducer, type EventProducerOptions } from '@backbone/schemas/producer';
import { UnavailableError } from './errors.js';
import type { EventSink } from './ingest.route.js';

/**
 * The gateway's sink: the producer SDK, connected in the background. Until Kafka and the
 * registry answer (and after close) produce() fails fast with UnavailableError, so the
 * gateway starts, answers 503 and reports not-ready instead of crashing, and recovers by itself.
 */
export class KafkaSink implements EventSink {
  private producer: EventProducer | undefined;
  private stopped = false;
  private connecting: Promise<void> | undefined;

  private readonly logger: Logger;

  constructor(
    private readonly options: Omit<EventProducerOptions, 'logCreator'>,
    logger: Logger,
    private readonly retryMs = 2000,
  ) {
    this.logger = moduleLogger(logger, 'kafka');
  }

  get connected(): boolean {
    return this.producer !== undefined;
  }

  get pending(): number {
    return this.producer?.pending ?? 0;
  }

  /** Starts connecting; resolves once connected (or when stopped). */
  start(): Promise<void> {
    this.connecting ??= this.connectLoop();
    return this.connecting;
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped && !this.producer) {
      try {
        this.producer = await EventProducer.connect({
          ...this.options,
          logCreator: kafkaLogCreator(this.logger),
        });
        this.logger.info({ attempt }, 'connected to Kafka and the schema registry');
      } catch (err) {
        if (attempt++ % 15 === 0) {
          this.logger.warn(
            { err },
            'cannot reach Kafka or the schema registry yet; answering 503 until then (check KAFKA_BROKERS, SCHEMA_REGISTRY_URL, and that the schemas are registered)',
          );
        }
        await new Promise((r) => setTimeout(r, this.retryMs));
      }
    }
  }

  produce<S extends StreamName>(
    stream: S,
    event: StreamEvents[S],
    headers?: Record<string, string>,
  ): Promise<void> {
    if (!this.producer) return Promise.reject(new UnavailableError('not connected to Kafka yet'));
    return this.producer.produce(stream, event, headers);
  }

  /** Delivers what was accepted, then disconnects. */
  async close(): Promise<void> {
    this.stopped = true;
    // Not connected: nothing was accepted, so there is nothing to deliver and no reason to
    // wait for a connection attempt that is only going to be thrown away.
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close();
  }
}
