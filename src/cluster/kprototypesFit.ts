// Fitting k-prototypes: the initial prototypes (kmodes' init_huang / init_cao, numeric
// part from a normal) and one batch run of assign (WASM) and update until no row moves.

import type { Random } from '../random';
import { kernels, type Region, type Workspace } from '../wasm/index';

/** The regions kprototypesAssign reads and writes, allocated in this order but not committed, so a caller can add its own before one commit. */
export function assignRegions(ws: Workspace, n: number, p: number, m: number, k: number) {
  return { Xr: ws.f64(n * p), Cr: ws.i32(n * m), cenR: ws.f64(k * p), modR: ws.i32(k * m), labR: ws.i32(n), costR: ws.f64(n) };
}

/** Writes the inputs of kprototypesAssign after commit: numeric rows, codes, centroids, modes. */
export function writeAssignInputs(
  ws: Workspace,
  r: { Xr: Region; Cr: Region; cenR: Region; modR: Region },
  num: ArrayLike<number>,
  codes: ArrayLike<number>,
  centroids: ArrayLike<number>,
  modes: ArrayLike<number>,
): void {
  ws.write(r.Xr, num);
  ws.write(r.Cr, codes);
  ws.write(r.cenR, centroids);
  ws.write(r.modR, modes);
}

/** One run's result. */
export interface Run {
  labels: Int32Array;
  centroids: Float64Array;
  modes: Int32Array;
  cost: number;
  iterations: number;
  converged: boolean;
  costHistory: number[];
}

/** The data of a fit, numeric and coded, as the kernels read it. */
export interface Problem {
  num: Float64Array;
  codes: Int32Array;
  n: number;
  p: number;
  m: number;
  sizes: number[];
  gamma: number;
}

function mismatches(codes: Int32Array, i: number, m: number, mode: Int32Array, j: number): number {
  let s = 0;
  for (let t = 0; t < m; t++) {
    const v = codes[i * m + t];
    if (v < 0 || v !== mode[j * m + t]) s++;
  }
  return s;
}

/** kmodes' init_huang on the codes: a frequency-weighted draw per feature, then the nearest row not already a mode. */
export function huangModes(P: Problem, k: number, rng: Random): Int32Array {
  const { codes, n, m } = P;
  const modes = new Int32Array(k * m);
  // Drawing a category in proportion to its frequency is drawing a random row's value.
  for (let j = 0; j < k; j++) for (let t = 0; t < m; t++) modes[j * m + t] = codes[rng.int(n) * m + t];
  const equalsAMode = (i: number) => {
    for (let j = 0; j < k; j++) if (mismatches(codes, i, m, modes, j) === 0) return true;
    return false;
  };
  for (let j = 0; j < k; j++) {
    let best = -1;
    let bestD = Infinity;
    let fallback = 0;
    let fallbackD = Infinity;
    for (let i = 0; i < n; i++) {
      const dis = mismatches(codes, i, m, modes, j);
      if (dis < fallbackD) {
        fallbackD = dis;
        fallback = i;
      }
      if (dis < bestD && !equalsAMode(i)) {
        bestD = dis;
        best = i;
      }
    }
    const row = best >= 0 ? best : fallback;
    for (let t = 0; t < m; t++) modes[j * m + t] = codes[row * m + t];
  }
  return modes;
}

/** kmodes' init_cao: the densest row, then rows maximising density times the mismatches to the nearest chosen mode. */
export function caoModes(P: Problem, k: number): Int32Array {
  const { codes, n, m, sizes } = P;
  const freq = sizes.map((s) => new Float64Array(s));
  for (let i = 0; i < n; i++) for (let t = 0; t < m; t++) if (codes[i * m + t] >= 0) freq[t][codes[i * m + t]]++;
  const dens = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let t = 0; t < m; t++) if (codes[i * m + t] >= 0) dens[i] += freq[t][codes[i * m + t]] / n / m;
  const modes = new Int32Array(k * m);
  let first = 0;
  for (let i = 1; i < n; i++) if (dens[i] > dens[first]) first = i;
  modes.set(codes.subarray(first * m, first * m + m), 0);
  const nearest = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let pick = 0;
    let pickV = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = mismatches(codes, i, m, modes, j - 1) * dens[i];
      if (v < nearest[i]) nearest[i] = v;
      if (nearest[i] > pickV) {
        pickV = nearest[i];
        pick = i;
      }
    }
    modes.set(codes.subarray(pick * m, pick * m + m), j * m);
  }
  return modes;
}

/** kmodes' numeric start: feature mean + standard normal * feature standard deviation, per cluster. */
export function normalCentroids(P: Problem, k: number, rng: Random, stats = columnStats(P.num, P.n, P.p)): Float64Array {
  const { p } = P;
  const { mean, std } = stats;
  const out = new Float64Array(k * p);
  for (let j = 0; j < k; j++) for (let t = 0; t < p; t++) out[j * p + t] = mean[t] + rng.normal() * std[t];
  return out;
}

