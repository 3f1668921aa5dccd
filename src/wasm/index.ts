/**
 * WASM loading and linear-memory management.
 *
 * Both builds (SIMD and scalar) are embedded as base64 at build time, so nothing is
 * fetched or read from disk, in Node or in a browser. `init()` compiles the SIMD build
 * when `WebAssembly.validate` accepts it and the scalar one otherwise, once, and keeps
 * it. Synchronous callers (kmeans, metrics) may use the kernels before `init()` in Node
 * and in workers, where synchronous compilation is allowed; on a browser's main thread
 * they get a clear error asking for `await init()`.
 *
 * Memory: the kernels never allocate (stub runtime). Each public call takes a fresh
 * Workspace, which lays its buffers out from the heap base, grows memory once if needed
 * and hands out views made after the growth. Because every call starts again from the
 * heap base, memory only ever grows to what the largest single call needed.
 */
import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64, THREADS_WASM_BASE64 } from './bytes.generated';
import type { FitPool } from './fitPool';
import type { ThreadPool } from './threads';
import type { KernelExports, Ptr } from './kernels.generated';
import { InvalidParameterError } from '../errors';

// The kernels' signatures are generated from assembly/ at build time (scripts/build-wasm.mjs),
// so a kernel whose parameters change cannot be called with the old ones.
/** The kernels' exports as compiled (KernelExports) and a byte offset into linear memory (Ptr). */
export type { KernelExports, Ptr } from './kernels.generated';
/** The name of every kernel the module exports. */
export { KERNEL_NAMES } from './kernels.generated';

/** Which build runs: 128-bit SIMD or the scalar fallback. */
export type WasmVariant = 'simd' | 'scalar';

/** What info() reports: the active build, whether the engine could run SIMD, and the linear memory held. */
export interface WasmInfo {
  variant: WasmVariant;
  simdSupported: boolean;
  memoryBytes: number;
  /** Threads a K-Means assignment may use (init({ threads })); 1 when single-threaded. */
  threads: number;
}

function decodeBase64(b64: string): Uint8Array {
  // atob exists in browsers and in Node >= 16; no Buffer, so the browser build has no Node built-ins.
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

const bytesCache: Partial<Record<WasmVariant, Uint8Array>> = {};
function wasmBytes(variant: WasmVariant): Uint8Array {
  const bytes = bytesCache[variant] ?? decodeBase64(variant === 'simd' ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64);
  bytesCache[variant] = bytes;
  return bytes;
}

let simdSupportedCache: boolean | undefined;
/** Whether this engine can run the SIMD build (asked of the engine, not guessed from the user agent). */
export function simdSupported(): boolean {
  simdSupportedCache ??= WebAssembly.validate(wasmBytes('simd') as BufferSource);
  return simdSupportedCache;
}

const instances: Partial<Record<WasmVariant, Kernels>> = {};
const pending: Partial<Record<WasmVariant, Promise<Kernels>>> = {};
let active: Kernels | undefined;

/** Options of init(). */
export interface InitOptions {
  /** 'auto' (default) takes SIMD where the engine validates it. 'scalar' forces the fallback. */
  variant?: 'auto' | WasmVariant;
  /**
   * Off by default: threads (counting the calling one) that K-Means' Lloyd assignment may
   * split rows over, on a shared-memory SIMD build: worker_threads in Node (which also
   * run K-Means restarts in parallel), Web Workers inside a Web Worker of a
   * cross-origin-isolated page (segmentInWorker). Results are bit-identical to one
   * thread. 1 turns it back off; omitted keeps the current setting.
   */
  threads?: number;
}

function resolveVariant(options: InitOptions | undefined): WasmVariant {
  const requested = options?.variant ?? 'auto';
  if (requested !== 'auto' && requested !== 'simd' && requested !== 'scalar') {
    throw new InvalidParameterError('variant', `must be 'auto', 'simd' or 'scalar', got ${JSON.stringify(requested)}`);
  }
  if (requested === 'auto') return simdSupported() ? 'simd' : 'scalar';
  if (requested === 'simd' && !simdSupported()) {
    throw new InvalidParameterError('variant', "'simd' was requested but this engine does not support WebAssembly SIMD");
  }
  return requested;
}

/**
 * Compiles and instantiates the kernels. Idempotent: later calls return the same
 * instance. Passing another variant switches every later call to it.
 */
let threaded: Kernels | undefined;

async function startThreads(threads: number): Promise<Kernels> {
  if (!Number.isInteger(threads) || threads < 1 || threads > 65) {
    throw new InvalidParameterError('threads', `must be an integer from 1 to 65, got ${JSON.stringify(threads)}`);
  }
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  const { startThreadPool, threadsUnavailable } = await import('./threads');
  const missing = threadsUnavailable();
  if (missing) throw new InvalidParameterError('threads', `needs ${missing}; use threads: 1 here`);
  if (!simdSupported()) throw new InvalidParameterError('threads', 'needs WebAssembly SIMD, which this engine lacks');
  const bytes = decodeBase64(THREADS_WASM_BASE64);
  // initial: the builds' 16 pages; maximum: wasm32's 4 GiB, what the threads build declares.
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), { env: { memory } });
  const exports = { ...(instance.exports as unknown as KernelExports), memory } as KernelExports;
  const kern = new Kernels(exports, 'simd');
  kern.pool = await startThreadPool(threads, bytes, memory, exports);
  // The whole-task workers (K-Means restarts in parallel) are Node's: they load
  // dist/fit-worker.js as a file. In a browser the row-split pool alone runs.
  if (!isNode) return kern;
  try {
    const { startFitPool } = await import('./fitPool');
    kern.fitPool = await startFitPool(threads - 1, fitWorkerFile(), 'simd');
  } catch (err) {
    kern.pool.close();
    throw err;
  }
  return kern;
}

