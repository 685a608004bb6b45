import path from 'node:path';
import { z } from 'zod';
import { parseConfig, port } from '@backbone/runtime';
import { DEFAULT_DATA_DIR } from './stack/layout.js';

/**
 * What the local stack's commands (`npm start`, `npm run stack`, `npm run simulate`) read from
 * the environment, validated once at start-up like every service's configuration.
 */
export const LocalConfig = z.object({
  /** Where the stack keeps its data, logs and credentials (`--data-dir` wins). */
  BACKBONE_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  GATEWAY_PORT: port(8080),
  QUERY_PORT: port(4000),
  /** Demo events per second `npm start` sends once the backfill is done. */
  SIMULATOR_RATE: z.coerce.number().positive().default(20),
  SIMULATOR_SEED: z.coerce.number().int().min(0).default(42),
  /** The JDK that runs Kafka, as Kafka's own scripts read it; unset: `java` on PATH. */
  JAVA_HOME: z.string().min(1).optional(),
});
export type LocalConfig = z.infer<typeof LocalConfig>;

export function localConfig(env: Record<string, unknown> = process.env): Readonly<LocalConfig> {
  return parseConfig(LocalConfig, env);
}

/** The data directory: the command line's, else the configuration's, as an absolute path. */
export function dataDirOf(config: LocalConfig, given: string | undefined): string {
  return path.resolve(given ?? config.BACKBONE_DATA_DIR);
}
