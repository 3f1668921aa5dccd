/**
 * Reading a request body under three bounds, whatever server delivered it: a size limit
 * (413), a deadline for the whole body (408, so a slow client cannot hold a socket and a
 * buffer for ever) and a share of the service-wide in-flight budget (503 before more is
 * buffered, so concurrent uploads cannot add up past memory). A client that goes away
 * mid-upload is a BodyAbortedError (499), not a server fault.
 */
import type { IncomingMessage } from 'node:http';

/** The body passed the size limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The body did not arrive within the deadline. */
export class BodyTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`body not received within ${timeoutMs} ms`);
    this.name = 'BodyTimeoutError';
  }
}

/** The client closed the connection before the body was complete. */
export class BodyAbortedError extends Error {
  constructor() {
    super('client closed the connection during the upload');
    this.name = 'BodyAbortedError';
  }
}

/** The service holds as many body bytes as its budget allows. */
export class InflightBudgetError extends Error {
  constructor() {
    super('in-flight body budget exhausted');
    this.name = 'InflightBudgetError';
  }
}

/** Thrown when a body declared `Content-Encoding: gzip` does not decompress. */
export class BodyEncodingError extends Error {
  constructor() {
    super('the body is not valid gzip');
    this.name = 'BodyEncodingError';
  }
}

/** How a body may be read. */
export interface BodyBounds {
  /** Largest body, bytes. */
  limit: number;
  /** Deadline for the whole body, milliseconds. */
  timeoutMs: number;
  /** Asks for `bytes` more of the in-flight budget; false refuses them. */
  reserve(bytes: number): boolean;
}

/** Chunks to one buffer: a fresh, exactly sized one, so it is transferred to the worker without a copy. */
export function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].byteOffset === 0 && chunks[0].buffer.byteLength === total) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Collects chunks under the bounds; shared by the Web and the Node readers. */
class Collector {
  readonly chunks: Uint8Array[] = [];
  total = 0;
  constructor(private readonly bounds: BodyBounds) {}

  /** Adds a chunk, or returns the error that must stop the read. */
  add(chunk: Uint8Array): Error | undefined {
    this.total += chunk.byteLength;
    if (this.total > this.bounds.limit) return new BodyTooLargeError(this.bounds.limit);
    if (!this.bounds.reserve(chunk.byteLength)) return new InflightBudgetError();
    this.chunks.push(chunk);
    return undefined;
  }

  result(): Uint8Array {
    return concat(this.chunks, this.total);
  }
}

/** Reads a Web stream under the bounds (cancelling it on refusal). */
export async function readWebBody(body: ReadableStream<Uint8Array> | null, bounds: BodyBounds): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const collector = new Collector(bounds);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyTimeoutError(bounds.timeoutMs)), bounds.timeoutMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      const stop = collector.add(value);
      if (stop) throw stop;
    }
    return collector.result();
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

type NodeRequest = IncomingMessage & { body?: unknown };

/**
 * Reads an IncomingMessage under the bounds. A body a framework already read
 * (express.json(), Fastify's parser) is taken from `req.body`: as received (Buffer,
 * string) or the parsed object serialized again.
 */
export function readNodeBody(req: NodeRequest, bounds: BodyBounds): Promise<Uint8Array> {
  const pre = req.body;
  if (pre !== undefined) {
    const bytes = Buffer.isBuffer(pre) || pre instanceof Uint8Array ? pre : Buffer.from(typeof pre === 'string' ? pre : JSON.stringify(pre), 'utf8');
    if (bytes.byteLength > bounds.limit) return Promise.reject(new BodyTooLargeError(bounds.limit));
    if (!bounds.reserve(bytes.byteLength)) return Promise.reject(new InflightBudgetError());
    return Promise.resolve(bytes);
  }
  // Consumed by someone else without leaving req.body: nothing left to read.
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const collector = new Collector(bounds);
    const stop = (err: Error) => {
      cleanup();
      // Stop buffering; the adapter closes the connection after answering.
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      const err = collector.add(chunk);
      if (err) stop(err);
    };
    const onEnd = () => {
      cleanup();
      resolve(collector.result());
    };
    const onClose = () => {
      if (!req.complete) stop(new BodyAbortedError());
    };
    const onError = (err: Error) => stop(req.destroyed && !req.complete ? new BodyAbortedError() : err);
    const timer = setTimeout(() => stop(new BodyTimeoutError(bounds.timeoutMs)), bounds.timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Decompresses a gzip body, stopping (BodyTooLargeError) as soon as the output passes
 * `limit`: the limit is on what the service must hold, so a small compressed body cannot
 * expand past it (a gzip bomb costs at most `limit` bytes). DecompressionStream is the Web
 * standard one, so the handler stays runnable outside Node.
 */
export async function gunzipBody(data: Uint8Array, bounds: BodyBounds): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    return await readWebBody(stream, bounds);
  } catch (err) {
    if (err instanceof BodyTooLargeError || err instanceof InflightBudgetError || err instanceof BodyTimeoutError) throw err;
    throw new BodyEncodingError();
  }
}

/**
 * The service-wide budget of body bytes held at once (being read, decompressed, or waiting
 * for a worker). Each request takes a Reservation and gives it back when its job is done.
 */
export class InflightBudget {
  private used = 0;
  constructor(readonly max: number) {}

  /** Bytes held now. */
  get inUse(): number {
    return this.used;
  }

  /** A reservation for one request, empty until it asks for bytes. */
  open(): Reservation {
    let held = 0;
    return {
      reserve: (bytes: number) => {
        if (this.used + bytes > this.max) return false;
        this.used += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        this.used -= held;
        held = 0;
      },
    };
  }
}

/** One request's share of the InflightBudget. */
export interface Reservation {
  /** Takes `bytes` more; false (taking nothing) when the budget cannot hold them. */
  reserve(bytes: number): boolean;
  /** Gives everything back. */
  release(): void;
}