/**
 * The whole-task worker beside the built bundle (dist/fit-worker.js), or the dev loader
 * beside the sources when segmint runs from TypeScript (vitest, tsx). `here` keeps
 * bundlers from treating the URL as an asset of the browser build.
 */
function fitWorkerFile(): URL {
  const here = import.meta.url;
  return /\.[cm]?ts$/.test(here) ? new URL('../cluster/dev-fit-worker.mjs', here) : new URL('./fit-worker.js', here);
}

export async function init(options?: InitOptions): Promise<WasmInfo> {
  if (options?.threads !== undefined) {
    if (options.threads === 1) {
      threaded?.close();
      threaded = undefined;
    } else if (threaded?.pool?.threads !== options.threads) {
      const next = await startThreads(options.threads);
      threaded?.close();
      threaded = next;
    }
  }
  if (threaded) {
    active = threaded;
    return info();
  }
  const variant = resolveVariant(options);
  if (!instances[variant]) {
    pending[variant] ??= instantiate<KernelExports>(wasmBytes(variant) as BufferSource, {}).then((r) => (instances[variant] = new Kernels(r.exports, variant)));
    await pending[variant];
  }
  active = instances[variant]!;
  return info();
}

/** The kernels in use, compiling them synchronously on first use where the engine allows it. */
export function kernels(): Kernels {
  if (active) return active;
  const variant = resolveVariant(undefined);
  try {
    const r = instantiateSync<KernelExports>(wasmBytes(variant) as BufferSource, {});
    active = instances[variant] = new Kernels(r.exports, variant);
  } catch (err) {
    throw new Error(
      `segmint: the WebAssembly kernels could not be compiled synchronously here (${(err as Error).message}); call \`await init()\` once before clustering.`,
    );
  }
  return active;
}

/** Which build is active and how much linear memory it holds. */
export function info(): WasmInfo {
  const k = kernels();
  return { variant: k.variant, simdSupported: simdSupported(), memoryBytes: k.exports.memory.buffer.byteLength, threads: k.pool?.threads ?? 1 };
}

const PAGE = 65536;
const ALIGN = 16; // v128 loads and stores

/** A buffer laid out in linear memory by a Workspace. */
export interface Region {
  readonly ptr: Ptr;
  readonly length: number;
  readonly type: 'f64' | 'i32';
}

/** One instantiated build: its exports and workspaces over its memory. */
export class Kernels {
  readonly exports: KernelExports;
  readonly variant: WasmVariant;
  /** The worker pool of init({ threads }); null when single-threaded. */
  pool: ThreadPool | null = null;
  /** The whole-task workers of init({ threads }) (threads - 1 of them); null when single-threaded. */
  fitPool: FitPool | null = null;
  private readonly base: number;
  constructor(exports: KernelExports, variant: WasmVariant) {
    this.exports = exports;
    this.variant = variant;
    this.base = Math.ceil(exports.heapBase() / ALIGN) * ALIGN;
  }
  /** Stops both pools' workers. */
  close(): void {
    this.pool?.close();
    this.fitPool?.close();
    this.pool = null;
    this.fitPool = null;
  }
  /** A new workspace starting at the heap base; any earlier workspace's regions are dead. */
  workspace(): Workspace {
    return new Workspace(this.exports.memory, this.base);
  }
}

/**
 * Lays buffers out in linear memory for one call. Reserve every region first, then
 * `commit()` (grows memory once), then take views; views taken before a growth would
 * be detached, so `f64()`/`i32()` views are only handed out after commit.
 */
export class Workspace {
  private end: number;
  private committed = false;
  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.end = base;
  }
  private reserve(type: 'f64' | 'i32', length: number): Region {
    if (this.committed) throw new Error('segmint internal: reserve after commit');
    const ptr = this.end;
    const bytes = length * (type === 'f64' ? 8 : 4);
    this.end = ptr + Math.ceil(bytes / ALIGN) * ALIGN;
    return { ptr, length, type };
  }
  f64(length: number): Region {
    return this.reserve('f64', length);
  }
  i32(length: number): Region {
    return this.reserve('i32', length);
  }
  /** Grows linear memory so every reserved region fits. */
  commit(): this {
    const have = this.memory.buffer.byteLength;
    if (this.end > have) {
      const maxBytes = 65536 * PAGE;
      if (this.end > maxBytes) {
        throw new RangeError(
          `segmint: this call needs ${(this.end / 2 ** 30).toFixed(2)} GiB of WebAssembly memory, more than the 4 GiB a wasm32 module can address; use fewer rows or features`,
        );
      }
      this.memory.grow(Math.ceil((this.end - have) / PAGE));
    }
    this.committed = true;
    return this;
  }
  /** A Float64Array view of an f64 region (valid until the next commit of any workspace). */
  viewF64(r: Region): Float64Array {
    return new Float64Array(this.memory.buffer, r.ptr, r.length);
  }
  viewI32(r: Region): Int32Array {
    return new Int32Array(this.memory.buffer, r.ptr, r.length);
  }
  /** Copies src into the region. */
  write(r: Region, src: ArrayLike<number>): void {
    (r.type === 'f64' ? this.viewF64(r) : this.viewI32(r)).set(src);
  }
}
