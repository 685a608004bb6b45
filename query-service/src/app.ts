import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Express } from 'express';
import { GraphQLError } from 'graphql';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  describeChecks,
  healthReport,
  readiness,
  readyStatusCode,
  type Check,
  type Logger,
} from '@backbone/runtime';
import type { Authenticate, Viewer } from './auth.js';
import { costLimits } from './limits.js';
import { LiveHub } from './live.js';
import { cached, cacheTtl, MemoryCacheStore, type CacheStore } from './cache.js';
import { QueryError } from './errors.js';
import { resolvers, type QueryContext } from './resolvers.js';
import { exportRoute } from './export.route.js';
import { opsRoute, type ComponentTarget } from './ops.route.js';
import { SqlAudit } from './sql-audit.js';
import { sqlRoute, tableScope, type SqlLimits } from './sql.route.js';
import { restErrors, restRoutes } from './rest.js';
import { typeDefs } from './schema.js';
import { SpeechRepository } from './speech.repository.js';
import { StatsRepository } from './stats.repository.js';
import { WebRepository } from './web.repository.js';

export interface QueryServiceDeps {
  clickhouse: ClickHouseClient;
  database: string;
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
  /** Whether the cache's Redis answers (reported by /ready); none: no Redis. */
  redisPing?: () => Promise<boolean>;
  /** The admin SQL endpoint; without it POST /api/v1/sql answers 503. */
  sql?: {
    /** The read-only user with `database` as its current database. */
    reader: ClickHouseClient;
    /** A user that may insert into `<database>.sql_audit`. */
    auditWriter: ClickHouseClient;
    limits: SqlLimits;
  };
}

/**
 * The query service: GraphQL on /graphql (every request authenticated, every query scoped to
 * the token's tenant), /health, /ready (ClickHouse answers) and /metrics.
 */
