import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '@backbone/runtime';
import { registerRoutes } from './routes.js';
import { RegistryStore, type RegistryRecord } from './store.js';

export interface RegistryAppOptions {
  logger: Logger;
  store?: RegistryStore;
  persist: (records: RegistryRecord[]) => Promise<void>;
}

/** The registry's HTTP app; request logging is off (the API carries schemas, not secrets, but is chatty). */
export function buildRegistryApp(options: RegistryAppOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  registerRoutes(app, {
    store: options.store ?? new RegistryStore(),
    persist: options.persist,
    logger: options.logger,
  });
  return app;
}
