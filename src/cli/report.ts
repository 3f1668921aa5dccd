/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no network) that
 * opens anywhere, mails as an attachment and prints. Segment sizes, each feature's profile
 * against the base, a PCA scatter (when the customers' columns are given), the k-selection
 * curve, the metrics with how to read them, and per-segment rules, drivers and stability
 * when the response carries them. No Node built-ins: the playground renders the same file.
 */
import { t, type Locale } from '../i18n/index';
import type { CustomerId, SegmentationResponse, SegmentResponse } from '../index';
import { explanationParts, metricReadings } from './output';
import { pca2 } from './pca';

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#4b5563', '#ea580c', '#0d9488', '#9333ea'];
const NOISE = '#9ca3af';
/** Points drawn in the scatter at most: an even subsample beyond (the file stays small). */
const MAX_POINTS = 3000;

/** Options of renderReport(). */
export interface ReportOptions {
  locale?: Locale;
  /** The customers' columns (readCustomers().data): enables the PCA scatter. */
  data?: Record<string, ArrayLike<unknown>>;
  /** The id column of `data`, to colour each customer by its segment (default: the first column). */
  idField?: string;
  title?: string;
}

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const colour = (segmentId: number): string => (segmentId < 0 ? NOISE : PALETTE[segmentId % PALETTE.length]);

function num(v: number | null | undefined, locale: Locale, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString(locale, { maximumFractionDigits: digits });
}

function sizesChart(segments: SegmentResponse[], locale: Locale): string {
  const max = Math.max(1, ...segments.map((s) => s.size));
  const rowH = 26;
  const labelW = 220;
  const barW = 420;
  const h = segments.length * rowH + 8;
  const rows = segments.map((s, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(1, (s.size / max) * barW);
    return (
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(s.label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${colour(s.segment_id)}"/>` +
      `<text x="${labelW + w + 6}" y="${y + 17}">${num(s.size, locale, 0)} (${num(s.share * 100, locale, 1)}%)</text>`
    );
  });
  return `<svg class="chart" role="img" viewBox="0 0 ${labelW + barW + 140} ${h}" width="${labelW + barW + 140}" height="${h}">${rows.join('')}</svg>`;
}

/** One small chart per feature: each segment's z (mean vs the base mean, in base std) as a bar from 0. */
function profileCharts(segments: SegmentResponse[], locale: Locale): string {
  const features = Object.keys(segments.find((s) => s.segment_id >= 0)?.profile ?? segments[0]?.profile ?? {});
  const w = 300;
  const rowH = 18;
  return features
    .map((feature) => {
      const zs = segments.map((s) => s.profile[feature]?.z ?? 0);
      const lim = Math.max(1, ...zs.map(Math.abs));
      const mid = w / 2;
      const h = segments.length * rowH + 22;
      const bars = segments.map((s, i) => {
        const z = zs[i];
        const len = (Math.abs(z) / lim) * (mid - 10);
        const x = z >= 0 ? mid : mid - len;
        const y = 4 + i * rowH;
        const mean = s.profile[feature]?.mean;
        return `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0.5, len).toFixed(1)}" height="${rowH - 5}" fill="${colour(s.segment_id)}"><title>${escapeHtml(s.label)}: ${num(mean, locale)} (z ${num(z, locale)})</title></rect>`;
      });
      const axis = `<line x1="${mid}" y1="0" x2="${mid}" y2="${h - 18}" stroke="#111" stroke-width="1"/><text x="${mid}" y="${h - 4}" text-anchor="middle" class="small">${escapeHtml(t(locale, 'report.base'))}</text>`;
      return `<figure class="profile"><figcaption>${escapeHtml(feature)}</figcaption><svg role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}">${bars.join('')}${axis}</svg></figure>`;
    })
    .join('');
}

/** Shades for the values of a categorical feature (the segments keep their own colours). */
const VALUE_SHADES = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#9c9c9c', '#d9d9d9'];

/** One chart per text feature: each segment's bar split by its most common values' shares, then other and missing. */
function categoryCharts(segments: SegmentResponse[], locale: Locale): string {
  const features = Object.keys(segments.find((s) => s.categories)?.categories ?? {});
  const w = 300;
  const rowH = 18;
  return features
    .map((feature) => {
      // One colour per value across segments, in order of first appearance.
      const values: string[] = [];
      for (const s of segments) for (const v of s.categories?.[feature]?.top ?? []) if (!values.includes(v.value)) values.push(v.value);
      const shade = (value: string) => VALUE_SHADES[Math.min(values.indexOf(value), VALUE_SHADES.length - 3)];
      const h = segments.length * rowH + 4;
      const bars = segments.map((s, i) => {
        const p = s.categories?.[feature];
        if (!p) return '';
        const parts = [
          ...p.top.map((v) => ({ name: v.value, share: v.share, fill: shade(v.value) })),
          { name: t(locale, 'report.other'), share: p.other_share, fill: VALUE_SHADES[VALUE_SHADES.length - 2] },
          { name: t(locale, 'report.missing'), share: p.missing_share, fill: VALUE_SHADES[VALUE_SHADES.length - 1] },
        ];
        let x = 0;
        return parts
          .filter((part) => part.share > 0)
          .map((part) => {
            const len = part.share * w;
            const rect = `<rect x="${x.toFixed(1)}" y="${4 + i * rowH}" width="${Math.max(0.5, len).toFixed(1)}" height="${rowH - 5}" fill="${part.fill}"><title>${escapeHtml(s.label)}: ${escapeHtml(part.name)} ${num(part.share * 100, locale, 1)}%</title></rect>`;
            x += len;
            return rect;
          })
          .join('');
      });
      const legend = values.map((v) => `<span class="key"><i style="background:${shade(v)}"></i>${escapeHtml(v)}</span>`).join(' ');
      return `<figure class="profile"><figcaption>${escapeHtml(feature)}</figcaption><svg role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}">${bars.join('')}</svg><div class="small">${legend}</div></figure>`;
    })
    .join('');
}

function scatter(response: SegmentationResponse, data: Record<string, ArrayLike<unknown>>, idField: string): string {
  const features = response.meta.features.filter(
    (f) => data[f] && Array.from({ length: Math.min(50, data[f].length) }, (_, i) => data[f][i]).some((v) => typeof v === 'number' && Number.isFinite(v)),
  );
  const ids = data[idField];
  if (features.length < 2 || !ids) return '';
  const p = pca2(data, features, new Set(response.meta.preprocessing.logTransformed));
  const segmentOf = new Map<CustomerId, number>();
  for (const s of response.segments) for (const c of s.customers) segmentOf.set(c, s.segment_id);
  const n = p.x.length;
  const step = Math.max(1, n / MAX_POINTS);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, p.x[i]);
    maxX = Math.max(maxX, p.x[i]);
    minY = Math.min(minY, p.y[i]);
    maxY = Math.max(maxY, p.y[i]);
  }
  const W = 640;
  const H = 420;
  const sx = (v: number): number => 10 + ((v - minX) / (maxX - minX || 1)) * (W - 20);
  const sy = (v: number): number => H - 10 - ((v - minY) / (maxY - minY || 1)) * (H - 20);
  const dots: string[] = [];
  for (let f = 0; f < n; f += step) {
    const i = Math.floor(f);
    dots.push(`<circle cx="${sx(p.x[i]).toFixed(1)}" cy="${sy(p.y[i]).toFixed(1)}" r="2.2" fill="${colour(segmentOf.get(ids[i] as CustomerId) ?? -1)}"/>`);
  }
  const legend = response.segments.map((s) => `<span class="key"><i style="background:${colour(s.segment_id)}"></i>${escapeHtml(s.label)}</span>`).join(' ');
  const pc = `PC1 ${(p.explained[0] * 100).toFixed(0)}% · PC2 ${(p.explained[1] * 100).toFixed(0)}%`;
  return `<svg class="chart scatter" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#fafafa"/>${dots.join('')}</svg><p class="small">${pc}</p><p>${legend}</p>`;
}