export async function buildQueryService(deps: QueryServiceDeps): Promise<{
  app: Express;
  stop: () => Promise<void>;
  registry: Registry;
  attach: (server: HttpServer) => void;
  /** Ends every subscription (clients reconnect elsewhere), so the HTTP server can close. */
  closeSubscriptions: () => Promise<void>;
}> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'query_' });
  const resolverSeconds = new Histogram({
    name: 'query_graphql_operation_seconds',
    help: 'GraphQL operations by name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const cacheRequests = new Counter({
    name: 'query_cache_requests_total',
    help: 'Repository reads answered from the cache (hit) or by ClickHouse (miss)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const sqlStatements = new Counter({
    name: 'query_sql_statements_total',
    help: 'Admin SQL statements by outcome (ok, refused, failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const sqlSeconds = new Histogram({
    name: 'query_sql_statement_seconds',
    help: 'Admin SQL statements from request to last byte, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const store = deps.cache ?? new MemoryCacheStore();
  const cache = <T extends object>(repository: T, name: string) =>
    cached(repository, name, store, cacheTtl, cacheRequests);
  const stats = cache(new StatsRepository(deps.clickhouse, deps.database), 'stats');
  const speech = cache(new SpeechRepository(deps.clickhouse, deps.database), 'speech');
  const web = cache(new WebRepository(deps.clickhouse, deps.database), 'web');
  const maxRangeDays = deps.maxRangeDays ?? 400;
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  const live = new LiveHub(deps.clickhouse, deps.database, deps.logger);
  /** The same context for HTTP requests and WebSocket subscriptions. */
  const contextFor = (viewer: Viewer): QueryContext => ({
    viewer,
    stats,
    speech,
    web,
    live,
    maxRangeDays,
  });
  const sockets: { dispose: () => Promise<void> | void }[] = [];
  const server = new ApolloServer<QueryContext>({
    schema,
    introspection: deps.introspection ?? false,
    includeStacktraceInErrorResponses: false,
    validationRules: [costLimits({ maxDepth: 8, maxRootFields: 12 })],
    formatError: (formatted, error) => {
      const original = unwrapResolverError(error);
      if (original instanceof QueryError)
        return {
          message: original.message,
          path: formatted.path,
          extensions: { code: original.code },
        };
      const code = formatted.extensions?.code;
      if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
      deps.logger.error({ err: original }, 'GraphQL operation failed');
      return {
        message: 'internal error',
        path: formatted.path,
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    },
    plugins: [
      {
        requestDidStart: () => {
          const started = process.hrtime.bigint();
          return Promise.resolve({
            willSendResponse: ({ operationName, errors }) => {
              resolverSeconds.observe(
                {
                  operation: operationName ?? '(anonymous)',
                  outcome: errors?.length ? 'error' : 'ok',
                },
                Number(process.hrtime.bigint() - started) / 1e9,
              );
              return Promise.resolve();
            },
          });
        },
      },
    ],
  });
  await server.start();

  const app = express();
  app.disable('x-powered-by');
  // A request id on every answer and log line: the caller's X-Request-Id, or a new one.
  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('x-request-id', id);
    next();
  });
  app.get('/health', (_req, res) => {
    res.json(healthReport());
  });
  // Ready while ClickHouse answers. Redis only holds the cache: without it queries go to
  // ClickHouse (slower, still right), so it is reported but does not fail readiness.
  const checks: Check[] = [
    { name: 'clickhouse', run: async () => (await deps.clickhouse.ping()).success },
    deps.redisPing
      ? {
          name: 'redis',
          required: false,
          run: async () =>
            (await deps.redisPing!()) ? true : { up: false, detail: 'queries skip the cache' },
        }
      : {
          name: 'redis',
          required: false,
          run: () => ({ up: true, detail: 'none: cache in process' }),
        },
  ];
  app.get('/ready', (_req, res) => {
    void readiness(checks).then((report) => res.status(readyStatusCode(report)).json(report));
  });
  app.get('/metrics', (_req, res) => {
    void registry.metrics().then((text) => res.type(registry.contentType).send(text));
  });
  app.use(
    exportRoute({
      authenticate: deps.authenticate,
      clickhouse: deps.clickhouse,
      database: deps.database,
      maxRangeDays,
    }),
  );
  if (deps.sql)
    app.use(
      sqlRoute({
        authenticate: deps.authenticate,
        reader: deps.sql.reader,
        database: deps.database,
        audit: new SqlAudit(deps.sql.auditWriter, deps.database),
        limits: deps.sql.limits,
        scope: tableScope(deps.sql.reader, deps.database),
        statements: sqlStatements,
        seconds: sqlSeconds,
        logger: deps.logger,
      }),
    );
  else
    app.post('/api/v1/sql', (_req, res) => {
      res.status(503).json({
        status: 'error',
        code: 'UNAVAILABLE',
        message: 'the SQL endpoint is not configured on this instance',
      });
    });
  app.use(
    opsRoute({
      authenticate: deps.authenticate,
      components: deps.components ?? [],
      self: async () => {
        const report = await readiness(checks);
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
      authenticate: deps.authenticate,
      stats,
      web,
      maxRangeDays,
    }),
  );
  app.use(
    '/graphql',
    express.json({ limit: '100kb' }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        try {
          return contextFor(await deps.authenticate(req.headers.authorization));
        } catch (err) {
          const status = err instanceof QueryError ? err.status : 401;
          throw new GraphQLError((err as Error).message, {
            extensions: { code: 'UNAUTHENTICATED', http: { status } },
          });
        }
      },
    }),
  );
  if (deps.dashboardDir) {
    // The dashboard's built files; any other GET that is not the API is the app itself.
    const dir = deps.dashboardDir;
    app.use(express.static(dir, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!api\/|graphql|health|ready|metrics).*/, (_req, res) => {
      res.sendFile('index.html', { root: dir });
    });
  }
  app.use(restErrors(deps.logger));

  /** Subscriptions on the same port and path: graphql-ws, token checked at the handshake. */
  const attach = (http: HttpServer) => {
    const wss = new WebSocketServer({ server: http, path: '/graphql' });
    sockets.push(
      useServer<Record<string, unknown> | undefined, { viewer?: Viewer }>(
        {
          schema,
          onConnect: async (ctx) => {
            const given =
              ctx.connectionParams?.authorization ?? ctx.extra.request.headers.authorization;
            try {
              ctx.extra.viewer = await deps.authenticate(
                typeof given === 'string' ? given : undefined,
              );
              return true;
            } catch {
              return false; // closes with 4403 Forbidden
            }
          },
          context: (ctx) => contextFor(ctx.extra.viewer as Viewer),
        },
        wss,
      ),
    );
  };
  const closeSubscriptions = async () => {
    for (const s of sockets.splice(0)) await s.dispose();
    live.close();
  };
  const stop = async () => {
    await closeSubscriptions();
    await server.stop();
  };
  return { app, registry, stop, attach, closeSubscriptions };
}
