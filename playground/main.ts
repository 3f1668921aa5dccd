/**
 * The playground: load customers (CSV, JSON, NDJSON or the built-in sample), pick the
 * algorithm, k and features, and see the segmentation that segment() returns, computed
 * in a Web Worker so the page stays responsive: a PCA scatter coloured by segment, the
 * k-selection curve, the metrics and the segment profiles.
 */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset } from 'chart.js';
import { parse as parseCsv } from 'csv-parse/browser/esm/sync';
import { init, sampleCustomers, segmentInWorker, wasmInfo, type SegmentationResponse } from '../src/index';
import { pca2, toNumber } from '../src/cli/pca';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, Tooltip, Legend);

/** Points drawn at most; the projection of a larger file is subsampled evenly. */
const MAX_POINTS = 6000;
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#4b5563', '#ea580c', '#0d9488', '#9333ea'];
const NOISE_COLOUR = '#9ca3af';

type Row = Record<string, unknown>;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const state: { records: Row[]; idField: string; numeric: string[]; response?: SegmentationResponse } = { records: [], idField: 'customer_id', numeric: [] };
let scatterChart: Chart | undefined;
let curveChart: Chart | undefined;

function setStatus(text: string, isError = false): void {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

function parseFile(name: string, text: string): Row[] {
  const trimmed = text.trim();
  if (/\.csv$/i.test(name) || (!trimmed.startsWith('[') && !trimmed.startsWith('{'))) {
    return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Row[];
  }
  if (/\.ndjson$/i.test(name) || (trimmed.startsWith('{') && trimmed.includes('\n{'))) {
    return trimmed
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Row);
  }
  const json = JSON.parse(trimmed) as unknown;
  const rows = Array.isArray(json) ? json : (json as { data?: unknown }).data;
  if (!Array.isArray(rows)) throw new Error('JSON must be an array of customers or { "data": [...] }');
  return rows as Row[];
}

/** Columns whose values are mostly numbers (or numeric strings): the ones that can be features. */
function numericColumns(records: Row[], idField: string): string[] {
  const columns = new Set<string>();
  for (const r of records.slice(0, 200)) for (const key of Object.keys(r)) columns.add(key);
  const probe = records.slice(0, 500);
  return [...columns].filter((c) => {
    if (c === idField) return false;
    let seen = 0;
    let numeric = 0;
    for (const r of probe) {
      const v = r[c];
      if (v === null || v === undefined || v === '') continue;
      seen++;
      if (Number.isFinite(toNumber(v))) numeric++;
    }
    return seen > 0 && numeric / seen >= 0.95;
  });
}

function loadRecords(records: Row[], source: string): void {
  if (records.length === 0) throw new Error(`${source} has no customers`);
  const keys = Object.keys(records[0]);
  const idField = keys.find((k) => /^(customer_?id|id|client_?id)$/i.test(k));
  if (idField) {
    state.idField = idField;
    state.records = records;
  } else {
    // Without an id column, number the customers so segments can be mapped back to rows.
    state.idField = '_row';
    state.records = records.map((r, i) => ({ _row: i, ...r }));
  }
  state.numeric = numericColumns(state.records, state.idField);
  $('data-summary').textContent =
    `${source}: ${records.length.toLocaleString()} customers, ${state.numeric.length} numeric columns${idField ? `, ids in “${idField}”` : ''}.`;
  const box = $('features');
  box.classList.remove('muted');
  box.replaceChildren(
    ...state.numeric.map((f) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.value = f;
      input.checked = true;
      label.append(input, f);
      return label;
    }),
  );
  ($('run') as HTMLButtonElement).disabled = state.numeric.length === 0;
  setStatus(state.numeric.length ? 'Ready: press Segment.' : 'No numeric column to segment on.', state.numeric.length === 0);
}