function curveChart(response: SegmentationResponse, locale: Locale): string {
  const ks = response.k_selection;
  if (!ks || ks.curve.length === 0) return '';
  const W = 480;
  const H = 240;
  const pad = 36;
  const kMin = Math.min(...ks.curve.map((p) => p.k));
  const kMax = Math.max(...ks.curve.map((p) => p.k));
  const sMin = Math.min(...ks.curve.map((p) => p.score));
  const sMax = Math.max(...ks.curve.map((p) => p.score));
  const sx = (k: number): number => pad + ((k - kMin) / (kMax - kMin || 1)) * (W - 2 * pad);
  const sy = (s: number): number => H - pad - ((s - sMin) / (sMax - sMin || 1)) * (H - 2 * pad);
  const line = ks.curve.map((p) => `${sx(p.k).toFixed(1)},${sy(p.score).toFixed(1)}`).join(' ');
  const points = ks.curve
    .map((p) => {
      const chosen = p.k === ks.k;
      return `<circle cx="${sx(p.k).toFixed(1)}" cy="${sy(p.score).toFixed(1)}" r="${chosen ? 6 : 3.5}" fill="${chosen ? '#dc2626' : '#2563eb'}"><title>k=${p.k}: ${num(p.score, locale, 4)}</title></circle><text x="${sx(p.k).toFixed(1)}" y="${H - pad + 16}" text-anchor="middle" class="small">${p.k}</text>`;
    })
    .join('');
  const yLabels = `<text x="4" y="${sy(sMax) + 4}" class="small">${num(sMax, locale, 3)}</text><text x="4" y="${sy(sMin) + 4}" class="small">${num(sMin, locale, 3)}</text>`;
  return `<svg class="chart" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><polyline points="${line}" fill="none" stroke="#2563eb" stroke-width="2"/>${points}${yLabels}<text x="${W / 2}" y="${H - 2}" text-anchor="middle" class="small">k</text></svg>`;
}

