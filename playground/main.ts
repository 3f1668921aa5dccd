/**
 * The playground: load customers (CSV in any dialect, JSON, NDJSON, Parquet, read by
 * readCustomers(), or the built-in sample), pick the algorithm, k and features, and see
 * the segmentation that segment() returns, computed in a Web Worker so the page stays
 * responsive: a PCA scatter coloured by segment, the k-selection curve, the metrics with
 * how to read them, and the segment profiles. Exports the assignments (CSV), the report
 * (the CLI's HTML report) and the response (JSON). Every text follows the language picker.
 */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import { assignmentsCsv, metricReadings, readWarningText } from '../src/cli/output';
import { pca2 } from '../src/cli/pca';
import { renderReport } from '../src/cli/report';
import {
  init,
  readCustomers,
  ReadError,
  sampleCustomers,
  segmentInWorker,
  wasmInfo,
  type CustomerId,
  type Locale,
  type ReadWarning,
  type SegmentationResponse,
} from '../src/index';
import { type UiKey, ui } from './strings';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, Tooltip, Legend);

/** Points drawn at most; the projection of a larger file is subsampled evenly. */
const MAX_POINTS = 6000;
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#4b5563', '#ea580c', '#0d9488', '#9333ea'];
const NOISE_COLOUR = '#9ca3af';

type Columns = Record<string, ArrayLike<unknown>>;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

interface State {
  /** Loaded customers as columns (numeric ones Float64Array), or null when nothing is loaded. */
  data: Columns | null;
  rows: number;
  idField: string;
  numeric: string[];
  source: string;
  warnings: ReadWarning[];
  response?: SegmentationResponse;
  /** The language the response was rendered in. */
  responseLocale?: Locale;
}
const state: State = { data: null, rows: 0, idField: 'customer_id', numeric: [], source: '', warnings: [] };
let scatterChart: Chart | undefined;
let curveChart: Chart | undefined;
/** Bumped by every load: a slow read that finishes after a newer one must not win. */
let loadToken = 0;

const locale = (): Locale => ($('locale') as HTMLSelectElement).value as Locale;
const tr = (key: UiKey, params?: Record<string, string | number>): string => ui(locale(), key, params);

function setStatus(text: string, isError = false): void {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

/** Records -> columns: numbers (null = missing) as Float64Array, anything else as it is. */
function toColumns(records: Record<string, unknown>[]): Columns {
  const out: Columns = {};
  const keys = Object.keys(records[0] ?? {});
  for (const key of keys) {
    const values = records.map((r) => r[key]);
    const numeric = values.every((v) => v === null || v === undefined || typeof v === 'number');
    out[key] = numeric ? Float64Array.from(values, (v) => (typeof v === 'number' ? v : Number.NaN)) : values;
  }
  return out;
}

/** Forgets the loaded data and any result: after a failed upload nothing of the old file remains. */
function clearData(): void {
  state.data = null;
  state.rows = 0;
  state.numeric = [];
  state.source = '';
  state.warnings = [];
  state.response = undefined;
  $('results').hidden = true;
  ($('run') as HTMLButtonElement).disabled = true;
  for (const id of ['export-csv', 'export-report', 'export-json']) ($(id) as HTMLButtonElement).disabled = true;
  $('data-warnings').replaceChildren();
  const box = $('features');
  box.classList.add('muted');
  box.textContent = tr('pick_features');
  renderSummary();
}

function renderSummary(): void {
  $('data-summary').textContent = state.data
    ? tr('summary', { source: state.source, n: state.rows.toLocaleString(locale()), numeric: state.numeric.length, id: state.idField })
    : tr('no_data');
}

/** What the reader did to each column (currency, decimal comma, ...) and what it could not read, in the page's language. */
function renderDataWarnings(): void {
  $('data-warnings').replaceChildren(
    ...state.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = readWarningText(locale(), w);
      if (w.column) li.dataset.column = w.column;
      li.dataset.key = w.key;
      return li;
    }),
  );
}

