export { SinkWorker } from './sink/sink.worker.js';
