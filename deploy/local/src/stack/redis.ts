import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from '@backbone/runtime';
import { spawnDetached, type SpawnedProcess } from './processes.js';

/** PING a Redis; true when it answers PONG within the timeout. */
export async function pingRedis(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Starts a private, non-persistent redis-server for this stack. */
export async function startRedis(
  dataDir: string,
  port: number,
  marker: string,
): Promise<SpawnedProcess> {
  mkdirSync(dataDir, { recursive: true });
  const spawned = spawnDetached(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dataDir,
    ],
    {
      cwd: dataDir,
      env: { ...process.env, BACKBONE_STACK_DIR: marker },
      logFile: path.join(dataDir, 'redis.log'),
    },
  );
  await waitFor(() => pingRedis(`redis://127.0.0.1:${port}`), {
    timeoutMs: 10_000,
    description: `redis-server on port ${port}`,
  });
  return spawned;
}
