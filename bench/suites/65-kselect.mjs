// How often each k-selection method finds the known number of segments of bench/kdata.mjs's
// sets, and the ARI of segment()'s labels against the true segments. Every method goes
// through segment() with the same preprocessing, so the figures are what a user gets.
import { adjustedRandIndex, segment } from '../../dist/index.js';
import { benchmarkSets } from '../kdata.mjs';
import { record } from '../lib.mjs';

export const title = 'k selection: finding known segments';

const METHODS = ['default', 'auto', 'prediction_strength', 'gap', 'silhouette', 'davies_bouldin', 'calinski_harabasz', 'elbow', 'bic'];

export async function run({ quick }) {
  // 'auto' (mixture BIC: its covariance floor, restarts and sample) was tuned on variants
  // 0 and 1; variant 2 (full runs only) is other draws of the same kinds of sets, which the
  // tuning never saw.
  for (const variant of quick ? [0] : [0, 1, 2]) await runVariant(quick, variant);
}

async function runVariant(quick, variant) {
  const sets = benchmarkSets({ quick, variant }).map((make) => make());
  const methods = quick ? METHODS.filter((m) => m !== 'bic' && m !== 'gap') : METHODS;
  console.log(`\n${title}, variant ${variant} (${sets.length} sets, ${sets[0].records.length} rows each)`);
  for (const method of methods) {
    let found = 0;
    let foundIn3to7 = 0;
    let sets3to7 = 0;
    let ariSum = 0;
    let ariFoundSum = 0;
    let ms = 0;
    const ks = [];
    for (const s of sets) {
      const request = { data: s.records, ...(method === 'default' ? {} : { k_selection: method }), ...(method === 'bic' ? { algorithm: 'gmm' } : {}) };
      const t = performance.now();
      const r = await segment(request);
      ms += performance.now() - t;
      const byId = new Map();
      for (const seg of r.segments) for (const id of seg.customers) byId.set(id, seg.segment_id);
      const labels = s.records.map((rec) => byId.get(rec.customer_id) ?? -1);
      const ari = adjustedRandIndex(labels, s.labels);
      const hit = r.meta.n_clusters === s.k;
      ks.push(`${s.k}->${r.meta.n_clusters}`);
      ariSum += ari;
      if (hit) {
        found++;
        ariFoundSum += ari;
      }
      if (s.k >= 3 && s.k <= 7) {
        sets3to7++;
        if (hit) foundIn3to7++;
      }
    }
    record(
      `k selection, variant ${variant}`,
      `${method.padEnd(20)} k found`,
      `${found}/${sets.length} (k 3..7: ${foundIn3to7}/${sets3to7}), mean ARI ${(ariSum / sets.length).toFixed(3)}, where found ${found ? (ariFoundSum / found).toFixed(3) : '-'}, ${(ms / sets.length).toFixed(0)} ms/set  [${ks.join(' ')}]`,
      '',
    );
  }
}