function loadData(data: Columns, rows: number, idField: string, warnings: ReadWarning[], source: string): void {
  if (rows === 0) throw new Error(`${source} has no customers`);
  state.data = data;
  state.rows = rows;
  state.idField = idField;
  state.source = source;
  state.warnings = warnings;
  state.response = undefined;
  $('results').hidden = true;
  for (const id of ['export-csv', 'export-report', 'export-json']) ($(id) as HTMLButtonElement).disabled = true;
  // Numeric = read as numbers (formatted ones included); others are named in the warnings.
  state.numeric = Object.keys(data).filter((k) => k !== idField && data[k] instanceof Float64Array);
  renderSummary();
  renderDataWarnings();
  const box = $('features');
  box.classList.remove('muted');
  box.replaceChildren(
    ...state.numeric.map((f) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.value = f;
      input.checked = true;
      // The business reading depends on each feature's role: inferred from its name unless set here.
      const role = document.createElement('select');
      role.className = 'role';
      role.dataset.feature = f;
      for (const r of ['auto', 'monetary', 'frequency', 'recency', 'engagement', 'discount', 'none'] as const) {
        const option = document.createElement('option');
        option.value = r;
        option.dataset.i18n = `role_${r}`;
        option.textContent = tr(`role_${r}` as UiKey);
        role.append(option);
      }
      label.append(input, f, ' ', role);
      return label;
    }),
  );
  const ignored = Object.keys(data).filter((k) => k !== idField && !(data[k] instanceof Float64Array));
  if (ignored.length > 0) {
    const note = document.createElement('div');
    note.id = 'ignored-columns';
    note.className = 'muted';
    note.dataset.columns = ignored.join(', ');
    note.textContent = tr('ignored_columns', { columns: note.dataset.columns });
    box.append(note);
  }
  ($('run') as HTMLButtonElement).disabled = state.numeric.length === 0;
  setStatus(state.numeric.length ? tr('ready') : tr('no_numeric'), state.numeric.length === 0);
}

async function loadFile(file: File): Promise<void> {
  const token = ++loadToken;
  clearData();
  setStatus(tr('reading', { name: file.name }));
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let read: Awaited<ReturnType<typeof readCustomers>>;
    try {
      read = await readCustomers(bytes, { name: file.name });
    } catch (err) {
      // The page can number customers by row; the reader's warning says so.
      if (!(err instanceof ReadError && err.code === 'NO_ID_FIELD')) throw err;
      read = await readCustomers(bytes, { name: file.name, idField: null });
    }
    if (token !== loadToken) return;
    loadData(read.data, read.rows, read.idField, read.warnings, file.name);
  } catch (err) {
    if (token !== loadToken) return;
    clearData();
    setStatus(tr('read_failed', { name: file.name, message: (err as Error).message }), true);
  }
}

function selectedFeatures(): string[] {
  return [...$('features').querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
}

/** Roles set by hand (the rest are inferred from the feature names). */
function selectedRoles(): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const select of $('features').querySelectorAll<HTMLSelectElement>('select.role')) {
    if (select.value !== 'auto' && select.dataset.feature) roles[select.dataset.feature] = select.value;
  }
  return roles;
}

function buildRequest(): Record<string, unknown> {
  const algorithm = ($('algorithm') as HTMLSelectElement).value;
  const autoK = ($('auto-k') as HTMLInputElement).checked;
  const request: Record<string, unknown> = {
    data: state.data,
    algorithm,
    features: selectedFeatures(),
    id_field: state.idField,
    roles: selectedRoles(),
    seed: Number(($('seed') as HTMLInputElement).value) || 0,
  };
  if (algorithm === 'dbscan') {
    const eps = ($('eps') as HTMLInputElement).value.trim();
    if (eps !== '') request.eps = Number(eps);
    const minSamples = ($('min-samples') as HTMLInputElement).value.trim();
    if (minSamples !== '') request.min_samples = Number(minSamples);
  } else if (autoK) {
    request.n_clusters = 'auto';
    request.k_range = [Number(($('k-min') as HTMLInputElement).value), Number(($('k-max') as HTMLInputElement).value)];
    request.k_selection = ($('k-selection') as HTMLSelectElement).value;
  } else {
    request.n_clusters = Number(($('k') as HTMLInputElement).value);
  }
  return request;
}

const fmt = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString(locale()) : v.toFixed(digits);

function colourOf(segmentId: number): string {
  return segmentId < 0 ? NOISE_COLOUR : PALETTE[segmentId % PALETTE.length];
}