function selectedFeatures(): string[] {
  return [...$('features').querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
}

function buildRequest(): Record<string, unknown> {
  const algorithm = ($('algorithm') as HTMLSelectElement).value;
  const autoK = ($('auto-k') as HTMLInputElement).checked;
  const request: Record<string, unknown> = {
    data: state.records,
    algorithm,
    features: selectedFeatures(),
    id_field: state.idField,
    seed: Number(($('seed') as HTMLInputElement).value) || 0,
  };
  if (algorithm !== 'dbscan') {
    if (autoK) {
      request.n_clusters = 'auto';
      request.k_range = [Number(($('k-min') as HTMLInputElement).value), Number(($('k-max') as HTMLInputElement).value)];
      request.k_selection = ($('k-selection') as HTMLSelectElement).value;
    } else {
      request.n_clusters = Number(($('k') as HTMLInputElement).value);
    }
  }
  return request;
}

const fmt = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString() : v.toFixed(digits);

function colourOf(segmentId: number): string {
  return segmentId < 0 ? NOISE_COLOUR : PALETTE[segmentId % PALETTE.length];
}

function renderMetrics(r: SegmentationResponse): void {
  const cards: [string, string][] = [
    [r.meta.algorithm + (r.meta.eps !== undefined ? ` (eps ${fmt(r.meta.eps)})` : ''), 'algorithm'],
    [String(r.meta.n_clusters), 'segments'],
    [r.meta.customers.toLocaleString(), 'customers'],
    [
      fmt(r.metrics.silhouette_score),
      `silhouette${r.metrics.silhouette?.method === 'sampled' ? ` (sample of ${r.metrics.silhouette.sample_size.toLocaleString()})` : ''} ↑`,
    ],
    [fmt(r.metrics.davies_bouldin_score), 'Davies-Bouldin ↓'],
    [fmt(r.metrics.calinski_harabasz_score, 1), 'Calinski-Harabasz ↑'],
    [
      `${fmt(
        Object.values(r.meta.timings_ms).reduce((a, b) => a + b, 0),
        0,
      )} ms`,
      'in the worker',
    ],
  ];
  $('metrics').replaceChildren(
    ...cards.map(([value, name]) => {
      const card = document.createElement('div');
      card.className = 'card';
      const b = document.createElement('b');
      b.textContent = value;
      const span = document.createElement('span');
      span.textContent = name;
      card.append(b, span);
      return card;
    }),
  );
}

function renderScatter(r: SegmentationResponse): void {
  const segmentOf = new Map<unknown, number>();
  for (const s of r.segments) for (const id of s.customers) segmentOf.set(id, s.segment_id);
  const features = r.meta.features.filter((f) => state.numeric.includes(f));
  const logged = new Set((r.meta.preprocessing as { logTransformed?: string[] }).logTransformed ?? []);
  const projection = pca2(state.records, features.length ? features : state.numeric, logged);
  const n = state.records.length;
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  const points = new Map<number, { x: number; y: number }[]>();
  for (let i = 0; i < n; i += step) {
    const id = state.records[i][state.idField];
    const seg = segmentOf.get(id) ?? segmentOf.get(String(id)) ?? -1;
    if (!points.has(seg)) points.set(seg, []);
    points.get(seg)!.push({ x: projection.x[i], y: projection.y[i] });
  }
  const datasets: ChartDataset<'scatter'>[] = r.segments.map((s) => ({
    label: `${s.segment_id < 0 ? 'noise' : s.segment_id}: ${s.label}`,
    data: points.get(s.segment_id) ?? [],
    backgroundColor: colourOf(s.segment_id) + 'aa',
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
      scales: { x: { title: { display: true, text: `PC1 (${e1} of variance)` } }, y: { title: { display: true, text: `PC2 (${e2})` } } },
      plugins: { legend: { position: 'bottom' } },
    },
  });
  $('scatter').dataset.points = String([...points.values()].reduce((a, p) => a + p.length, 0));
  $('scatter')
    .closest('figure')!
    .querySelector(
      'figcaption',
    )!.textContent = `Customers on their first two principal components (${features.join(', ')}), coloured by segment${step > 1 ? `; every ${step}th customer shown` : ''}`;
}

function renderCurve(r: SegmentationResponse): void {
  curveChart?.destroy();
  curveChart = undefined;
  const ks = r.k_selection;
  const figure = $('curve-figure');
  figure.hidden = !ks;
  if (!ks) return;
  $('curve-caption').textContent = `Choosing k by ${ks.method.replace(/_/g, ' ')} with ${ks.algorithm}: k = ${ks.k}`;
  curveChart = new Chart($<HTMLCanvasElement>('curve'), {
    type: 'line',
    data: {
      datasets: [
        {
          label: ks.method.replace(/_/g, ' '),
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
      scales: { x: { type: 'linear', ticks: { stepSize: 1 }, title: { display: true, text: 'k' } }, y: { title: { display: true, text: 'score' } } },
      plugins: { legend: { display: false } },
    },
  });
}

function renderProfiles(r: SegmentationResponse): void {
  const features = Object.keys(r.segments[0]?.characteristics ?? {});
  const head = document.createElement('tr');
  for (const title of ['segment', 'label', 'customers', 'share', ...features.map((f) => f.replace(/^avg_/, '').replace(/_/g, ' '))]) {
    const th = document.createElement('th');
    th.textContent = title;
    if (title === 'label') th.className = 'label';
    head.append(th);
  }
  $('profiles').querySelector('thead')!.replaceChildren(head);
  $('profiles')
    .querySelector('tbody')!
    .replaceChildren(
      ...r.segments.map((s) => {
        const tr = document.createElement('tr');
        const cell = (text: string, className?: string): HTMLTableCellElement => {
          const td = document.createElement('td');
          td.textContent = text;
          if (className) td.className = className;
          tr.append(td);
          return td;
        };
        const first = cell(s.segment_id < 0 ? 'noise' : String(s.segment_id));
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = colourOf(s.segment_id);
        first.prepend(swatch);
        const label = cell(s.label, 'label');
        const description = document.createElement('div');
        description.className = 'description';
        description.textContent = s.description;
        label.append(description);
        cell(s.size.toLocaleString());
        cell(`${(s.share * 100).toFixed(1)}%`);
        for (const f of features) cell(fmt(s.characteristics[f], 2));
        return tr;
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

async function run(): Promise<void> {
  const button = $('run') as HTMLButtonElement;
  button.disabled = true;
  setStatus('Segmenting…');
  const t0 = performance.now();
  try {
    const response = await segmentInWorker(buildRequest(), {
      locale: ($('locale') as HTMLSelectElement).value,
      onProgress: (stage) => setStatus(`Segmenting… (${stage})`),
    });
    state.response = response;
    $('results').hidden = false;
    renderMetrics(response);
    renderScatter(response);
    renderCurve(response);
    renderProfiles(response);
    const blob = new Blob([JSON.stringify(response, null, 2)], { type: 'application/json' });
    ($('download') as HTMLAnchorElement).href = URL.createObjectURL(blob);
    setStatus(`Done in ${Math.round(performance.now() - t0)} ms: ${response.segments.length} segments.`);
    document.body.dataset.state = 'done';
  } catch (err) {
    const e = err as Error & { code?: string };
    setStatus(`${e.message}${e.code ? ` (${e.code})` : ''}`, true);
    document.body.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

function wire(): void {
  $('load-sample').addEventListener('click', () => loadRecords(sampleCustomers(5000, 42) as unknown as Row[], 'Built-in sample'));
  $('file').addEventListener('change', async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      loadRecords(parseFile(file.name, await file.text()), file.name);
    } catch (err) {
      setStatus(`Could not read ${file.name}: ${(err as Error).message}`, true);
    }
  });
  $('auto-k').addEventListener('change', (e) => {
    const auto = (e.target as HTMLInputElement).checked;
    ($('k') as HTMLInputElement).disabled = auto;
    for (const id of ['k-min', 'k-max', 'k-selection']) ($(id) as HTMLInputElement).disabled = !auto;
  });
  $('run').addEventListener('click', () => void run());
  void init().then(() => {
    const info = wasmInfo();
    $('wasm-variant').textContent = info.variant === 'simd' ? 'SIMD build' : 'scalar build, no SIMD in this browser';
  });
  document.body.dataset.state = 'ready';
}

wire();
