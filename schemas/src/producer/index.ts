export { EventProducer, type EventProducerOptions } from './event-producer.js';
export { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.js';
