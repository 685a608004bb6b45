export {
  upStack,
  downStack,
  downOnSignal,
  stackStatus,
  type StackOptions,
  type ComponentStatus,
} from './stack/stack.js';
export { startClickHouseProcess, startRegistryProcess } from './stack/node-services.js';
export { DEFAULT_PORTS, type PortPlan } from './stack/port-plan.js';
export { freePort } from './stack/ports.js';
export {
  readEndpoints,
  readState,
  endpointsEnv,
  serviceEnv,
  type Endpoints,
  type StackState,
} from './stack/state.js';
export { BACKBONE_DIR, DEFAULT_DATA_DIR, REPO_ROOT } from './stack/layout.js';
export { StackError } from './stack/errors.js';
export { isAlive, spawnDetached, stopProcess } from './stack/processes.js';
export { ensureWorkerSecrets, migrateWarehouse, startWorkers } from './services/workers.js';
export { startQueryService } from './services/query.js';
export {
  dropPreparedServices,
  ensureDemoKey,
  prepareServices,
  startGateway,
  startService,
  stopChild,
} from './services/gateway.js';
export { ensureDashboardBuilt } from './services/dashboard.js';
export { Simulator, type SimulatorOptions } from './simulator/simulator.js';
