export { EventProducer, type EventProducerOptions, type EventsByKind } from './event-producer.js';
export { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.js';
