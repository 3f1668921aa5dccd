/**
 * segmint/http: the segmentation endpoint (Web-standard handler, Node adapter, server).
 * A separate entry from the library, which stays free of Node built-ins for browsers.
 */
export { createSegmentationHandler, SegmentationService, AUTH_FAILED_BODY, webExchange } from './handler';
/** The Web handler's types. */
export type { SegmentationHandler, HttpExchange, HttpReply, ErrorBody } from './handler';
export { createNodeSegmentationHandler, nodeHandlerFor } from './node';
/** The Node handler's type. */
export type { NodeSegmentationHandler } from './node';
export { startServer, serveCommand, NoCredentialsError } from './server';
/** segmint serve's types. */
export type { ServerOptions, RunningServer } from './server';
export { resolveConfig, parseDotEnv, DEFAULT_SEGMENTATION_PATH, SECRET_LIFETIME_DAYS, SECRET_WARNING_DAYS } from './config';
/** Configuration types. */
export type { SegmentationHandlerOptions, AuthResult, TenantRecord, TokenRecord, TenantsFile } from './config';
export { sha256Hex } from './auth';
