import type { IHeaders } from 'kafkajs';
import { isRequestId } from '@backbone/schemas';
import { tokenize, type MaskKeys } from './mask.js';

/**
 * The headers that follow an event from raw.* to events.*, each under its own contract:
 * the request id is kept when it has the form the gateway accepts (a UUID or hex), else it
 * leaves as the tenant's token of it, so correlation still works;
 * the client's batch id is an identifier and leaves only as a token; a traceparent is kept
 * only in its W3C form. Nothing else is carried.
 */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const text = (v: IHeaders[string]): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
};

export function carriedHeaders(
  headers: IHeaders | undefined,
  tenant: string,
  keys: MaskKeys,
): IHeaders {
  const out: IHeaders = {};
  const requestId = text(headers?.['x-request-id']);
  if (requestId !== undefined)
    out['x-request-id'] = isRequestId(requestId) ? requestId : tokenize(requestId, keys, tenant);
  const batchId = text(headers?.['x-batch-id']);
  if (batchId !== undefined) out['x-batch-id'] = tokenize(batchId, keys, tenant);
  const traceparent = text(headers?.traceparent);
  if (traceparent !== undefined && TRACEPARENT.test(traceparent)) out.traceparent = traceparent;
  return out;
}
