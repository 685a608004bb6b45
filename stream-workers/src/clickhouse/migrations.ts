import { STREAM_NAMES } from '@backbone/schemas';
import { qualified, rawTableDdl, type TableNames } from './raw-tables.js';
import { sttRollups } from './stt-rollups.js';
import { webRollups } from './web-rollups.js';

/**
 * The ClickHouse model, in order. Statements are idempotent (IF NOT EXISTS), so a migration
 * interrupted half-way is simply run again. `names` lets replay build shadow copies from the
 * very same statements. Never edit an applied migration's meaning: add a new one.
 */
export interface Migration {
  id: string;
  description: string;
  statements: (names: TableNames) => string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_raw_tables',
    description: 'one raw table per stream, columns derived from the enriched schemas',
    statements: (names) => STREAM_NAMES.map((stream) => rawTableDdl(stream, names)),
  },
  {
    id: '0002_web_rollups',
    description: 'web traffic per minute; pages, sources, devices, countries per hour; sessions',
    statements: webRollups,
  },
  {
    id: '0003_stt_rollups',
    description: 'STT quality and errors per minute; STT sessions; speakers per session',
    statements: sttRollups,
  },
  {
    id: '0004_sink_inflight',
    description: "the sink's durable record of the batch it is inserting, per partition",
    statements: (names) => [
      `CREATE TABLE IF NOT EXISTS ${qualified(names, 'sink_inflight')} (
  consumer_group String,
  topic String,
  partition UInt32,
  first_offset UInt64,
  last_offset UInt64,
  rows UInt32,
  written_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(written_at)
ORDER BY (consumer_group, topic, partition)`,
    ],
  },
];
