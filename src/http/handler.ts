/**
 * The segmentation endpoint of docs/segmentation-endpoint.md as a Web-standard handler
 * (Request -> Response) for Node 20, Deno, Bun, Hono and Workers; node.ts adapts the same
 * SegmentationService (service.ts) to Node's http, Express and Fastify.
 */
import { readWebBody } from './body';
import type { SegmentationHandlerOptions } from './config';
import type { HttpExchange } from './exchange';
import { SegmentationService } from './service';

/** The options and the authenticate hook's result, re-exported for handler users. */
export type { AuthResult, SegmentationHandlerOptions } from './config';
export { AUTH_FAILED_BODY, type ErrorBody, type HttpExchange, type HttpReply } from './exchange';
export { SegmentationService } from './service';

function notFound(): Response {
  return new Response(JSON.stringify({ error: 'Not found', message: 'No such route.', code: 'NOT_FOUND' }), {
    status: 404,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
}

/** The Web-standard handler, with the service's lifecycle beside it. */
export type SegmentationHandler = ((request: Request) => Promise<Response>) & {
  /** Stops the workers and closes the Redis connection. */
  close(): Promise<void>;
  /** Starts the workers ahead of the first request. */
  warm(): Promise<void>;
  service: SegmentationService;
};

/**
 * Wraps a Web Request for the service. Web servers do not say who the client is; with
 * trustProxy the address comes from X-Forwarded-For (the last hop, the one the proxy added).
 */
export function webExchange(request: Request, trustProxy = false): HttpExchange {
  const url = new URL(request.url);
  const forwarded = trustProxy ? request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() : undefined;
  return {
    method: request.method.toUpperCase(),
    path: url.pathname,
    header: (name) => request.headers.get(name),
    readBody: (bounds) => readWebBody(request.body, bounds),
    toRequest: () => request,
    signal: request.signal,
    clientAddress: forwarded || undefined,
  };
}

/**
 * The endpoint as a Web-standard handler (Node 20, Deno, Bun, Hono, Workers). Routes:
 * POST {basePath}{segmentationPath}, GET {basePath}/healthz, GET {basePath}/readyz;
 * anything else is 404.
 */
export function createSegmentationHandler(options: SegmentationHandlerOptions = {}): SegmentationHandler {
  const service = new SegmentationService(options);
  const handler = async (request: Request): Promise<Response> => {
    const reply = await service.handle(webExchange(request, service.config.trustProxy));
    if (!reply) return notFound();
    return new Response(request.method === 'HEAD' || reply.status === 204 ? null : reply.body, { status: reply.status, headers: reply.headers });
  };
  return Object.assign(handler, {
    close: () => service.close(),
    warm: () => service.warm(),
    service,
  });
}