/** Any JSON readably: for a rules, drivers or stability field in a shape this version does not know. */
function renderValue(v: unknown, locale: Locale, depth = 0): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return num(v, locale, 3);
  if (typeof v !== 'object') return escapeHtml(v);
  if (depth > 4) return escapeHtml(JSON.stringify(v));
  if (Array.isArray(v)) return `<ul>${v.map((x) => `<li>${renderValue(x, locale, depth + 1)}</li>`).join('')}</ul>`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `<dl>${entries.map(([k, x]) => `<dt>${escapeHtml(k)}</dt><dd>${renderValue(x, locale, depth + 1)}</dd>`).join('')}</dl>`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a segment's field has the shape segment() gives it, so it reads as a sentence. */
const KNOWN_SHAPE: Record<'rules' | 'drivers' | 'stability', (v: unknown) => boolean> = {
  rules: (v) => isObject(v) && typeof v.text === 'string' && Array.isArray(v.conditions) && typeof v.coverage === 'number' && typeof v.precision === 'number',
  drivers: (v) =>
    Array.isArray(v) &&
    v.every(
      (d) =>
        isObject(d) &&
        typeof d.feature === 'string' &&
        (d.direction === 'higher' || d.direction === 'lower') &&
        typeof d.d === 'number' &&
        typeof d.effect === 'string',
    ),
  stability: (v) => typeof v === 'number' && Number.isFinite(v),
};

/** One segment's rules, drivers or stability: the table's sentence in the locale, or the raw value. */
function explained(s: SegmentResponse, field: 'rules' | 'drivers' | 'stability', locale: Locale): string {
  const value = (s as unknown as Record<string, unknown>)[field];
  if (!KNOWN_SHAPE[field](value)) return renderValue(value, locale);
  // Only this field: another one may be in a shape this version does not know.
  const line = explanationParts({ [field]: value } as Parameters<typeof explanationParts>[0], locale)[field];
  // Drivers that are all negligible give no line: a dash rather than an empty card.
  return line === null ? '—' : `<p>${escapeHtml(line)}</p>`;
}

