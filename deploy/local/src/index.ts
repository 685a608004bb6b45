export {
  upStack,
  downStack,
  stackStatus,
  startClickHouseProcess,
  startRegistryProcess,
  DEFAULT_PORTS,
  type StackOptions,
  type ComponentStatus,
  type PortPlan,
} from './stack/stack.js';
export { freePort } from './stack/ports.js';
export {
  readEndpoints,
  readState,
  endpointsEnv,
  type Endpoints,
  type StackState,
} from './stack/state.js';
export { BACKBONE_DIR, DEFAULT_DATA_DIR, REPO_ROOT } from './stack/layout.js';
export { StackError } from './stack/errors.js';
export { isAlive, stopProcess } from './stack/processes.js';