export function columnStats(num: Float64Array, n: number, p: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(p);
  const std = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let t = 0; t < p; t++) mean[t] += num[i * p + t];
  for (let t = 0; t < p; t++) mean[t] /= n;
  for (let i = 0; i < n; i++) for (let t = 0; t < p; t++) std[t] += (num[i * p + t] - mean[t]) ** 2;
  for (let t = 0; t < p; t++) std[t] = Math.sqrt(std[t] / n);
  return { mean, std };
}

/** Column-major copies of a problem's rows (feature t of row i at t * n + i), as kprototypesStep reads them. */
export function transposeProblem(P: Problem): { numT: Float64Array; codesT: Int32Array } {
  const { num, codes, n, p, m } = P;
  const numT = new Float64Array(n * p);
  const codesT = new Int32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < p; t++) numT[t * n + i] = num[i * p + t];
    for (let t = 0; t < m; t++) codesT[t * n + i] = codes[i * m + t];
  }
  return { numT, codesT };
}

/**
 * One batch run from the given prototypes: assign and accumulate in one WASM pass, then
 * means and modes from the sums, until no row moves. The rows stay in linear memory for
 * the whole run, column-major (transposed once per fit by the caller).
 */
export function runFrom(P: Problem, k: number, centroids: Float64Array, modes: Int32Array, maxIter: number, T = transposeProblem(P)): Run {
  const { num, codes, n, p, m, sizes, gamma } = P;
  const offsets = new Int32Array(m);
  let total = 0;
  for (let t = 0; t < m; t++) {
    offsets[t] = total;
    total += sizes[t];
  }
  const e = kernels().exports;
  const ws = kernels().workspace();
  const Xr = ws.f64(n * p);
  const Cr = ws.i32(n * m);
  const cenR = ws.f64(k * p);
  const modR = ws.i32(k * m);
  const labR = ws.i32(n);
  const costR = ws.f64(n);
  const offR = ws.i32(m);
  const sumR = ws.f64(k * p);
  const cntR = ws.i32(k);
  const catR = ws.i32(Math.max(1, k * total));
  const totR = ws.f64(1);
  ws.commit();
  writeAssignInputs(ws, { Xr, Cr, cenR, modR }, T.numT, T.codesT, centroids, modes);
  ws.write(offR, offsets);
  ws.viewI32(labR).fill(-1);
  const costHistory: number[] = [];
  const step = (): number => {
    const changed = e.kprototypesStep(
      Xr.ptr,
      Cr.ptr,
      n,
      p,
      m,
      cenR.ptr,
      modR.ptr,
      k,
      gamma,
      labR.ptr,
      costR.ptr,
      offR.ptr,
      total,
      sumR.ptr,
      cntR.ptr,
      catR.ptr,
      totR.ptr,
    );
    // The kernel sums the rows' costs in row order, as a loop over costR here would.
    costHistory.push(ws.viewF64(totR)[0]);
    return changed;
  };
  step();
  let iterations = 0;
  let converged = false;
  const sums = ws.viewF64(sumR);
  const counts = ws.viewI32(cntR);
  const cats = ws.viewI32(catR);
  const cen = ws.viewF64(cenR);
  const mod = ws.viewI32(modR);
  const costs = ws.viewF64(costR);
  const reseeded = new Uint8Array(k > 1 ? n : 0);
  while (iterations < maxIter) {
    iterations++;
    let anyReseeded = false;
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        // An empty cluster restarts at the row that fits its prototype worst: that row's
        // cost drops to 0 on the next assignment, so the cost still does not increase.
        let worst = -1;
        for (let i = 0; i < n; i++) if (!reseeded[i] && (worst < 0 || costs[i] > costs[worst])) worst = i;
        reseeded[worst] = 1;
        anyReseeded = true;
        for (let t = 0; t < p; t++) cen[j * p + t] = num[worst * p + t];
        for (let t = 0; t < m; t++) mod[j * m + t] = codes[worst * m + t];
        costs[worst] = 0;
        continue;
      }
      for (let t = 0; t < p; t++) cen[j * p + t] = sums[j * p + t] / counts[j];
      for (let t = 0; t < m; t++) {
        let best = -1;
        let bestCount = 0;
        const base = j * total + offsets[t];
        for (let c = 0; c < sizes[t]; c++) {
          const v = cats[base + c];
          if (v > bestCount) {
            bestCount = v;
            best = c;
          }
        }
        if (best >= 0) mod[j * m + t] = best; // all missing: keep the previous mode
      }
    }
    if (anyReseeded) reseeded.fill(0);
    if (step() === 0) {
      converged = true;
      break;
    }
  }
  return {
    labels: ws.viewI32(labR).slice(),
    centroids: ws.viewF64(cenR).slice(),
    modes: ws.viewI32(modR).slice(),
    cost: costHistory[costHistory.length - 1],
    iterations,
    converged,
    costHistory,
  };
}
