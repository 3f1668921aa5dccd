/**
 * The result as people use it: a terminal table, Markdown for a ticket or a wiki, and the
 * assignments (customer -> segment) as CSV for a spreadsheet or a CRM import. No Node
 * built-ins: the playground builds its CSV download with the same code.
 */
import { t, type Locale, type MessageKey } from '../i18n/index';
import type { CustomerId, SegmentationResponse } from '../index';
import type { ReadWarning } from '../prep/read';

/** The Intl locale of a catalogue locale: 'en' writes numbers as en-US does (5,000.5). */
const intl = (locale: Locale): string => (locale === 'en' ? 'en-US' : locale);

function fmt(v: number | null | undefined, digits = 2, locale: Locale = 'en'): string {
  if (v === null || v === undefined) return '—';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) return v.toExponential(2);
  return v.toLocaleString(intl(locale), { maximumFractionDigits: digits, minimumFractionDigits: abs < 10 ? digits : 0 });
}

/** Hennig's (2007) reading of a bootstrap Jaccard stability: 0.85, 0.75 and 0.6 are his thresholds. */
function stabilityVerdict(value: number): 'high' | 'stable' | 'doubtful' | 'unstable' {
  return value >= 0.85 ? 'high' : value >= 0.75 ? 'stable' : value >= 0.6 ? 'doubtful' : 'unstable';
}

type Segment = SegmentationResponse['segments'][number];

/**
 * A segment's explanation, one line per part in `locale` (a part the segment lacks is
 * null): the rule that describes it (or that none does), what sets it apart (the three
 * strongest drivers), how stable it is with Hennig's reading, and what to do. The table
 * and the Markdown print them all; the HTML report one part per section.
 */
export function explanationParts(
  s: Pick<Segment, 'rules' | 'drivers' | 'stability' | 'action'>,
  locale: Locale = 'en',
): Record<'rules' | 'drivers' | 'stability' | 'action', string | null> {
  const pct = (v: number) => fmt(v * 100, 0, locale);
  const rules = !s.rules
    ? null
    : s.rules.conditions.length === 0 || s.rules.text === ''
      ? t(locale, 'explain.no_rule')
      : t(locale, 'explain.rule', { rule: s.rules.text, coverage: pct(s.rules.coverage), precision: pct(s.rules.precision) });
  const strongest = (s.drivers ?? []).filter((d) => d.effect !== 'negligible').slice(0, 3);
  const drivers =
    strongest.length === 0
      ? null
      : t(locale, 'explain.drivers', {
          drivers: strongest
            .map((d) =>
              t(locale, 'explain.driver', {
                feature: d.feature,
                direction: t(locale, d.direction === 'higher' ? 'explain.higher' : 'explain.lower'),
                d: fmt(d.d, 2, locale),
                effect: t(locale, `explain.effect.${d.effect}` as MessageKey),
              }),
            )
            .join('; '),
        });
  const stability =
    typeof s.stability === 'number' && Number.isFinite(s.stability)
      ? t(locale, 'explain.stability', {
          value: fmt(s.stability, 2, locale),
          verdict: t(locale, `explain.stability.${stabilityVerdict(s.stability)}` as MessageKey),
        })
      : null;
  const action = s.action ? t(locale, 'explain.action', { action: s.action }) : null;
  return { rules, drivers, stability, action };
}

/** The parts of explanationParts the segment has, in order. */
function explanationLines(s: Segment, locale: Locale): string[] {
  return Object.values(explanationParts(s, locale)).filter((line): line is string => line !== null);
}

/** Good / fair / weak by the usual rules of thumb (silhouette > 0.5, Davies-Bouldin < 1). */
export function metricVerdict(metric: 'silhouette' | 'davies_bouldin', value: number | null): 'good' | 'fair' | 'weak' | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (metric === 'silhouette') return value > 0.5 ? 'good' : value >= 0.25 ? 'fair' : 'weak';
  return value < 1 ? 'good' : value <= 2 ? 'fair' : 'weak';
}

