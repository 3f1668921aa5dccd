/**
 * Feature roles: what a column means in business terms, so that profiles can be read as
 * High-Value / Growth / Price-Sensitive / At-Risk. Roles come from the caller when given,
 * otherwise from the column name.
 *
 * Name matching ignores case and separators ("TotalSpent", "total-spent" and "total_spent"
 * are the same name). A name in the exact lists below wins; otherwise the name's words are
 * checked in the order recency, discount, engagement, frequency, monetary, because the
 * earlier roles' names often contain the later roles' words ("days_since_last_purchase"
 * mentions a purchase but measures recency; "purchases_count" counts, it does not spend).
 */
import { DataError } from '../errors';

/** What a feature means in business terms. */
export type FeatureRole = 'monetary' | 'frequency' | 'recency' | 'engagement' | 'discount';
/** Every feature role. */
export const FEATURE_ROLES: readonly FeatureRole[] = ['monetary', 'frequency', 'recency', 'engagement', 'discount'];

const EXACT_NAMES: Record<FeatureRole, readonly string[]> = {
  monetary: ['total_purchases', 'amount', 'spend', 'revenue', 'total_spent', 'monetary', 'ltv', 'clv', 'avg_order_value', 'order_value', 'sales'],
  frequency: ['frequency', 'orders', 'order_count', 'visits', 'purchases_count', 'transactions', 'num_purchases'],
  recency: ['recency', 'days_since_last_purchase', 'days_since_last_order', 'last_purchase_days', 'days_inactive'],
  engagement: ['open_rate', 'click_rate', 'engagement', 'sessions', 'email_opens', 'logins', 'time_on_site'],
  discount: ['discount_rate', 'coupon_usage', 'discount', 'promo_usage', 'price_sensitivity'],
};

const squash = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const EXACT_LOOKUP = new Map<string, FeatureRole>();
for (const role of FEATURE_ROLES) for (const name of EXACT_NAMES[role]) EXACT_LOOKUP.set(squash(name), role);

/** "daysSinceLastOrder", "Days_Since-last order" -> ["days", "since", "last", "order"]. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function roleFromWords(w: string[]): FeatureRole | undefined {
  const has = (...xs: string[]) => xs.some((x) => w.includes(x));
  if (has('recency', 'inactive', 'inactivity', 'dormant') || (has('days', 'weeks', 'months') && has('since', 'last', 'ago'))) {
    return 'recency';
  }
  if (has('discount', 'discounts', 'coupon', 'coupons', 'promo', 'promos', 'promotion', 'promotions', 'sensitivity', 'voucher', 'vouchers')) {
    return 'discount';
  }
  if (has('engagement', 'engaged', 'opens', 'open', 'clicks', 'click', 'sessions', 'session', 'logins', 'login', 'pageviews', 'ctr')) {
    return 'engagement';
  }
  const purchaseWord = has('purchase', 'purchases', 'order', 'orders', 'transaction', 'transactions', 'visit', 'visits', 'buys');
  if (has('frequency', 'freq', 'visits', 'transactions') || (has('orders') && !has('value')) || (purchaseWord && has('count', 'num', 'number', 'n'))) {
    return 'frequency';
  }
  if (has('spend', 'spent', 'spending', 'revenue', 'amount', 'monetary', 'ltv', 'clv', 'sales', 'aov', 'value', 'purchases', 'basket')) {
    return 'monetary';
  }
  return undefined;
}

/** The role a column name suggests, or undefined when the name says nothing known. */
export function inferRole(feature: string): FeatureRole | undefined {
  return EXACT_LOOKUP.get(squash(feature)) ?? roleFromWords(words(feature));
}

/**
 * Infers roles from common column names (case/underscore/camelCase-insensitive); explicit
 * `given` roles win. `given[feature] = 'none'` (or '') removes a role the name would
 * suggest. An entry of `given` naming a feature that is not in `features` is ignored:
 * preprocessing may have dropped that feature (e.g. because it was constant).
 * Throws a DataError (an InvalidParameterError) on 'roles' naming the entry when a role is not known.
 */
export function inferRoles(features: string[], given?: Record<string, string>): Record<string, FeatureRole | undefined> {
  const explicit = new Map<string, FeatureRole | undefined>();
  if (given !== undefined && given !== null) {
    if (typeof given !== 'object' || Array.isArray(given)) {
      const reason = `must be an object mapping feature names to roles (${FEATURE_ROLES.join(', ')})`;
      throw new DataError('INVALID_PARAMETER', 'roles', `roles: ${reason}`, { reason });
    }
    for (const [feature, role] of Object.entries(given)) {
      if (role === 'none' || role === '' || role === null) {
        explicit.set(feature, undefined);
      } else if (typeof role === 'string' && (FEATURE_ROLES as readonly string[]).includes(role)) {
        explicit.set(feature, role as FeatureRole);
      } else {
        const reason = `roles.${feature} is ${JSON.stringify(role)}; expected one of ${FEATURE_ROLES.map((r) => `'${r}'`).join(', ')} or 'none'`;
        throw new DataError('INVALID_PARAMETER', 'roles', reason, { reason, params: { feature } });
      }
    }
  }
  const roles: Record<string, FeatureRole | undefined> = {};
  for (const feature of features) roles[feature] = explicit.has(feature) ? explicit.get(feature) : inferRole(feature);
  return roles;
}
