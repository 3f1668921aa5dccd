/**
 * Messages in English, Spanish and (Brazilian) Portuguese: segment labels and descriptions,
 * warnings, and the error bodies of the HTTP layer. English is the source: its keys make
 * the MessageKey type, and the other catalogues are typed against it, so a key missing in
 * one language fails to compile; a test checks that every translation uses the same
 * {placeholders}. The English texts the reference service returns are kept verbatim
 * (error.MISSING_PARAMETER, error.AUTH_FAILED, the `error` titles) so segmint stays a drop-in.
 *
 * One file per language (en.ts is the source); this module fills templates, formats
 * numbers and lists, and negotiates Accept-Language.
 *
 * Key families: label.* (segment names), desc.* (one-sentence segment descriptions),
 * fact.* and role.* (pieces those descriptions are built from), warning.*, method.* (the
 * imputation method named in warning.imputed), error.<CODE> (the `message` of an error
 * body) and error.<lowercase> (a more specific `message`: SegmentationError.messageKey).
 * The `error` title of an error body is not here: it is ERROR_TITLES, English in every
 * language, because clients match on it as they do on `code`.
 */
import type { SegmentationErrorCode } from '../errors';
import { en, type Catalogue, type MessageKey } from './en';
import { es } from './es';
import { pt } from './pt';

/** A key of the catalogues. */
export type { MessageKey } from './en';

/** A supported language. */
export type Locale = 'en' | 'es' | 'pt';
/** Every supported language, default first. */
export const LOCALES: readonly Locale[] = ['en', 'es', 'pt'];
/** The language used when nothing else is asked for or negotiable. */
export const DEFAULT_LOCALE: Locale = 'en';

/** Error codes of the error bodies (`code` field); each has an `error.<CODE>` message. */
export type ErrorCode = SegmentationErrorCode;

const CATALOGUES: Record<Locale, Catalogue> = { en, es, pt };

/** Every message key, in catalogue order (for tests and tooling). */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[];

/** The raw template of a key, placeholders not filled in. */
export function template(locale: Locale, key: MessageKey): string {
  return (CATALOGUES[locale] ?? en)[key];
}

/**
 * The `error` field of an error body: a stable English title in every language (clients
 * match on it, as on `code`); only `message` follows Accept-Language. The reference's own
 * titles are kept verbatim.
 */
export const ERROR_TITLES = {
  validation_failed: 'Validation failed',
  invalid_parameters: 'Invalid parameters',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  too_many_requests: 'Too many requests',
  timeout: 'Request timeout',
  service_unavailable: 'Service unavailable',
  internal_error: 'Internal server error',
  service_failure: 'Failed to communicate with AI service',
} as const;

/** A key of ERROR_TITLES. */
export type ErrorTitle = keyof typeof ERROR_TITLES;

/** A number written the way the locale writes it (decimal comma in es and pt), no grouping. */
export function formatNumber(locale: Locale, value: number, maximumFractionDigits = 2): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits, useGrouping: false }).format(value);
}

/** "a, b and c" / "a, b y c" / "a, b e c". */
export function formatList(locale: Locale, items: readonly string[]): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

/**
 * The message for `key` with {name} placeholders replaced by `params`; numbers are written
 * in the locale's style. A placeholder without a value is left as written, so a caller's
 * omission shows up in the text instead of as "undefined".
 */
export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const text = template(locale, key);
  if (text === undefined) throw new Error(`unknown message key ${JSON.stringify(key)}`);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) return whole;
    return typeof value === 'number' ? formatNumber(locale, value, 3) : String(value);
  });
}

/** The `message` of an error body for `code`. */
export function errorMessage(locale: Locale, code: ErrorCode, params?: Record<string, string | number>): string {
  return t(locale, `error.${code}`, params);
}

/**
 * Parses an Accept-Language header value ("pt-BR,pt;q=0.9,en;q=0.8", "*", "", "fr") to the
 * best supported locale, default 'en'. Ranges are tried by quality (q=0 means "not this
 * one"), ties in the order written; a region or script is ignored (pt-BR -> pt,
 * es-419 -> es); "*" accepts the default. Malformed entries are skipped, never thrown on.
 */
export function negotiateLocale(header: string | null | undefined): Locale {
  if (typeof header !== 'string' || header.length === 0 || header.length > 4096) return DEFAULT_LOCALE;
  const ranges: { primary: string; q: number; order: number }[] = [];
  header.split(',').forEach((part, order) => {
    const [range, ...paramsList] = part.split(';').map((s) => s.trim());
    if (!range || !/^(\*|[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*)$/.test(range)) return;
    let q = 1;
    for (const p of paramsList) {
      const m = /^q\s*=\s*([0-9](\.[0-9]{0,3})?)$/i.exec(p);
      if (!m) {
        if (/^q\s*=/i.test(p)) return; // a q that is not a number: drop the range
        continue;
      }
      q = Number(m[1]);
    }
    if (!(q > 0) || q > 1) return;
    ranges.push({ primary: range.split(/[-_]/)[0].toLowerCase(), q, order });
  });
  ranges.sort((a, b) => b.q - a.q || a.order - b.order);
  for (const r of ranges) {
    if (r.primary === '*') return DEFAULT_LOCALE;
    if ((LOCALES as readonly string[]).includes(r.primary)) return r.primary as Locale;
  }
  return DEFAULT_LOCALE;
}

/** True when `value` is one of the supported locales. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
