import { isOurs } from './processes.js';
import type { ProcessState, StackState } from './state.js';

/** Marker found in every process the stack starts, so `down` never stops a stranger. */
export const marker = (dataDir: string) => `${dataDir}\0`;

/** The recorded process, if it is still alive and still ours. */
export function running<T extends ProcessState>(
  state: T | undefined,
  dataDir: string,
): T | undefined {
  return state && isOurs(state.pid, marker(dataDir)) ? state : undefined;
}

/** redis-server rewrites its process title over its environment; its title names the port. */
export function ownsRedis(redis: StackState['redis']): boolean {
  return redis.pid !== undefined && isOurs(redis.pid, `127.0.0.1:${redis.port}`);
}
