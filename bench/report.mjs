// `node bench/report.mjs`: turns bench/results.json (written by `npm run bench`) into the
// README's benchmark section (between the bench markers) and bench/scaling.svg, a
// log-log plot of time against rows. Plain SVG, so it renders on any Git host.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { env, results } = JSON.parse(readFileSync(join(here, 'results.json'), 'utf8'));

const ms = (v) =>
  v >= 10000
    ? `${(v / 1000).toFixed(v >= 100000 ? 0 : 1)} s`
    : v >= 1000
      ? `${(v / 1000).toFixed(2)} s`
      : v >= 10
        ? `${v.toFixed(0)} ms`
        : v >= 0.1
          ? `${v.toFixed(1)} ms`
          : `${(v * 1000).toFixed(0)} µs`;

function table() {
  const lines = [];
  lines.push(`Run of ${env.date.slice(0, 10)} on ${env.cores} x ${env.cpu}, Node ${env.node}, wasm ${env.wasm}${env.quick ? ' (quick sizes)' : ''}.`);
  lines.push('');
  lines.push('| comparison | contender | mean time | relative to segmint |');
  lines.push('| --- | --- | ---: | ---: |');
  let last;
  for (const r of results) {
    if (r.series || r.value !== undefined || r.group.startsWith('scaling')) continue;
    const group = r.group === last ? '' : r.group;
    last = r.group;
    const time = r.meanMs == null ? '—' : ms(r.meanMs);
    const rel =
      r.meanMs == null
        ? (r.note ?? '')
        : r.ratio == null
          ? ''
          : r.ratio === 1
            ? 'baseline'
            : Math.abs(r.ratio - 1) < 0.05
              ? 'same'
              : r.ratio > 1
                ? `${r.ratio.toFixed(1)}x slower`
                : `${(1 / r.ratio).toFixed(1)}x faster`;
    const iters = r.iterations ? ` (${r.iterations} iterations)` : '';
    lines.push(`| ${group} | ${r.name}${iters} | ${time} | ${rel} |`);
  }
  // Scaling: one row per contender, one column per size ('—' where it was not run).
  const scaling = results.filter((r) => r.series);
  if (scaling.length > 0) {
    const sizes = [...new Set(scaling.map((r) => r.n))].sort((a, b) => a - b);
    const names = [...new Set(scaling.map((r) => r.series))];
    lines.push('', `| scaling (mean time) | ${sizes.map((n) => n.toLocaleString('en')).join(' | ')} |`, `| --- |${sizes.map(() => ' ---: |').join('')}`);
    for (const name of names) {
      const cells = sizes.map((n) => {
        const r = scaling.find((x) => x.series === name && x.n === n);
        return r && r.meanMs != null ? ms(r.meanMs) : '—';
      });
      lines.push(`| ${name} | ${cells.join(' | ')} |`);
    }
  }
  const derived = results.filter((r) => r.value !== undefined);
  if (derived.length > 0) {
    lines.push('', '| figure | value |', '| --- | ---: |');
    for (const r of derived) lines.push(`| ${r.group}: ${r.name} | ${r.value} ${r.unit} |`);
  }
  return lines.join('\n');
}

function svg() {
  const points = results.filter((r) => r.series && r.meanMs != null);
  if (points.length === 0) return null;
  const series = [...new Set(points.map((p) => p.series))];
  const W = 800,
    H = 480,
    L = 70,
    R = 250,
    T = 20,
    B = 50;
  const xs = points.map((p) => Math.log10(p.n));
  const ys = points.map((p) => Math.log10(p.meanMs));
  const [x0, x1] = [Math.floor(Math.min(...xs)), Math.ceil(Math.max(...xs))];
  const [y0, y1] = [Math.floor(Math.min(...ys)), Math.ceil(Math.max(...ys))];
  const px = (x) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (y) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - T - B);
  const colors = [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf',
    '#393b79',
    '#637939',
    '#8c6d31',
    '#843c39',
    '#7b4173',
    '#3182bd',
  ];
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  for (let e = x0; e <= x1; e++) {
    out.push(`<line x1="${px(e)}" y1="${T}" x2="${px(e)}" y2="${H - B}" stroke="#ddd"/>`);
    out.push(`<text x="${px(e)}" y="${H - B + 18}" text-anchor="middle">${(10 ** e).toLocaleString('en')}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    out.push(`<line x1="${L}" y1="${py(e)}" x2="${W - R}" y2="${py(e)}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${py(e) + 4}" text-anchor="end">${ms(10 ** e)}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">rows (log)</text>`);
  out.push(`<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">mean time (log)</text>`);
  series.forEach((name, i) => {
    const pts = points.filter((p) => p.series === name).sort((a, b) => a.n - b.n);
    const color = colors[i % colors.length];
    const dash = name.startsWith('segmint') ? '' : ' stroke-dasharray="5 3"';
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${pts.map((p) => `${px(Math.log10(p.n)).toFixed(1)},${py(Math.log10(p.meanMs)).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const p of pts) out.push(`<circle cx="${px(Math.log10(p.n)).toFixed(1)}" cy="${py(Math.log10(p.meanMs)).toFixed(1)}" r="3" fill="${color}"/>`);
    out.push(`<line x1="${W - R + 15}" y1="${T + 10 + i * 18}" x2="${W - R + 40}" y2="${T + 10 + i * 18}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${W - R + 46}" y="${T + 14 + i * 18}">${name}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

const readmePath = join(here, '..', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';
const plot = svg();
if (plot) writeFileSync(join(here, 'scaling.svg'), plot);
const section = `${start}\n${table()}\n${plot ? '\n![Time against rows, log-log](bench/scaling.svg)\n' : ''}${end}`;
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < 0) throw new Error(`README.md has no ${start} ... ${end} markers`);
writeFileSync(readmePath, readme.slice(0, a) + section + readme.slice(b + end.length));
console.log(`README.md benchmark section and ${plot ? 'bench/scaling.svg' : 'no plot (no scaling rows)'} written`);
