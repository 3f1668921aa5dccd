/**
 * Numbers as spreadsheets and accounting tools write them: "1.234,50" (decimal comma,
 * '.' thousands), "1,234.50", "1 234,5", "$1,234.50", "R$ 12,90", "EUR 9", "12.3%",
 * "(45.00)". A column is read with one decimal mark for all its cells, decided on the
 * column (a cell such as "1.234" means 1234 in a column that also has "2,5" and 1.234 in
 * one that has "2.5"); when a column cannot tell, the file's other columns decide, then the
 * delimiter (';' files come from decimal-comma locales). Percentages become fractions
 * (12.3% -> 0.123), so they sit on the same scale as rates written as 0.123.
 */
import { parseNumeric } from './values';

/** The decimal mark of a column. */
export type DecimalMark = '.' | ',';

/** ISO codes read as currency markers. A fixed list: "ABC 12" must stay text. */
const CURRENCY_CODES = new Set([
  'USD',
  'EUR',
  'GBP',
  'BRL',
  'MXN',
  'ARS',
  'CLP',
  'COP',
  'PEN',
  'UYU',
  'CAD',
  'AUD',
  'CHF',
  'JPY',
  'CNY',
  'INR',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'ZAR',
]);
// Longest first, so "R$" and "US$" win over "$".
const CURRENCY_SYMBOLS = ['R$', 'US$', 'C$', 'A$', 'S/', '$', '€', '£', '¥', '₹', '₩', '₽', '₺'];

/** What reading one cell needed. */
export interface CellRules {
  currency?: string;
  percent?: boolean;
  parentheses?: boolean;
  thousands?: boolean;
  decimalComma?: boolean;
}