function card(value: string, name: string, reading?: { text: string; verdict: string | null; verdictClass?: string }): HTMLElement {
  const el = document.createElement('div');
  el.className = 'card';
  const b = document.createElement('b');
  b.textContent = value;
  const span = document.createElement('span');
  span.textContent = name;
  el.append(b, span);
  if (reading) {
    if (reading.verdict) {
      const v = document.createElement('em');
      v.className = `verdict verdict-${reading.verdictClass}`;
      v.textContent = ` ${reading.verdict}`;
      span.append(v);
    }
    const small = document.createElement('small');
    small.textContent = reading.text;
    el.append(small);
  }
  return el;
}

function renderMetrics(r: SegmentationResponse): void {
  const loc = locale();
  const cards: HTMLElement[] = [
    card(r.meta.algorithm + (r.meta.eps !== undefined ? ` (eps ${fmt(r.meta.eps)})` : ''), tr('card_algorithm')),
    // The segments, not the response's segment list: DBSCAN's noise is listed but is no segment.
    card(String(r.meta.n_clusters), tr('card_segments')),
  ];
  if (r.meta.outliers) cards.push(card(r.meta.outliers.toLocaleString(loc), tr('card_outliers')));
  cards.push(card(r.meta.customers.toLocaleString(loc), tr('card_customers')));
  for (const m of metricReadings(r, loc)) {
    const sampled =
      m.key === 'silhouette' && r.metrics.silhouette?.method === 'sampled'
        ? ` (${tr('sampled', { n: r.metrics.silhouette.sample_size.toLocaleString(loc) })})`
        : '';
    const el = card(fmt(m.value, m.key === 'calinski_harabasz' ? 1 : 3), `${m.name}${sampled}`, {
      text: m.reading,
      verdict: m.verdict,
      verdictClass: m.level ?? undefined,
    });
    el.dataset.metric = m.key;
    cards.push(el);
  }
  cards.push(card(`${fmt(r.meta.timings_ms.total ?? 0, 0)} ms`, tr('card_time')));
  $('metrics').replaceChildren(...cards);
}

function renderScatter(r: SegmentationResponse): void {
  const data = state.data!;
  const segmentOf = new Map<unknown, number>();
  for (const s of r.segments) for (const id of s.customers) segmentOf.set(id, s.segment_id);
  const features = r.meta.features.filter((f) => state.numeric.includes(f));
  const logged = new Set(r.meta.preprocessing.logTransformed ?? []);
  const projection = pca2(data, features.length ? features : state.numeric, logged);
  const n = state.rows;
  const ids = data[state.idField];
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  const points = new Map<number, { x: number; y: number }[]>();
  for (let i = 0; i < n; i += step) {
    const seg = segmentOf.get(ids[i]) ?? -1;
    if (!points.has(seg)) points.set(seg, []);
    points.get(seg)!.push({ x: projection.x[i], y: projection.y[i] });
  }
  const datasets: ChartDataset<'scatter'>[] = r.segments.map((s) => ({
    label: `${s.segment_id < 0 ? tr('noise') : s.segment_id}: ${s.label}`,
    data: points.get(s.segment_id) ?? [],
    backgroundColor: `${colourOf(s.segment_id)}aa`,
    pointRadius: n > 3000 ? 1.6 : 2.5,
  }));
  const [e1, e2] = projection.explained.map((e) => `${(e * 100).toFixed(0)}%`);
  scatterChart?.destroy();
  scatterChart = new Chart($<HTMLCanvasElement>('scatter'), {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: tr('pc', { n: 1, share: e1 }) } }, y: { title: { display: true, text: tr('pc', { n: 2, share: e2 }) } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  $('scatter').dataset.points = String([...points.values()].reduce((a, p) => a + p.length, 0));
  $('scatter-caption').textContent = tr('scatter_caption', { features: features.join(', ') }) + (step > 1 ? tr('every_nth', { step }) : '');
}

function renderCurve(r: SegmentationResponse): void {
  curveChart?.destroy();
  curveChart = undefined;
  const ks = r.k_selection;
  const figure = $('curve-figure');
  figure.hidden = !ks;
  if (!ks) return;
  const method = ks.method.replace(/_/g, ' ');
  $('curve-caption').textContent = tr('curve_caption', { method, algorithm: ks.algorithm, k: ks.k });
  curveChart = new Chart($<HTMLCanvasElement>('curve'), {
    type: 'line',
    data: {
      datasets: [
        {
          label: method,
          data: ks.curve.map((p) => ({ x: p.k, y: p.score })),
          borderColor: '#2563eb',
          backgroundColor: ks.curve.map((p) => (p.k === ks.k ? '#dc2626' : '#2563eb')),
          pointRadius: ks.curve.map((p) => (p.k === ks.k ? 6 : 3)),
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { type: 'linear', ticks: { stepSize: 1 }, title: { display: true, text: 'k' } }, y: { title: { display: true, text: tr('score') } } },
      plugins: { legend: { display: false } },
    },
  });
}

function renderProfiles(r: SegmentationResponse): void {
  const features = Object.keys(r.segments[0]?.characteristics ?? {});
  const head = document.createElement('tr');
  const titles = [tr('th_segment'), tr('th_label'), tr('th_customers'), tr('th_share'), ...features.map((f) => f.replace(/^avg_/, '').replace(/_/g, ' '))];
  titles.forEach((title, i) => {
    const th = document.createElement('th');
    th.textContent = title;
    if (i === 1) th.className = 'label';
    head.append(th);
  });
  $('profiles').querySelector('thead')!.replaceChildren(head);
  $('profiles')
    .querySelector('tbody')!
    .replaceChildren(
      ...r.segments.map((s) => {
        const row = document.createElement('tr');
        const cell = (text: string, className?: string): HTMLTableCellElement => {
          const td = document.createElement('td');
          td.textContent = text;
          if (className) td.className = className;
          row.append(td);
          return td;
        };
        const first = cell(s.segment_id < 0 ? tr('noise') : String(s.segment_id));
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = colourOf(s.segment_id);
        first.prepend(swatch);
        const label = cell(s.label, 'label');
        const description = document.createElement('div');
        description.className = 'description';
        description.textContent = s.description;
        label.append(description, ...explanation(s));
        cell(s.size.toLocaleString('en-US'));
        cell(`${(s.share * 100).toFixed(1)}%`);
        for (const f of features) cell(fmt(s.characteristics[f], 2));
        return row;
      }),
    );
  $('warnings').replaceChildren(
    ...r.meta.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = w.message;
      return li;
    }),
  );
}

