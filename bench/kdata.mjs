// Seeded data sets with known segments, for measuring how well k is chosen (suite
// 65-kselect). Customer-like sets mimic src/sample.ts (log-normal spend and order counts,
// exponential recency, bounded rates, ~1% missing) but with k latent segments drawn at
// random, sizes from 2% to 40% and a chosen overlap, so a method cannot be tuned to one
// fixed structure. Gaussian blobs and non-customer shapes (elongated, unequal spread)
// check that the choice is not specific to customers. Every set is a pure function of its
// arguments.

/** mulberry32 with Box-Muller normals: small, seeded, independent of the library's Random. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare = null;
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { next, normal };
}

/** k segment shares in [0.02, 0.40] summing to 1 (rejection from a flat Dirichlet). */
export function shares(k, r) {
  for (let tries = 0; tries < 10_000; tries++) {
    const e = Array.from({ length: k }, () => -Math.log(1 - r.next()));
    const s = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / s);
    if (p.every((v) => v >= 0.02 && v <= 0.4)) return p;
  }
  return Array.from({ length: k }, () => 1 / k);
}

/** Draws labels by share (exact counts, shuffled). */
function drawLabels(n, p, r) {
  const labels = new Int32Array(n);
  let at = 0;
  p.forEach((share, c) => {
    const count = c === p.length - 1 ? n - at : Math.round(share * n);
    for (let i = 0; i < count && at < n; i++) labels[at++] = c;
  });
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    const t = labels[i];
    labels[i] = labels[j];
    labels[j] = t;
  }
  return labels;
}

// Latent customer dimensions, with the within-segment spread each is drawn with: log order
// count, log order value, log recency scale, open rate, discount rate.
const SPREAD = [0.4, 0.35, 1.0, 0.1, 0.1];
const RANGE = [
  [0.8, 3.4],
  [3.0, 5.3],
  [Math.log(8), Math.log(250)],
  [0.05, 0.6],
  [0.05, 0.65],
];
/** Minimum separation of segment centres, in within-segment spreads, per overlap level. */
export const SEPARATION = { low: 4, medium: 3.2, high: 2.6 };

const clamp01 = (v) => Math.min(1, Math.max(0, v));
const round2 = (v) => Math.round(v * 100) / 100;

/**
 * Customer records with k latent segments: { name, k, records, labels }. overlap: 'low',
 * 'medium' or 'high' (how close segment centres may be). ~1% of feature values are null.
 */
export function customerSet({ k, n = 10_000, overlap = 'medium', seed = 1 }) {
  const r = rng(seed * 7919 + k * 31 + 17);
  const sep = SEPARATION[overlap];
  let centres = null;
  for (let tries = 0; tries < 20_000 && !centres; tries++) {
    const c = Array.from({ length: k }, () => RANGE.map(([lo, hi]) => lo + (hi - lo) * r.next()));
    let ok = true;
    for (let a = 0; a < k && ok; a++)
      for (let b = a + 1; b < k && ok; b++) {
        let d2 = 0;
        for (let j = 0; j < SPREAD.length; j++) d2 += ((c[a][j] - c[b][j]) / SPREAD[j]) ** 2;
        if (Math.sqrt(d2) < sep) ok = false;
      }
    if (ok) centres = c;
  }
  if (!centres) throw new Error(`no ${k} centres ${sep} spreads apart`);
  const labels = drawLabels(n, shares(k, r), r);
  const records = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = centres[labels[i]];
    const frequency = Math.max(1, Math.round(Math.exp(c[0] + SPREAD[0] * r.normal())));
    const aov = Math.exp(c[1] + SPREAD[1] * r.normal());
    const recency = Math.round(-Math.exp(c[2]) * Math.log(1 - r.next()));
    const row = [
      round2(frequency * aov),
      frequency,
      recency,
      round2(aov),
      round2(clamp01(c[3] + SPREAD[3] * r.normal())),
      round2(clamp01(c[4] + SPREAD[4] * r.normal())),
    ];
    const rec = { customer_id: `C${i + 1}` };
    FEATURES.forEach((f, j) => {
      rec[f] = r.next() < 0.01 ? null : row[j];
    });
    records[i] = rec;
  }
  return { name: `customers k=${k} ${overlap} #${seed}`, kind: 'customers', k, records, labels };
}

export const FEATURES = ['total_purchases', 'frequency', 'days_since_last_purchase', 'avg_order_value', 'open_rate', 'discount_rate'];

/**
 * Gaussian blobs (isotropic, unit spread) in d dimensions, centres at least `sep` apart;
 * shape 'elongated' stretches each blob along a random axis (3x), 'unequal' gives blobs
 * spreads from 0.5 to 2.
 */
export function blobSet({ k, n = 10_000, d = 4, sep = 5, shape = 'round', seed = 1 }) {
  const r = rng(seed * 104729 + k * 13 + d);
  let centres = null;
  for (let tries = 0; tries < 20_000 && !centres; tries++) {
    const c = Array.from({ length: k }, () => Array.from({ length: d }, () => (r.next() - 0.5) * sep * Math.cbrt(k) * 2));
    let ok = true;
    for (let a = 0; a < k && ok; a++)
      for (let b = a + 1; b < k && ok; b++) {
        let d2 = 0;
        for (let j = 0; j < d; j++) d2 += (c[a][j] - c[b][j]) ** 2;
        if (Math.sqrt(d2) < sep) ok = false;
      }
    if (ok) centres = c;
  }
  if (!centres) throw new Error(`no ${k} blob centres ${sep} apart`);
  const spread = centres.map(() => (shape === 'unequal' ? 0.5 + 1.5 * r.next() : 1));
  const axis = centres.map(() => {
    const v = Array.from({ length: d }, () => r.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
  const labels = drawLabels(n, shares(k, r), r);
  const records = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    const x = centres[c].map((m) => m + spread[c] * r.normal());
    if (shape === 'elongated') {
      const t = 2 * r.normal();
      for (let j = 0; j < d; j++) x[j] += t * axis[c][j];
    }
    const rec = { customer_id: `B${i + 1}` };
    x.forEach((v, j) => {
      rec[`x${j}`] = r.next() < 0.01 ? null : v;
    });
    records[i] = rec;
  }
  return { name: `blobs k=${k} d=${d} ${shape} #${seed}`, kind: shape === 'round' ? 'blobs' : 'shapes', k, records, labels };
}

/**
 * The benchmark's sets: customers k = 3..8 at two overlaps, blobs, shapes. quick: fewer
 * rows. variant: another draw of every set (other seeds), to check that a setting tuned
 * on variant 0 holds on data it was not tuned on.
 */
export function benchmarkSets({ quick = false, variant = 0 } = {}) {
  const n = quick ? 3000 : 10_000;
  const v = variant * 1000;
  const sets = [];
  for (let k = 3; k <= 8; k++) {
    sets.push(() => customerSet({ k, n, overlap: 'low', seed: k + v }));
    sets.push(() => customerSet({ k, n, overlap: 'medium', seed: k + 100 + v }));
  }
  for (const k of [3, 5, 7]) sets.push(() => blobSet({ k, n, d: 4, seed: k + v }));
  sets.push(() => blobSet({ k: 4, n, d: 3, shape: 'elongated', seed: 2 + v, sep: 7 }));
  sets.push(() => blobSet({ k: 5, n, d: 5, shape: 'unequal', seed: 3 + v, sep: 6 }));
  return sets;
}
