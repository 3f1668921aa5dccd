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
import { SegmentationService, type HttpExchange, type HttpReply } from './handler';
import type { SegmentationHandlerOptions } from './config';
import { BodyTooLargeError, concat } from './limits';

type NodeRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

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

function readNodeBody(req: NodeRequest, limit: number): Promise<Uint8Array> {
  const pre = req.body;
  if (pre !== undefined) {
    const bytes = Buffer.isBuffer(pre) || pre instanceof Uint8Array ? pre : Buffer.from(typeof pre === 'string' ? pre : JSON.stringify(pre), 'utf8');
    if (bytes.byteLength > limit) return Promise.reject(new BodyTooLargeError(limit));
    return Promise.resolve(bytes);
  }
  // Consumed by someone else without leaving req.body: nothing left to read.
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        // Keep reading (and dropping) the rest so the client gets to read the 413.
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(concat(chunks, total));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

export function nodeExchange(req: NodeRequest, res: ServerResponse): HttpExchange {
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
    readBody: (limit) => readNodeBody(req, limit),
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
      .handle(nodeExchange(req as NodeRequest, res))
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