/** The segment's rule, what sets it apart and its stability, under its description. */
function explanation(s: SegmentationResponse['segments'][number]): HTMLElement[] {
  const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
  const lines: string[] = [];
  if (s.rules) {
    lines.push(
      s.rules.text === '' ? tr('why_no_rule') : tr('why_rule', { rule: s.rules.text, coverage: pct(s.rules.coverage), precision: pct(s.rules.precision) }),
    );
  }
  const drivers = (s.drivers ?? []).filter((d) => d.effect !== 'negligible').slice(0, 3);
  if (drivers.length > 0)
    lines.push(tr('why_drivers', { drivers: drivers.map((d) => `${d.feature} ${d.direction === 'higher' ? '↑' : '↓'} (d ${d.d.toFixed(2)})`).join(', ') }));
  if (s.stability !== undefined && s.stability !== null) lines.push(tr('why_stability', { stability: s.stability.toFixed(2) }));
  // Text features: each one's most common values in the segment ("channel: mobile 75%, web 12%").
  for (const [feature, p] of Object.entries(s.categories ?? {})) {
    const values = p.top.slice(0, 3).map((v) => `${v.value} ${pct(v.share)}`);
    if (p.other_share > 0) values.push(`${tr('why_other')} ${pct(p.other_share)}`);
    if (p.missing_share > 0) values.push(`${tr('why_missing')} ${pct(p.missing_share)}`);
    lines.push(tr('why_categories', { feature, values: values.join(', ') }));
  }
  return lines.map((text) => {
    const div = document.createElement('div');
    div.className = 'explain';
    div.textContent = text;
    return div;
  });
}

/** Shows the scroll hint while the table is wider than its box (overlay scrollbars show nothing). */
function syncScrollHint(): void {
  const wrap = $('profiles-wrap');
  $('scroll-hint').hidden = wrap.scrollWidth <= wrap.clientWidth + 1;
}

function renderResults(r: SegmentationResponse): void {
  $('results').hidden = false;
  renderMetrics(r);
  renderScatter(r);
  renderCurve(r);
  renderProfiles(r);
  syncScrollHint();
}

function statusDone(r: SegmentationResponse, ms: number): string {
  const outliers = r.meta.outliers ?? 0;
  return outliers > 0 ? tr('done_noise', { ms, segments: r.meta.n_clusters, outliers }) : tr('done', { ms, segments: r.meta.n_clusters });
}

