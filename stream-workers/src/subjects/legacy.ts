import type { ErasureRequest } from '@backbone/warehouse';
import { pseudonymize, tokenize, type MaskKeys } from '../enrich/mask.js';

/**
 * What a subject's id became in rows written before persons' keys: the tenant's token of a
 * user id, the tenant's hash of an anonymous id (docs/privacy.md#erasure).
 */
export function legacyToken(request: ErasureRequest, keys: MaskKeys): string {
  return request.kind === 'user'
    ? tokenize(request.subjectId, keys, request.tenant)
    : pseudonymize(request.subjectId, keys, request.tenant);
}
