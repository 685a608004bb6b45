export { testStack, uniqueName } from './stack.js';
export { createTestTopic, testKafka } from './kafka.js';
export { createTestDatabase, testClickHouse } from './clickhouse.js';
export { testTempDir } from './temp.js';
export { sampleEnvelope, webEventRow } from './fixtures.js';
export { waitFor } from '@backbone/runtime';
export { codeHome, profileLines, selfTimes } from './cpu-profile.js';
export {
  CpuMeter,
  cpuSeconds,
  peakRssMiB,
  quantile,
  threadCpuSeconds,
  threadGroup,
  ThreadMeter,
} from './proc.js';
export { everyGateway, gatewayStatus, pageViewBatch } from './gateway.js';
