import type { ClickHouseClient } from '@clickhouse/client';
import type { Counter } from 'prom-client';
import { cached, cacheTtl, type CacheStore } from './cache.js';
import { ExportRepository } from './export.repository.js';
import { LiveRepository } from './live.repository.js';
import { SegmentRepository } from './segments.repository.js';
import { SpeechRepository } from './speech.repository.js';
import { StatsRepository } from './stats.repository.js';
import { WebRepository } from './web.repository.js';

/** A class's public methods as an interface: what a route or resolver may call. */
type Reads<T> = { [K in keyof T]: T[K] };

/**
 * Every read the service makes, one repository per area. The routes and resolvers see only
 * these interfaces, so a test can hand them in-memory readers instead of ClickHouse.
 */
export interface Repositories {
  stats: Reads<StatsRepository>;
  segments: Reads<SegmentRepository>;
  web: Reads<WebRepository>;
  speech: Reads<SpeechRepository>;
  live: Reads<LiveRepository>;
  exports: Reads<ExportRepository>;
}

/** The repositories over one ClickHouse database. */
export function clickhouseRepositories(
  clickhouse: ClickHouseClient,
  database: string,
): Repositories {
  return {
    stats: new StatsRepository(clickhouse, database),
    segments: new SegmentRepository(clickhouse, database),
    web: new WebRepository(clickhouse, database),
    speech: new SpeechRepository(clickhouse, database),
    live: new LiveRepository(clickhouse, database),
    exports: new ExportRepository(clickhouse, database),
  };
}

/**
 * The request-scoped reads behind the cache (per tenant and normalized arguments). Live
 * numbers and exports are never cached: one is a ticker, the other a stream.
 */
export function cachedRepositories(
  repositories: Repositories,
  store: CacheStore,
  counter: Counter<'result'>,
): Repositories {
  const cache = <T extends object>(repository: T, name: string) =>
    cached(repository, name, store, cacheTtl, counter);
  return {
    ...repositories,
    stats: cache(repositories.stats, 'stats'),
    segments: cache(repositories.segments, 'segments'),
    web: cache(repositories.web, 'web'),
    speech: cache(repositories.speech, 'speech'),
  };
}

export { MemoryCacheStore, RedisCacheStore, type CacheStore } from './cache.js';
export type { LiveStats } from './live.repository.js';
export { FILTERS, isFiltered, type WebFilter } from './segments.repository.js';
export type { ExportFormat } from './export.repository.js';
