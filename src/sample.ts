/**
 * A seeded generator of customer-like data, used by `npm start`, the examples and the
 * benchmark. Four latent groups (loyal big spenders, growing regulars, bargain hunters,
 * lapsing customers) give the data real structure; within a group spend and order
 * counts are log-normal, recency exponential, and rates bounded in [0, 1], as in real
 * customer bases. About 1% of values are missing (null) in the records.
 */
import { Random } from './random';

/** The generated customers' feature columns, in matrix column order. */
export const SAMPLE_FEATURES = ['total_purchases', 'frequency', 'days_since_last_purchase', 'avg_order_value', 'open_rate', 'discount_rate'] as const;

/** One generated customer record (null = a missing value). */
export interface SampleCustomer {
  customer_id: string;
  total_purchases: number | null;
  frequency: number | null;
  days_since_last_purchase: number | null;
  avg_order_value: number | null;
  open_rate: number | null;
  discount_rate: number | null;
}

interface Group {
  share: number;
  logOrders: [number, number];
  logOrderValue: [number, number];
  recencyMean: number;
  openRate: [number, number];
  discountRate: [number, number];
}

const GROUPS: Group[] = [
  { share: 0.15, logOrders: [3.2, 0.35], logOrderValue: [5.0, 0.3], recencyMean: 12, openRate: [0.55, 0.1], discountRate: [0.08, 0.05] },
  { share: 0.3, logOrders: [2.3, 0.4], logOrderValue: [4.2, 0.35], recencyMean: 25, openRate: [0.4, 0.12], discountRate: [0.15, 0.08] },
  { share: 0.3, logOrders: [1.8, 0.45], logOrderValue: [3.3, 0.3], recencyMean: 40, openRate: [0.3, 0.12], discountRate: [0.6, 0.12] },
  { share: 0.25, logOrders: [1.0, 0.5], logOrderValue: [3.9, 0.45], recencyMean: 210, openRate: [0.08, 0.05], discountRate: [0.25, 0.12] },
];

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const round2 = (v: number): number => Math.round(v * 100) / 100;

function* generate(n: number, seed: number): Generator<number[]> {
  const rng = new Random(seed);
  for (let i = 0; i < n; i++) {
    let u = rng.next();
    let g = GROUPS[GROUPS.length - 1];
    for (const grp of GROUPS) {
      if (u < grp.share) {
        g = grp;
        break;
      }
      u -= grp.share;
    }
    const frequency = Math.max(1, Math.round(Math.exp(g.logOrders[0] + g.logOrders[1] * rng.normal())));
    const aov = Math.exp(g.logOrderValue[0] + g.logOrderValue[1] * rng.normal());
    const recency = Math.round(-g.recencyMean * Math.log(1 - rng.next()));
    yield [
      round2(frequency * aov),
      frequency,
      recency,
      round2(aov),
      round2(clamp01(g.openRate[0] + g.openRate[1] * rng.normal())),
      round2(clamp01(g.discountRate[0] + g.discountRate[1] * rng.normal())),
    ];
  }
}

/** n customer records with ids "C000001"...; about 1% of feature values are null. */
export function sampleCustomers(n = 5000, seed = 42): SampleCustomer[] {
  const missing = new Random(seed ^ 0x5bd1e995);
  const out: SampleCustomer[] = [];
  let i = 0;
  for (const row of generate(n, seed)) {
    const rec: Record<string, unknown> = { customer_id: `C${String(i + 1).padStart(6, '0')}` };
    SAMPLE_FEATURES.forEach((f, j) => (rec[f] = missing.next() < 0.01 ? null : row[j]));
    out.push(rec as unknown as SampleCustomer);
    i++;
  }
  return out;
}

/** The same customers as a complete n x 6 matrix (no missing values), for benchmarks. */
export function sampleCustomerMatrix(n: number, seed = 42): { data: Float64Array; rows: number; cols: number } {
  const cols = SAMPLE_FEATURES.length;
  const data = new Float64Array(n * cols);
  let i = 0;
  for (const row of generate(n, seed)) data.set(row, cols * i++);
  return { data, rows: n, cols };
}