function extras(segments: SegmentResponse[], locale: Locale): string {
  const sections: string[] = [];
  for (const [field, key] of [
    ['rules', 'report.rules'],
    ['drivers', 'report.drivers'],
    ['stability', 'report.stability'],
  ] as const) {
    const withField = segments.filter((s) => (s as unknown as Record<string, unknown>)[field] !== undefined);
    if (withField.length === 0) continue;
    const items = withField
      .map((s) => `<div class="extra"><h3 style="color:${colour(s.segment_id)}">${escapeHtml(s.label)}</h3>${explained(s, field, locale)}</div>`)
      .join('');
    sections.push(`<section id="${field}"><h2>${escapeHtml(t(locale, key))}</h2><div class="extras">${items}</div></section>`);
  }
  return sections.join('');
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}h3{font-size:15px;margin:8px 0 4px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:right;vertical-align:top}th:first-child,td:first-child{text-align:left}
.table-wrap{overflow-x:auto}.chart{max-width:100%;height:auto}.chart text{font-size:12px}.small{font-size:11px;color:#555}
.profiles,.extras{display:flex;flex-wrap:wrap;gap:12px}.profile{margin:0}.profile figcaption{font-weight:600}
.key{display:inline-block;margin-right:12px}.key i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px}
.extra{flex:1 1 300px;border:1px solid #e5e7eb;border-radius:6px;padding:8px}.extra p{margin:0 0 4px}dl{margin:0}dt{font-weight:600}dd{margin:0 0 4px 12px}ul{margin:0;padding-left:18px}
.verdict-good{color:#15803d}.verdict-fair{color:#b45309}.verdict-weak{color:#b91c1c}@media print{body{padding:0}}`;

/** The report of a response as one HTML document (a string). */
export function renderReport(response: SegmentationResponse, options: ReportOptions = {}): string {
  const locale = options.locale ?? response.meta.locale ?? 'en';
  const segments = response.segments;
  const title = options.title ?? t(locale, 'report.title');
  const summary = t(locale, 'report.summary', {
    customers: response.meta.customers.toLocaleString(locale),
    segments: String(response.meta.n_clusters),
    algorithm: response.meta.algorithm,
    features: response.meta.features.join(', '),
  });
  const metrics = metricReadings(response, locale)
    .map((m) => {
      return `<tr><td>${escapeHtml(m.name)}</td><td>${num(m.value, locale, 3)}</td><td class="verdict-${m.level ?? ''}">${escapeHtml(m.verdict ?? '')}</td><td style="text-align:left">${escapeHtml(m.reading)}</td></tr>`;
    })
    .join('');
  const keys = Object.keys(segments[0]?.characteristics ?? {});
  const table = `<div class="table-wrap"><table><thead><tr><th>${escapeHtml(t(locale, 'report.segment'))}</th><th>${escapeHtml(t(locale, 'report.customers'))}</th><th>${escapeHtml(t(locale, 'report.share'))}</th>${keys.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}</tr></thead><tbody>${segments
    .map(
      (s) =>
        `<tr><td><span class="key"><i style="background:${colour(s.segment_id)}"></i>${escapeHtml(s.label)}</span><div class="small">${escapeHtml(s.description)}</div></td><td>${num(s.size, locale, 0)}</td><td>${num(s.share * 100, locale, 1)}%</td>${keys.map((k) => `<td>${num(s.characteristics[k], locale)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table></div>`;
  const scatterHtml = options.data ? scatter(response, options.data, options.idField ?? Object.keys(options.data)[0]) : '';
  const curve = curveChart(response, locale);
  const warnings = response.meta.warnings.length
    ? `<section id="warnings"><h2>${escapeHtml(t(locale, 'report.warnings'))}</h2><ul>${response.meta.warnings.map((w) => `<li>${escapeHtml(w.message)}</li>`).join('')}</ul></section>`
    : '';
  return `<!doctype html>
<html lang="${escapeHtml(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(summary)}</p>
<section id="metrics"><h2>${escapeHtml(t(locale, 'report.metrics'))}</h2><table>${metrics}</table></section>
<section id="sizes"><h2>${escapeHtml(t(locale, 'report.sizes'))}</h2>${sizesChart(segments, locale)}${table}</section>
<section id="profile"><h2>${escapeHtml(t(locale, 'report.profile'))}</h2><p class="small">${escapeHtml(t(locale, 'report.profile_note'))}</p><div class="profiles">${profileCharts(segments, locale)}</div></section>
${segments.some((s) => s.categories) ? `<section id="categories"><h2>${escapeHtml(t(locale, 'report.categories'))}</h2><p class="small">${escapeHtml(t(locale, 'report.categories_note'))}</p><div class="profiles">${categoryCharts(segments, locale)}</div></section>` : ''}
${scatterHtml ? `<section id="scatter"><h2>${escapeHtml(t(locale, 'report.scatter'))}</h2>${scatterHtml}</section>` : ''}
${curve && response.k_selection ? `<section id="curve"><h2>${escapeHtml(t(locale, 'report.curve', { method: response.k_selection.method }))}</h2>${curve}</section>` : ''}
${extras(segments, locale)}
${warnings}
<p class="small">segmint · ${escapeHtml(new Date().toISOString().slice(0, 10))}</p>
</body>
</html>
`;
}
