export {
  buildQueryService,
  createQueryService,
  type QueryService,
  type QueryServiceDeps,
  type QueryServiceParts,
} from './app.js';
export { jwtAuthenticator, type Viewer, type Role, type Authenticate } from './auth.js';
export { QueryConfig } from './config.js';
export type { Repositories } from './repositories/index.js';
