export { buildQueryService, type QueryServiceDeps } from './app.js';
export { jwtAuthenticator, type Viewer, type Role, type Authenticate } from './auth.js';
export { QueryConfig } from './config.js';
