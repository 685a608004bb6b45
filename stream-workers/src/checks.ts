import type { Admin } from 'kafkajs';
import { READY_CHECK_TIMEOUT_MS } from './http.js';

/** Readiness checks the workers share: the broker answers metadata, the registry lists subjects. */
export const kafkaCheck = (admin: Admin) => async () => {
  await admin.connect();
  return (await admin.describeCluster()).brokers.length > 0;
};

export const registryCheck = (url: string) => async () =>
  (await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(READY_CHECK_TIMEOUT_MS) })).ok;
