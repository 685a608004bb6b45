export { buildGateway, type GatewayDeps } from './app.js';
export { GatewayConfig } from './config.js';
export { KafkaSink } from './kafka-sink.js';
export {
  ApiKeyStore,
  createApiKey,
  generateApiKey,
  hashApiKey,
  type ApiKeyRecord,
} from './api-keys.js';
export type { EventSink } from './ingest.route.js';
export { mapEvent, type Mapped, type RequestFacts } from './mapping.js';
export {
  MemoryConsentState,
  RedisConsentState,
  type ConsentState,
  type SubjectRef,
} from './consent-state.js';
export {
  derivedSigningSecret,
  signatureHeader,
  signBody,
  SIGNATURE_WINDOW_SECONDS,
} from './signature.js';
export {
  KeyDirectory,
  KeyWriter,
  TENANTS_TOPIC,
  ensureTenantsTopic,
  type KeyLookup,
  type KeyRecord,
  type TenantRecord,
} from './key-directory.js';