async function run(): Promise<void> {
  if (!state.data) return;
  const button = $('run') as HTMLButtonElement;
  button.disabled = true;
  document.body.dataset.state = 'running';
  setStatus(tr('segmenting'));
  const t0 = performance.now();
  const loc = locale();
  try {
    const response = await segmentInWorker(buildRequest(), {
      locale: loc,
      onProgress: (stage) => setStatus(tr('segmenting_stage', { stage })),
    });
    state.response = response;
    state.responseLocale = loc;
    renderResults(response);
    for (const id of ['export-csv', 'export-report', 'export-json']) ($(id) as HTMLButtonElement).disabled = false;
    setStatus(statusDone(response, Math.round(performance.now() - t0)));
    document.body.dataset.state = 'done';
  } catch (err) {
    const e = err as Error & { code?: string };
    setStatus(`${e.message}${e.code ? ` (${e.code})` : ''}`, true);
    document.body.dataset.state = 'error';
  } finally {
    button.disabled = state.data === null || state.numeric.length === 0;
  }
}

/** Saves text as a file: a Blob URL on a temporary link, revoked once the click is handled. */
function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function exportName(ext: string): string {
  const base = state.source.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_') || 'customers';
  return `${base}-segments.${ext}`;
}

/** The page's fixed texts in the picked language. */
function applyStaticTexts(): void {
  document.documentElement.lang = locale();
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    if (el.id === 'data-summary' || (el.id === 'features' && state.data)) continue;
    el.textContent = tr(el.dataset.i18n as UiKey);
  }
  const info = document.body.dataset.wasm;
  $('intro').textContent = tr('intro', { variant: info === undefined ? '…' : tr(info === 'simd' ? 'simd' : 'scalar') });
  const ignored = document.getElementById('ignored-columns');
  if (ignored) ignored.textContent = tr('ignored_columns', { columns: ignored.dataset.columns ?? '' });
  renderSummary();
  renderDataWarnings();
}

function syncAlgorithmControls(): void {
  const dbscan = ($('algorithm') as HTMLSelectElement).value === 'dbscan';
  // DBSCAN finds k itself: its k fields would be ignored, so they are hidden and disabled.
  $('k-controls').hidden = dbscan;
  for (const id of ['auto-k', 'k', 'k-min', 'k-max', 'k-selection'])
    ($(id) as HTMLInputElement).disabled =
      dbscan || (id === 'k' ? ($('auto-k') as HTMLInputElement).checked : id !== 'auto-k' && !($('auto-k') as HTMLInputElement).checked);
  $('dbscan-controls').hidden = !dbscan;
}

function wire(): void {
  $('load-sample').addEventListener('click', () => {
    loadToken++;
    const records = sampleCustomers(5000, 42) as unknown as Record<string, unknown>[];
    loadData(toColumns(records), records.length, 'customer_id', [], 'Built-in sample');
  });
  $('file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void loadFile(file);
  });
  $('auto-k').addEventListener('change', syncAlgorithmControls);
  $('algorithm').addEventListener('change', syncAlgorithmControls);
  $('locale').addEventListener('change', () => {
    applyStaticTexts();
    // Labels, descriptions and warnings come from segment(): run again in the new language.
    if (state.response) {
      renderResults(state.response);
      void run();
    }
  });
  $('run').addEventListener('click', () => void run());
  $('export-csv').addEventListener('click', () => {
    if (!state.response || !state.data) return;
    download(exportName('csv'), 'text/csv', assignmentsCsv(state.response, state.data[state.idField] as ArrayLike<CustomerId>));
  });
  $('export-report').addEventListener('click', () => {
    if (!state.response || !state.data) return;
    download(exportName('html'), 'text/html', renderReport(state.response, { locale: state.responseLocale, data: state.data, idField: state.idField }));
  });
  $('export-json').addEventListener('click', () => {
    if (!state.response) return;
    download(exportName('json'), 'application/json', JSON.stringify(state.response, null, 2));
  });
  window.addEventListener('resize', syncScrollHint);
  syncAlgorithmControls();
  void init().then(() => {
    document.body.dataset.wasm = wasmInfo().variant === 'simd' ? 'simd' : 'scalar';
    applyStaticTexts();
  });
  document.body.dataset.state = 'ready';
}

wire();
