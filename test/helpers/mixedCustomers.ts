/**
 * A seeded generator of mixed customer data with known segments, for the tests and the
 * bench (bench/suites/66-mixed.mjs): four segments that overlap on the numeric features
 * (log-normal spend and orders, exponential recency, a bounded open rate) and differ in
 * the distributions of three categorical fields (channel, plan, region), as real
 * customer bases do: the categories carry much of the structure.
 */
import { Random } from '../../src/random';

/** The numeric and categorical fields of a generated customer. */
export const MIXED_NUMERIC = ['total_spend', 'orders', 'days_since_last_order', 'open_rate'] as const;
export const MIXED_CATEGORICAL = ['channel', 'plan', 'region'] as const;

/** One generated customer; `segment` is the true segment (not a feature). */
export interface MixedCustomer {
  customer_id: string;
  total_spend: number;
  orders: number;
  days_since_last_order: number;
  open_rate: number;
  channel: string;
  plan: string;
  region: string;
  segment: number;
}

interface Segment {
  share: number;
  logSpend: [number, number];
  logOrders: [number, number];
  recencyMean: number;
  openRate: [number, number];
  /** Weights of each category of each categorical field. */
  channel: number[];
  plan: number[];
  region: number[];
}

const CHANNELS = ['mobile', 'phone', 'store', 'web'];
const PLANS = ['basic', 'free', 'premium'];
// Two rare regions: one-hot columns of rare values have a large variance once z-scored
// and pull K-Means towards them, the dominance the issue describes.
const REGIONS = ['central', 'east', 'islands', 'north', 'overseas', 'south', 'west'];

const SEGMENTS: Segment[] = [
  {
    share: 0.3,
    logSpend: [4.0, 0.45],
    logOrders: [1.6, 0.45],
    recencyMean: 60,
    openRate: [0.2, 0.1],
    channel: [0.55, 0.15, 0.15, 0.15],
    plan: [0.25, 0.5, 0.25],
    region: [0.2, 0.15, 0.03, 0.25, 0.02, 0.15, 0.2],
  },
  {
    share: 0.25,
    logSpend: [5.0, 0.45],
    logOrders: [2.3, 0.45],
    recencyMean: 30,
    openRate: [0.35, 0.1],
    channel: [0.15, 0.15, 0.55, 0.15],
    plan: [0.5, 0.25, 0.25],
    region: [0.15, 0.2, 0.03, 0.15, 0.02, 0.25, 0.2],
  },
  {
    share: 0.25,
    logSpend: [6.0, 0.45],
    logOrders: [3.0, 0.45],
    recencyMean: 15,
    openRate: [0.5, 0.1],
    channel: [0.15, 0.15, 0.15, 0.55],
    plan: [0.2, 0.2, 0.6],
    region: [0.25, 0.15, 0.03, 0.15, 0.02, 0.2, 0.2],
  },
  {
    share: 0.2,
    logSpend: [4.6, 0.45],
    logOrders: [1.2, 0.45],
    recencyMean: 150,
    openRate: [0.1, 0.07],
    channel: [0.15, 0.55, 0.15, 0.15],
    plan: [0.3, 0.45, 0.25],
    region: [0.15, 0.2, 0.03, 0.2, 0.02, 0.2, 0.2],
  },
];

function pick(rng: Random, weights: number[], values: string[]): string {
  let u = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return values[i];
  }
  return values[values.length - 1];
}

/** n customers from the four segments, seeded. */
export function mixedCustomers(n: number, seed = 1): MixedCustomer[] {
  const rng = new Random(seed);
  const out: MixedCustomer[] = [];
  for (let i = 0; i < n; i++) {
    let u = rng.next();
    let s = 0;
    while (s < SEGMENTS.length - 1 && u >= SEGMENTS[s].share) u -= SEGMENTS[s++].share;
    const g = SEGMENTS[s];
    const orders = Math.max(1, Math.round(Math.exp(g.logOrders[0] + g.logOrders[1] * rng.normal())));
    out.push({
      customer_id: `M${i}`,
      total_spend: Math.round(Math.exp(g.logSpend[0] + g.logSpend[1] * rng.normal()) * 100) / 100,
      orders,
      days_since_last_order: Math.round(-g.recencyMean * Math.log(1 - rng.next())),
      open_rate: Math.min(1, Math.max(0, Math.round((g.openRate[0] + g.openRate[1] * rng.normal()) * 1000) / 1000)),
      channel: pick(rng, g.channel, CHANNELS),
      plan: pick(rng, g.plan, PLANS),
      region: pick(rng, g.region, REGIONS),
      segment: s,
    });
  }
  return out;
}