// Thousands separators: ',' or '.' (whichever is not the decimal mark), spaces (plain,
// no-break, narrow no-break) and the Swiss apostrophe.
const GROUP_DOT = /^\d{1,3}(?:[, '\u00a0\u202f]\d{3})+(?:\.\d*)?$/;
const GROUP_COMMA = /^\d{1,3}(?:[. '\u00a0\u202f]\d{3})+(?:,\d*)?$/;
const PLAIN_DOT = /^(?:\d+\.?\d*|\.\d+)$/;
const PLAIN_COMMA = /^(?:\d+,?\d*|,\d+)$/;

function stripCurrency(s: string, rules: CellRules): string {
  // Most cells are bare numbers: nothing to look for when both ends are digits.
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (first >= 48 && first <= 57 && last >= 48 && last <= 57) return s;
  for (const sym of CURRENCY_SYMBOLS) {
    if (s.startsWith(sym)) {
      rules.currency = sym;
      return s.slice(sym.length).trimStart();
    }
    if (s.endsWith(sym)) {
      rules.currency = sym;
      return s.slice(0, -sym.length).trimEnd();
    }
  }
  const head = /^([A-Z]{3})\s*(?=[\d.,+\-(])/.exec(s);
  if (head && CURRENCY_CODES.has(head[1])) {
    rules.currency = head[1];
    return s.slice(head[0].length);
  }
  const tail = /(?<=[\d.,)])\s*([A-Z]{3})$/.exec(s);
  if (tail && CURRENCY_CODES.has(tail[1])) {
    rules.currency = tail[1];
    return s.slice(0, -tail[0].length);
  }
  return s;
}

/**
 * One formatted cell -> a number with the given decimal mark, or undefined when it is
 * not a number in that format. Rules it needed are set on `rules`.
 */
const SIMPLE_COMMA = /^(-?)(\d+),(\d+)$/;
const SIMPLE_DOT = /^(-?)(\d+)\.(\d+)$/;

export function parseFormattedNumber(raw: string, decimal: DecimalMark, rules: CellRules = {}): number | undefined {
  // Fast path for the common cell, one separator and nothing else ("12,5", "1.234"): a
  // million-row export spends most of its reading time here.
  const simple = SIMPLE_COMMA.exec(raw) ?? SIMPLE_DOT.exec(raw);
  if (simple) {
    const [, minus, whole, frac] = simple;
    const sep = raw.charCodeAt(minus.length + whole.length);
    const isDecimal = (sep === 44) === (decimal === ',');
    if (isDecimal) {
      if (sep === 44) rules.decimalComma = true;
      return Number(`${minus}${whole}.${frac}`);
    }
    if (whole.length > 3 || frac.length !== 3) return undefined;
    rules.thousands = true;
    return Number(`${minus}${whole}${frac}`);
  }
  let s = raw.trim();
  let negative = false;
  // Per cell: `rules` is shared by a column's cells and only says what the column needed.
  let isPercent = false;
  // Signs, parentheses, currency and percent come in any order around the digits:
  // "(1.234,50 €)", "$(45.00)", "(3,0)%", "-R$ 5", "USD -5". Peel them off in passes.
  const percent = (): void => {
    if (s.endsWith('%') && !isPercent) {
      isPercent = true;
      rules.percent = true;
      s = s.slice(0, -1).trimEnd();
    }
  };
  const parens = (): void => {
    if (s.startsWith('(') && s.endsWith(')')) {
      negative = !negative;
      rules.parentheses = true;
      s = s.slice(1, -1).trim();
    }
  };
  const sign = (): void => {
    if (s.startsWith('-') || s.startsWith('+') || s.startsWith('\u2212')) {
      if (s[0] !== '+') negative = !negative;
      s = s.slice(1).trimStart();
    }
  };
  percent();
  parens();
  sign();
  s = stripCurrency(s, rules);
  parens();
  sign();
  percent();
  if (s === '') return undefined;
  let normal: string;
  if (decimal === '.') {
    if (PLAIN_DOT.test(s)) normal = s;
    else if (GROUP_DOT.test(s)) {
      rules.thousands = true;
      normal = s.replace(/[, '\u00a0\u202f]/g, '');
    } else return undefined;
  } else {
    if (PLAIN_COMMA.test(s)) normal = s;
    else if (GROUP_COMMA.test(s)) {
      rules.thousands = true;
      normal = s.replace(/[. '\u00a0\u202f]/g, '');
    } else return undefined;
    if (normal.includes(',')) rules.decimalComma = true;
    normal = normal.replace(',', '.');
  }
  // "12.3%" as Number("12.3e-2"): the nearest double to 0.123, where 12.3 / 100 is not.
  const x = Number(isPercent ? `${normal}e-2` : normal);
  if (!Number.isFinite(x)) return undefined;
  return negative ? -x : x;
}

/** How a column of text cells reads as numbers, before the decimal mark is settled. */
export interface ColumnVerdict {
  /** Every present cell is a plain number ("12.5", "1e3") or missing: nothing to decide. */
  plain: boolean;
  /** Decimal marks under which every present cell reads. */
  fits: DecimalMark[];
  /** Marks under which the cells read to different values (so the choice matters). */
  ambiguous: boolean;
  present: number;
}

/** Looks at a column's cells (strings, numbers, missing) under both decimal marks. */
export function judgeColumn(cells: ArrayLike<unknown>): ColumnVerdict {
  let plain = true;
  let dotOk = true;
  let commaOk = true;
  let differ = false;
  let present = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    const p = parseNumeric(c);
    if (typeof c !== 'string') {
      if (p === undefined) return { plain: false, fits: [], ambiguous: false, present };
      if (!Number.isNaN(p)) present++;
      continue;
    }
    if (p !== undefined) {
      if (Number.isNaN(p)) continue;
      present++;
      // A plain "1.5" under the comma mark is 15 (or nothing): a plain cell still votes.
      // Without a '.' it reads the same under both ("12"), or is exponent notation.
      if (commaOk && c.includes('.')) {
        const asComma = parseFormattedNumber(c, ',');
        if (asComma === undefined) commaOk = false;
        else if (asComma !== p) differ = true;
      } else if (/[eE]/.test(c)) commaOk = false;
      continue;
    }
    plain = false;
    present++;
    const a = parseFormattedNumber(c, '.');
    const b = parseFormattedNumber(c, ',');
    if (a === undefined) dotOk = false;
    if (b === undefined) commaOk = false;
    if (a !== undefined && b !== undefined && a !== b) differ = true;
    if (!dotOk && !commaOk) return { plain: false, fits: [], ambiguous: false, present };
  }
  const fits: DecimalMark[] = [];
  if (dotOk) fits.push('.');
  if (commaOk) fits.push(',');
  return { plain, fits, ambiguous: fits.length === 2 && differ, present };
}

/** A column read as numbers with one decimal mark: the values (NaN = missing) and what it took. */
export interface ParsedColumn {
  values: Float64Array;
  rules: CellRules;
  /** Present cells that did not read, with the first one's index and text. */
  failed: number;
  firstFailure?: { index: number; text: string };
}

/** Reads every cell of a column with one decimal mark. */
export function parseColumn(cells: ArrayLike<unknown>, decimal: DecimalMark): ParsedColumn {
  const n = cells.length;
  const values = new Float64Array(n);
  const rules: CellRules = {};
  let failed = 0;
  let firstFailure: ParsedColumn['firstFailure'];
  for (let i = 0; i < n; i++) {
    const c = cells[i];
    const p = parseNumeric(c);
    // Plain cells keep their plain reading with the '.' mark; with the ',' mark "1.5"
    // is not a number of that column's format, and reads as the format says.
    if (p !== undefined && (Number.isNaN(p) || typeof c !== 'string' || decimal === '.')) {
      values[i] = p;
      continue;
    }
    const v = typeof c === 'string' ? parseFormattedNumber(c, decimal, rules) : undefined;
    if (v === undefined) {
      values[i] = NaN;
      failed++;
      firstFailure ??= { index: i, text: String(c) };
    } else values[i] = v;
  }
  return { values, rules, failed, firstFailure };
}

/** The rules a column needed, in words, for its warning. */
export function describeRules(rules: CellRules, decimal: DecimalMark): string[] {
  const out: string[] = [];
  if (rules.decimalComma || (decimal === ',' && rules.thousands)) out.push('decimal comma');
  if (rules.thousands) out.push(`thousands separators (${decimal === ',' ? "'.' or space" : "',' or space"})`);
  if (rules.currency) out.push(`currency sign ${rules.currency} removed`);
  if (rules.percent) out.push('percentages as fractions (12.3% -> 0.123)');
  if (rules.parentheses) out.push('(parenthesised) values as negatives');
  return out;
}

/** The same rules as keys (the catalogue's `read.rule.*`), for callers that render them in another language. */
export function ruleKeys(rules: CellRules, decimal: DecimalMark): string[] {
  const out: string[] = [];
  if (rules.decimalComma || (decimal === ',' && rules.thousands)) out.push('decimal_comma');
  if (rules.thousands) out.push(decimal === ',' ? 'thousands_dot' : 'thousands_comma');
  if (rules.currency) out.push('currency');
  if (rules.percent) out.push('percent');
  if (rules.parentheses) out.push('parentheses');
  return out;
}
