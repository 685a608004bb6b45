export * from './generated/types.js';
export { ENRICHED_SCHEMAS, STREAM_SCHEMAS } from './generated/schemas.js';
export {
  STREAMS,
  STREAM_NAMES,
  TOPIC_KINDS,
  topicName,
  topicSpecs,
  replicationFor,
  partitionsFromEnv,
  streamOf,
  valueSubject,
  type StreamName,
  type StreamDefinition,
  type TopicKind,
  type TopicSpec,
  type SchemaKind,
  SCHEMA_KINDS,
} from './catalog.js';
export {
  PRIVACY_CLASSES,
  SUBJECT_LINKS,
  walkPrivacy,
  type PrivacyClass,
  type FieldPrivacy,
  type SubjectLink,
} from './privacy.js';
export { AVRO_OPTIONS, streamType, streamSchemaText } from './avro.js';
export {
  validateContracts,
  validateEvent,
  validateStreamValue,
  type FieldError,
} from './validate.js';
export {
  CODE_CHECKS,
  VALUE_CONTRACTS,
  isCodeContract,
  isIpAddress,
  isRequestId,
  parentAt,
  valueAt,
  walkContracts,
  type CodeContract,
  type ContractProblem,
  type Leaf,
  type ValueContract,
} from './contracts.js';
export { contractLeaves } from './leaves.js';
export {
  SchemasError,
  EventValidationError,
  BufferFullError,
  ProduceError,
  SerdeError,
  isRetriable,
} from './errors.js';
export { StreamSerde, confluentRegistry, frame, type SchemaRegistryClient } from './serde.js';
export { extentCheck, type ExtentCheck } from './extent.js';
export { checkSchemas, registerSchemas, type SubjectOutcome } from './registry-admin.js';
