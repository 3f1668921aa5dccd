// scikit-learn as a bench peer: starts bench/sklearn/kmeans_peer.py once, hands it the
// bench's matrices through a temp file of raw float64 and runs its fits on request, so a
// tinybench task can time a scikit-learn fit in the same run as segmint's (the pipe's
// round trip is well under a millisecond; the fits take tens). When python3 or
// scikit-learn is missing, startSklearn() says why and the suites skip the peer.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, 'kmeans_peer.py');
/** SEGMINT_BENCH_PYTHON picks the interpreter (a virtualenv's python, say); python3 otherwise. */
const python = process.env.SEGMINT_BENCH_PYTHON || 'python3';

/** Resolves to { peer } or { skip: reason }. */
export async function startSklearn() {
  const probe = spawnSync(python, [script], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error || probe.status !== 0) {
    return { skip: `scikit-learn skipped: ${python} not runnable (${probe.error?.code ?? probe.stderr?.trim().split('\n').pop()})` };
  }
  let info;
  try {
    info = JSON.parse(probe.stdout.trim().split('\n').pop());
  } catch {
    return { skip: `scikit-learn skipped: unexpected probe output from ${python}` };
  }
  if (!info.ok) return { skip: `scikit-learn skipped: not importable from ${python} (${info.error}); see README, Benchmark` };

  const child = spawn(python, [script, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const ask = (job) =>
    new Promise((resolve, reject) => {
      waiting.push((out) => (out.ok ? resolve(out) : reject(new Error(`scikit-learn: ${out.error}`))));
      child.stdin.write(`${JSON.stringify(job)}\n`);
    });
  const dir = mkdtempSync(join(tmpdir(), 'segmint-bench-'));
  let files = 0;
  return {
    peer: {
      version: info.sklearn,
      /** Makes X ({ data: Float64Array, rows, cols }) the matrix later fits run on. */
      async load({ data, rows, cols }) {
        const path = join(dir, `X${files++}.f64`);
        writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        await ask({ load: path, rows, cols });
        rmSync(path);
      },
      /** One KMeans fit per seed; resolves to { ms, iterations, inertia }. */
      fit: (job) => ask(job),
      close() {
        child.stdin.end();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}
