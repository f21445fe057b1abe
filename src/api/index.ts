// Public face of the API module for the composition root: build() and the bootstrap of the admin
// token, plus the port types the engine implements.
export { API_PREFIX, BODY_LIMIT, build } from './app.js';
export { BootstrapError, ensureAdminToken } from './auth/bootstrap.js';
export type { ApiDeps, EngineCommands } from './deps.js';
export { ERRORS, ApiError, type ErrorName } from './errors.js';
