import { startTracing } from '@backbone/runtime/otel-sdk';
import { createServer } from 'node:http';
import { createClient } from '@clickhouse/client';
import { createLogger, installShutdown, parseConfig } from '@backbone/runtime';
import { Redis } from 'ioredis';
import { buildQueryService } from './app.js';
import { RedisCacheStore } from './repositories/index.js';
import { jwtAuthenticator } from './auth.js';
import { QueryConfig } from './config.js';
import { parseComponents } from './http/ops.route.js';
import { kafkaSubjectRequests } from './subjects.js';
import { kafkaKeyAdmin } from './keys.js';
import { alerting } from './alerts/start.js';

const config = parseConfig(QueryConfig, process.env);
const logger = createLogger({ name: 'query-service', level: config.LOG_LEVEL });
// Spans go out over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/operations.md § Traces).
const tracing = startTracing('query-service');
const clickhouse = createClient({
  url: config.CLICKHOUSE_URL,
  username: config.CLICKHOUSE_READER_USER,
  password: config.CLICKHOUSE_READER_PASSWORD,
  request_timeout: 30_000,
});
const sqlReader = createClient({
  url: config.CLICKHOUSE_URL,
  username: config.CLICKHOUSE_READER_USER,
  password: config.CLICKHOUSE_READER_PASSWORD,
  database: config.CLICKHOUSE_DATABASE,
  request_timeout: (config.SQL_MAX_EXECUTION_SECONDS + 10) * 1000,
});
const auditWriter = createClient({
  url: config.CLICKHOUSE_URL,
  username: config.CLICKHOUSE_AUDIT_USER,
  password: config.CLICKHOUSE_AUDIT_PASSWORD,
  request_timeout: 10_000,
});
const redis = config.REDIS_URL
  ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
  : undefined;
redis?.on('error', (err: Error) =>
  logger.warn({ err: err.message }, 'Redis unreachable; queries skip the cache until it is back'),
);
const subjects = config.KAFKA_BROKERS
  ? kafkaSubjectRequests({
      brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      topicPrefix: config.SUBJECT_TOPIC_PREFIX,
      writer: auditWriter,
      reader: clickhouse,
      database: config.CLICKHOUSE_DATABASE,
    })
  : undefined;
const keys = config.KAFKA_BROKERS
  ? kafkaKeyAdmin({
      brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      topic: config.TENANTS_TOPIC,
      writer: auditWriter,
      database: config.CLICKHOUSE_DATABASE,
      logger,
      ...(config.SIGNING_SECRET_KEY ? { signingMaster: config.SIGNING_SECRET_KEY } : {}),
    })
  : undefined;
const alerts =
  keys && config.ALERT_SIGNING_KEY
    ? alerting({
        keys,
        brokers: config.KAFKA_BROKERS.split(',').map((b) => b.trim()),
        signingKey: config.ALERT_SIGNING_KEY,
        allowHttp: config.ALERT_WEBHOOK_ALLOW_HTTP,
        intervalSeconds: config.ALERT_EVAL_INTERVAL_SECONDS,
        reader: clickhouse,
        writer: auditWriter,
        database: config.CLICKHOUSE_DATABASE,
        redis,
        logger,
      })
    : undefined;
const { app, registry, stop, attach, closeSubscriptions } = await buildQueryService({
  ...(subjects ? { subjects } : {}),
  ...(keys ? { keys } : {}),
  ...(alerts ? { alerts: alerts.api } : {}),
  ...(redis
    ? {
        cache: new RedisCacheStore(redis, config.CACHE_NAMESPACE),
        redisPing: () =>
          redis.ping().then(
            (r) => r === 'PONG',
            () => false,
          ),
      }
    : {}),
  clickhouse,
  database: config.CLICKHOUSE_DATABASE,
  authenticate: jwtAuthenticator({
    ...(config.JWT_SECRET ? { secret: config.JWT_SECRET } : {}),
    ...(config.JWKS_URL ? { jwksUrl: config.JWKS_URL } : {}),
    ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
    ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
  }),
  logger,
  maxRangeDays: config.MAX_RANGE_DAYS,
  components: parseComponents(config.COMPONENT_URLS),
  ...(config.DASHBOARD_DIR ? { dashboardDir: config.DASHBOARD_DIR } : {}),
  sql: {
    reader: sqlReader,
    auditWriter,
    limits: {
      maxRows: config.SQL_MAX_ROWS,
      maxResultBytes: config.SQL_MAX_RESULT_BYTES,
      maxExecutionSeconds: config.SQL_MAX_EXECUTION_SECONDS,
    },
  },
  introspection: config.MODE === 'local',
});
void alerts?.start(registry);
const server = createServer(app);
attach(server);
server.listen(config.PORT, config.HOST, () =>
  logger.info({ host: config.HOST, port: config.PORT }, 'query service listening'),
);

installShutdown({
  logger,
  steps: [
    {
      name: 'end subscriptions, stop accepting requests, answer those in flight',
      run: async () => {
        await closeSubscriptions();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    },
    {
      name: 'stop GraphQL, close Kafka and ClickHouse',
      run: async () => {
        await alerts?.stop();
        await stop();
        await subjects?.stop();
        await keys?.stop();
        await Promise.all([clickhouse.close(), sqlReader.close(), auditWriter.close()]);
        redis?.disconnect();
      },
    },
    { name: 'export the last spans', run: () => tracing?.stop() },
  ],
});
