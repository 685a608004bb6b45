import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { StackError } from '../stack/errors.js';
import { isPortFree } from '../stack/ports.js';
import { serviceEnv, type Endpoints } from '../stack/state.js';
import { startService } from './gateway.js';

/** The local JWT secret: made once, kept (mode 0600) in the git-ignored data directory. */
/** A secret of this data directory, made on first use and kept (0600) for the next start. */
export function ensureSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The query cache's namespace in Redis for this data directory: the machine's Redis outlives
 * a stack, and a fresh one must not answer from the last one's cache.
 */
export function ensureCacheNamespace(dataDir: string): string {
  const file = path.join(dataDir, 'query-cache-namespace');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const namespace = `local-${randomBytes(6).toString('hex')}`;
  writeFileSync(file, `${namespace}\n`);
  return namespace;
}

/** Ready-made tokens for the local demo tenant (30 days), so the dashboard works at once. */
export function devTokens(secret: string, tenantId: string) {
  const sign = (role: 'viewer' | 'admin') =>
    new SignJWT({ tenant_id: tenantId, role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(`local-${role}`)
      .setIssuedAt()
      .setExpirationTime('30d')
      .sign(new TextEncoder().encode(secret));
  return Promise.all([sign('viewer'), sign('admin')]).then(([viewer, admin]) => ({
    viewer,
    admin,
  }));
}

export async function startQueryService(o: {
  dataDir: string;
  endpoints: Endpoints;
  port: number;
  /** Served at /: the built dashboard. */
  dashboardDir?: string;
  /** The other components, for the dashboard's operations page. */
  components?: Record<string, string>;
}): Promise<{ child: ChildProcess; url: string; tokens: { viewer: string; admin: string } }> {
  if (!(await isPortFree(o.port))) {
    throw new StackError(
      `Port ${o.port} (query service) is taken by another process.`,
      'Stop it, or choose another port with QUERY_PORT=….',
    );
  }
  const secret = ensureSecret(o.dataDir, 'query-jwt-secret');
  const url = `http://127.0.0.1:${o.port}`;
  const child = await startService({
    dataDir: o.dataDir,
    name: 'query',
    what: 'The query service',
    script: 'query-service/src/main.ts',
    env: {
      ...serviceEnv(o.endpoints, 'query'),
      // The local engine has no grants, so the audit trail is written as the default user;
      // with a server, deploy/docker's `auditor` may insert into sql_audit and nothing else.
      CLICKHOUSE_AUDIT_USER: o.endpoints.clickhouseUser,
      CLICKHOUSE_AUDIT_PASSWORD: o.endpoints.clickhousePassword,
      PORT: String(o.port),
      CACHE_NAMESPACE: ensureCacheNamespace(o.dataDir),
      JWT_SECRET: secret,
      // Alerts: webhook secrets derive from this key; local receivers may be plain http.
      ALERT_SIGNING_KEY: ensureSecret(o.dataDir, 'query-alert-signing-key'),
      ALERT_WEBHOOK_ALLOW_HTTP: 'true',
      // Signed API keys: the gateway derives their secrets with the same key.
      SIGNING_SECRET_KEY: ensureSecret(o.dataDir, 'signing-secret-key'),
      MODE: 'local',
      DASHBOARD_DIR: o.dashboardDir ?? '',
      COMPONENT_URLS: Object.entries(o.components ?? {})
        .map(([name, url]) => `${name}=${url}`)
        .join(','),
    },
    readyUrl: `${url}/ready`,
  });
  return { child, url, tokens: await devTokens(secret, 'demo') };
}
