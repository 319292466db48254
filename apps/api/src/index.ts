export { createApp, type AgnesApp } from './app/create-app.js';
export type { ApiSettings, AppDeps } from './app/deps.js';
export { ApiError, type ApiErrorCode, isApiError, STATUS } from './http/api-error.js';
export { loadConfig, type ServerConfig, type ServerFlags } from './server/config.js';
export { startServer, dataPaths, type RunningServer, type StartOptions } from './server/start-server.js';
export { createLogger } from './server/logger.js';
export { signBody, verifySignature } from './webhooks/signature.js';
export { openApiDocument } from './app/openapi-document.js';
