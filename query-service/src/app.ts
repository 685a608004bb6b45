import type { Server as HttpServer } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { describeChecks, readiness, type Check, type Logger } from '@backbone/runtime';
import { tenantOnly, type Authenticate, type Viewer } from './auth.js';
import { LiveHub } from './graphql/live.js';
import type { QueryContext } from './graphql/resolvers.js';
import { graphqlServer } from './graphql/server.js';
import { restErrors } from './http/errors.js';
import { exportRoute } from './http/export.route.js';
import { opsRoute, type ComponentTarget } from './http/ops.route.js';
import { restRoutes } from './http/rest.route.js';
import { dashboardRoutes, requestId, serviceRoutes } from './http/service.routes.js';
import { sqlRoute, sqlUnavailable } from './http/sql.route.js';
import { subjectsRoute } from './http/subjects.route.js';
import { adminRoute } from './http/admin.route.js';
import { alertsRoute, type AlertsApi } from './http/alerts.route.js';
import { tenantSettingsRoute } from './http/tenant-settings.route.js';
import type { KeyAdmin } from './keys.js';
import type { SubjectRequests } from './subjects.js';
import { queryMetrics } from './metrics.js';
import { traceRequests } from './tracing.js';
import {
  cachedRepositories,
  clickhouseRepositories,
  MemoryCacheStore,
  type CacheStore,
  type Repositories,
} from './repositories/index.js';
import { SqlAudit, type AuditLog } from './sql/audit.js';
import { ClickHouseSqlEngine, type SqlEngine, type SqlLimits } from './sql/engine.js';

/** What the service is made of, whatever it reads from: the seams a test can fill itself. */
export interface QueryServiceParts {
  repositories: Repositories;
  /** What /ready checks. */
  checks: Check[];
  authenticate: Authenticate;
  logger: Logger;
  maxRangeDays?: number;
  introspection?: boolean;
  /** Redis-backed in production; by default this process's memory (one instance only). */
  cache?: CacheStore;
  /** Other components whose health the ops page shows (COMPONENT_URLS). */
  components?: ComponentTarget[];
  /** The built dashboard (dashboard/dist) to serve at /, or none. */
  dashboardDir?: string;
  /** The admin SQL endpoint; without it POST /api/v1/sql answers 503. */
  sql?: { engine: SqlEngine; audit: AuditLog; limits: SqlLimits };
  /** Erasure requests (Kafka); without them the subject endpoints answer 503. */
  subjects?: SubjectRequests;
  /** API keys in the tenants topic (platform administration); none without Kafka. */
  keys?: KeyAdmin;
  /** Tenants' alerts (in the tenants topic); none without Kafka and ALERT_SIGNING_KEY. */
  alerts?: AlertsApi;
}

export interface QueryServiceDeps extends Omit<
  QueryServiceParts,
  'repositories' | 'checks' | 'sql'
> {
  clickhouse: ClickHouseClient;
  database: string;
  /** Whether the cache's Redis answers (reported by /ready); none: no Redis. */
  redisPing?: () => Promise<boolean>;
  sql?: {
    /** The read-only user with `database` as its current database. */
    reader: ClickHouseClient;
    /** A user that may insert into the SQL audit table. */
    auditWriter: ClickHouseClient;
    limits: SqlLimits;
  };
}

export interface QueryService {
  app: Express;
  stop: () => Promise<void>;
  registry: Registry;
  attach: (server: HttpServer) => void;
  /** Ends every subscription (clients reconnect elsewhere), so the HTTP server can close. */
  closeSubscriptions: () => Promise<void>;
}

/**
 * The query service over ClickHouse. Ready while ClickHouse answers; Redis only holds the
 * cache (without it queries go to ClickHouse: slower, still right), so it is reported but
 * does not fail readiness.
 */
export function buildQueryService(deps: QueryServiceDeps): Promise<QueryService> {
  const { clickhouse, database, redisPing, sql, ...rest } = deps;
  const checks: Check[] = [
    { name: 'clickhouse', run: async () => (await clickhouse.ping()).success },
    redisPing
      ? {
          name: 'redis',
          required: false,
          run: async () =>
            (await redisPing()) ? true : { up: false, detail: 'queries skip the cache' },
        }
      : {
          name: 'redis',
          required: false,
          run: () => ({ up: true, detail: 'none: cache in process' }),
        },
  ];
  return createQueryService({
    ...rest,
    repositories: clickhouseRepositories(clickhouse, database),
    checks,
    ...(sql
      ? {
          sql: {
            engine: new ClickHouseSqlEngine(sql.reader, database, sql.limits),
            audit: new SqlAudit(sql.auditWriter, database),
            limits: sql.limits,
          },
        }
      : {}),
  });
}

/**
 * The query service from its parts: GraphQL on /graphql (every request authenticated, every
 * query scoped to the token's tenant), REST, exports, admin SQL and the ops page under
 * /api/v1, /health, /ready and /metrics, and the dashboard at / when it is built.
 */
export async function createQueryService(parts: QueryServiceParts): Promise<QueryService> {
  const metrics = queryMetrics();
  // Tenant endpoints take tenant tokens only; the platform's take platform_admin's.
  const authenticate = tenantOnly(parts.authenticate);
  const maxRangeDays = parts.maxRangeDays ?? 400;
  const reads = cachedRepositories(
    parts.repositories,
    parts.cache ?? new MemoryCacheStore(),
    metrics.cacheRequests,
  );
  const live = new LiveHub(reads.live, parts.logger);
  /** The same context for HTTP requests and WebSocket subscriptions. */
  const contextFor = (viewer: Viewer): QueryContext => ({ viewer, ...reads, live, maxRangeDays });
  const graphql = await graphqlServer({
    authenticate,
    contextFor,
    logger: parts.logger,
    operationSeconds: metrics.operationSeconds,
    introspection: parts.introspection ?? false,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(requestId);
  app.use(traceRequests);
  app.use(serviceRoutes(parts.checks, metrics.registry));
  app.use(exportRoute({ authenticate, exports: reads.exports, maxRangeDays }));
  app.use(subjectsRoute({ authenticate, subjects: parts.subjects }));
  app.use(adminRoute({ authenticate: parts.authenticate, keys: parts.keys }));
  app.use(alertsRoute({ authenticate, alerts: parts.alerts }));
  app.use(tenantSettingsRoute({ authenticate, keys: parts.keys }));
  app.use(
    parts.sql
      ? sqlRoute({
          authenticate,
          ...parts.sql,
          statements: metrics.sqlStatements,
          seconds: metrics.sqlSeconds,
          logger: parts.logger,
        })
      : sqlUnavailable(),
  );
  app.use(
    opsRoute({
      authenticate,
      components: parts.components ?? [],
      self: async () => {
        const report = await readiness(parts.checks);
        return {
          name: 'query-service',
          status: report.status === 'ready' ? 'up' : 'down',
          detail: describeChecks(report),
        };
      },
    }),
  );
  app.use(
    restRoutes({
      authenticate,
      stats: reads.stats,
      segments: reads.segments,
      web: reads.web,
      maxRangeDays,
    }),
  );
  app.use('/graphql', ...graphql.middleware);
  if (parts.dashboardDir) app.use(dashboardRoutes(parts.dashboardDir));
  app.use(restErrors(parts.logger));

  const closeSubscriptions = async () => {
    await graphql.closeSubscriptions();
    live.close();
  };
  const stop = async () => {
    await closeSubscriptions();
    await graphql.stop();
  };
  return { app, registry: metrics.registry, stop, attach: graphql.attach, closeSubscriptions };
}
