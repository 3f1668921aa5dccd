/**
 * The endpoint for Node's http module, Express and Fastify: `(req, res, next?) => void`.
 *
 * It reads the body straight from the IncomingMessage (no Web Request in between). When a
 * framework has already read it (express.json(), Fastify's parser), it uses `req.body`
 * (a Buffer or string as received, or the parsed object, serialized again). With `next`
 * (Express), a path that is not one of the routes goes to the next middleware; without
 * it, 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readNodeBody } from './body';
import type { SegmentationHandlerOptions } from './config';
import type { HttpExchange, HttpReply } from './exchange';
import { SegmentationService } from './service';

type NodeRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

/** The Node handler (http, Express, Fastify), with the service's lifecycle beside it. */
export type NodeSegmentationHandler = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void) & {
  close(): Promise<void>;
  warm(): Promise<void>;
  service: SegmentationService;
};

function headerValue(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The client address: the socket's, or with trustProxy the last X-Forwarded-For hop. */
function clientAddress(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const hop = headerValue(req, 'x-forwarded-for')?.split(',').at(-1)?.trim();
    if (hop) return hop;
  }
  return req.socket?.remoteAddress;
}

/** Wraps an IncomingMessage for the service. */
export function nodeExchange(req: NodeRequest, res: ServerResponse, trustProxy = false): HttpExchange {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: q >= 0 ? url.slice(0, q) : url,
    header: (name) => headerValue(req, name),
    readBody: (bounds) => readNodeBody(req, bounds),
    clientAddress: clientAddress(req, trustProxy),
    toRequest: () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
      }
      return new Request(`http://${req.headers.host ?? 'localhost'}${url}`, { method: req.method, headers });
    },
    signal: controller.signal,
  };
}

/** Writes a reply to a Node response (only the end when headers were already sent). */
export function writeReply(res: ServerResponse, reply: HttpReply, head = false): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(Buffer.byteLength(reply.body)) });
  res.end(head ? undefined : reply.body);
}

/** Wraps an existing service (server.ts shares one between the handler and its own routes). */
export function nodeHandlerFor(service: SegmentationService): NodeSegmentationHandler {
  const handler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void => {
    service
      .handle(nodeExchange(req as NodeRequest, res, service.config.trustProxy))
      .then((reply) => {
        if (reply) return writeReply(res, reply, req.method === 'HEAD');
        if (next) return next();
        writeReply(res, {
          status: 404,
          headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Language': 'en' },
          body: JSON.stringify({ error: 'Not found', message: 'No such route.', code: 'NOT_FOUND' }),
        });
      })
      .catch((err) => {
        if (next) return next(err);
        writeReply(res, {
          status: 500,
          headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Language': 'en' },
          body: JSON.stringify({ error: 'Failed to communicate with AI service', message: 'Internal server error', code: 'INTERNAL_ERROR' }),
        });
      });
  };
  return Object.assign(handler, { close: () => service.close(), warm: () => service.warm(), service });
}

/** The endpoint for Node's http.createServer, Express (app.use) and Fastify (see the README). */
export function createNodeSegmentationHandler(options: SegmentationHandlerOptions = {}): NodeSegmentationHandler {
  return nodeHandlerFor(new SegmentationService(options));
}