/** The metrics, each with its value, verdict and how to read it, in `locale`. */
export function metricReadings(
  r: SegmentationResponse,
  locale: Locale,
): { key: string; name: string; value: number | null; level: 'good' | 'fair' | 'weak' | null; verdict: string | null; reading: string }[] {
  const m = r.metrics;
  const rows = [
    ['silhouette', m.silhouette_score],
    ['davies_bouldin', m.davies_bouldin_score],
    ['calinski_harabasz', m.calinski_harabasz_score],
  ] as const;
  return rows.map(([key, value]) => {
    const v = key === 'calinski_harabasz' ? null : metricVerdict(key, value);
    return {
      key,
      name: t(locale, `metric.${key}` as MessageKey),
      value,
      level: v,
      verdict: v === null ? null : t(locale, `metric.verdict.${v}` as MessageKey),
      reading: t(locale, `metric.reading.${key}` as MessageKey),
    };
  });
}

/** A readable report: summary, one block per segment, then the characteristics side by side. */
export function formatTable(r: SegmentationResponse, locale: Locale = 'en'): string {
  const lines: string[] = [];
  const m = r.metrics;
  const count = (v: number) => v.toLocaleString(intl(locale));
  lines.push(
    t(locale, 'table.summary', {
      customers: count(r.meta.customers),
      segments: String(r.meta.n_clusters),
      algorithm: r.meta.algorithm,
      features: r.meta.features.join(', '),
    }),
  );
  const readings = metricReadings(r, locale);
  const sampled = m.silhouette?.method === 'sampled' ? ` ${t(locale, 'table.sampled', { n: count(m.silhouette.sample_size) })}` : '';
  lines.push(
    `${readings[0]!.name} ${fmt(m.silhouette_score, 3, locale)}${sampled}` +
      `   ${readings[1]!.name} ${fmt(m.davies_bouldin_score, 3, locale)}   ${readings[2]!.name} ${fmt(m.calinski_harabasz_score, 1, locale)}`,
  );
  for (const reading of readings) {
    lines.push(`  ${reading.name}${reading.verdict ? ` (${reading.verdict})` : ''}: ${reading.reading}`);
  }
  if (r.k_selection) {
    const curve = r.k_selection.curve.map((p) => `${p.k}:${fmt(p.score, 3, locale)}`).join(' ');
    lines.push(t(locale, 'table.k_chosen', { method: r.k_selection.method, k: String(r.k_selection.k), curve }));
  }
  lines.push('');
  for (const s of r.segments) {
    lines.push(`[${s.segment_id}] ${s.label} — ${t(locale, 'table.size', { customers: count(s.size), share: fmt(s.share * 100, 1, locale) })}`);
    lines.push(`    ${s.description}`);
    for (const line of explanationLines(s, locale)) lines.push(`    ${line}`);
  }
  lines.push('');
  const keys = Object.keys(r.segments[0]?.characteristics ?? {});
  const head = ['', ...r.segments.map((s) => `[${s.segment_id}]`)];
  const rows = keys.map((key) => [key, ...r.segments.map((s) => fmt(s.characteristics[key], 2, locale))]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const render = (row: string[]): string => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  lines.push(render(head));
  for (const row of rows) lines.push(render(row));
  const categorical = categoryRows(r);
  if (categorical.length > 0) {
    const w = head.map((h, c) => Math.max(h.length, ...categorical.map((row) => row[c].length)));
    lines.push('');
    for (const row of categorical) lines.push(row.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  '));
  }
  if (r.meta.warnings.length > 0) {
    lines.push('');
    for (const w of r.meta.warnings) lines.push(`! ${w.message}`);
  }
  lines.push('', t(locale, 'table.time', { ms: fmt(r.meta.timings_ms.total, 1, locale) }));
  return lines.join('\n');
}

/** Per text feature, the segment's two most common values with their shares ("mobile 75%, web 12%"). */
function categoryRows(r: SegmentationResponse): string[][] {
  const features = Object.keys(r.segments.find((s) => s.categories)?.categories ?? {});
  return features.map((feature) => [
    feature,
    ...r.segments.map((s) =>
      (s.categories?.[feature]?.top ?? [])
        .slice(0, 2)
        .map((v) => `${v.value} ${fmt(v.share * 100, 0)}%`)
        .join(', '),
    ),
  ]);
}

const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The result as Markdown: summary, metrics with their reading, the segments and their averages. */
export function formatMarkdown(r: SegmentationResponse, locale: Locale = 'en'): string {
  const out: string[] = [];
  out.push(`# ${t(locale, 'report.title')}`, '');
  out.push(
    t(locale, 'report.summary', {
      customers: r.meta.customers.toLocaleString(intl(locale)),
      segments: String(r.meta.n_clusters),
      algorithm: r.meta.algorithm,
      features: r.meta.features.join(', '),
    }),
    '',
  );
  out.push(`## ${t(locale, 'report.metrics')}`, '');
  for (const m of metricReadings(r, locale)) out.push(`- **${m.name}** ${fmt(m.value, 3, locale)}${m.verdict ? ` (${m.verdict})` : ''}: ${m.reading}`);
  out.push('', `## ${t(locale, 'report.segment')}`, '');
  const keys = Object.keys(r.segments[0]?.characteristics ?? {});
  out.push(`| ${['#', t(locale, 'report.segment'), t(locale, 'report.customers'), t(locale, 'report.share'), ...keys].map(mdCell).join(' | ')} |`);
  out.push(`|${[0, 1, 2, 3, ...keys].map((_, i) => (i === 1 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const s of r.segments) {
    const cells = [
      String(s.segment_id),
      s.label,
      String(s.size),
      `${fmt(s.share * 100, 1, locale)}%`,
      ...keys.map((k) => fmt(s.characteristics[k], 2, locale)),
    ];
    out.push(`| ${cells.map(mdCell).join(' | ')} |`);
  }
  const categorical = categoryRows(r);
  if (categorical.length > 0) {
    out.push('', `## ${t(locale, 'report.categories')}`, '');
    out.push(`| ${['', ...r.segments.map((s) => `${s.segment_id}`)].map(mdCell).join(' | ')} |`);
    out.push(`|${['', ...r.segments].map(() => ' --- ').join('|')}|`);
    for (const row of categorical) out.push(`| ${row.map(mdCell).join(' | ')} |`);
  }
  out.push('');
  for (const s of r.segments) {
    out.push(`- **${mdCell(s.label)}** (${s.segment_id}): ${mdCell(s.description)}`);
    for (const line of explanationLines(s, locale)) out.push(`  - ${mdCell(line)}`);
  }
  if (r.meta.warnings.length > 0) {
    out.push('', `## ${t(locale, 'report.warnings')}`, '');
    for (const w of r.meta.warnings) out.push(`- ${mdCell(w.message)}`);
  }
  return `${out.join('\n')}\n`;
}

/** A CSV field, quoted when it must be (RFC 4180). */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The assignments as CSV: customer_id, segment_id, label, one row per customer in the
 * order of `ids` (the file's), then, given probabilities (rows x segments, by segment_id),
 * one p_segment_N column per segment.
 */
export function assignmentsCsv(r: SegmentationResponse, ids: ArrayLike<CustomerId>, probabilities?: { segmentIds: number[]; values: Float64Array }): string {
  const segmentOf = new Map<CustomerId, { id: number; label: string }>();
  for (const s of r.segments) for (const c of s.customers) segmentOf.set(c, { id: s.segment_id, label: s.label });
  const head = ['customer_id', 'segment_id', 'label'];
  if (probabilities) for (const id of probabilities.segmentIds) head.push(`p_segment_${id}`);
  const lines = [head.join(',')];
  const k = probabilities?.segmentIds.length ?? 0;
  for (let i = 0; i < ids.length; i++) {
    const seg = segmentOf.get(ids[i]);
    const cells = [csvField(ids[i]), String(seg?.id ?? ''), csvField(seg?.label ?? '')];
    if (probabilities) for (let j = 0; j < k; j++) cells.push(String(Math.round(probabilities.values[i * k + j] * 1e6) / 1e6));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** A readCustomers() warning in `locale` (its English message when the catalogue has no entry). */
export function readWarningText(locale: Locale, w: ReadWarning): string {
  if (!w.params) return w.message;
  if (w.params.row_ids !== undefined) return t(locale, 'read.row_ids');
  if (w.key === 'unreadable_numbers' && w.params.forced !== undefined) return t(locale, 'read.forced_decimal_failed', w.params);
  if (w.key === 'column_parsed') {
    const rules = (w.rules ?? []).map((r) => t(locale, `read.rule.${r}` as MessageKey, w.params));
    return t(locale, 'read.column_parsed', { ...w.params, rules: rules.join(', ') });
  }
  return t(locale, `read.${w.key}` as MessageKey, w.params);
}
