// The command line: file formats, output formats, exit codes, against the real process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from '@uwdata/flechette';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], { cwd: root, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('segmint segment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segmint-cli-'));

  it('--threads spreads the restarts and changes nothing in the result; a bad count is bad usage', () => {
    const strip = (text: string) => {
      const out = JSON.parse(text);
      delete out.meta.timings_ms;
      return out;
    };
    const one = cli(['segment', 'examples/customers.csv', '-k', '4', '--seed', '3', '--threads', '1']);
    const two = cli(['segment', 'examples/customers.csv', '-k', '4', '--seed', '3', '--threads', '2']);
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(strip(two.stdout)).toEqual(strip(one.stdout));
    const bad = cli(['segment', 'examples/customers.csv', '--threads', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--threads/);
  });

  it('segments the shipped sample and prints JSON when not on a terminal', () => {
    const r = cli(['segment', 'examples/customers.csv', '-k', '4', '--seed', '3']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.meta.customers).toBe(5000);
    expect(out.segments).toHaveLength(4);
    expect(out.segments.reduce((a: number, s: { size: number }) => a + s.size, 0)).toBe(5000);
  });

  it('prints a table with business labels in the asked language', () => {
    const r = cli(['segment', 'examples/customers.csv', '-k', '4', '--format', 'table', '-l', 'es']);
    expect(r.status).toBe(0);
    // Every word of the table in Spanish, numbers too (CLDR leaves 5000 ungrouped in es).
    expect(r.stdout).toMatch(/^5000 clientes, 4 segmentos \(kmeans\), variables: /);
    expect(r.stdout).toMatch(/Alto Valor/);
    expect(r.stdout).toMatch(/avg_total_purchases/);
    expect(r.stdout).toMatch(/^Silueta 0,\d{3} /m);
    expect(r.stdout).toMatch(/ — \d[\d.]* clientes \(\d+,\d%\)$/m);
    expect(r.stdout).toMatch(/^ {4}regla: .+ \(cubre el \d+% del segmento, \d+% de precisión\)$/m);
    expect(r.stdout).toMatch(/^ {4}lo distingue: .+ (más alto|más bajo) \(d -?\d+,\d\d, (pequeño|mediano|grande)\)/m);
    expect(r.stdout).toMatch(/^ {4}estabilidad: [01],\d\d \((muy estable|estable|dudoso|no estable)\)$/m);
    expect(r.stdout).toMatch(/^ {4}acción: /m);
    expect(r.stdout).not.toMatch(/customers|rule:|drivers:|stability:|action:|covers|precise/);
  });

  it("the table shows each segment's rule, drivers, stability and action", () => {
    const args = ['segment', 'examples/customers.csv', '-k', '3', '--seed', '2'];
    const json = JSON.parse(cli(args).stdout);
    const table = cli([...args, '--format', 'table']).stdout;
    for (const s of json.segments) {
      const block = table.slice(table.indexOf(`[${s.segment_id}] ${s.label}`));
      expect(block).toContain(`rule: ${s.rules.text}`);
      expect(block).toMatch(/stability: \d\.\d\d/);
      expect(block).toContain(`action: ${s.action}`);
      const strongest = s.drivers.find((d: { effect: string }) => d.effect !== 'negligible');
      if (strongest) expect(block).toContain(`${strongest.feature} ${strongest.direction}`);
    }
  });

  it('reads NDJSON from stdin with --features and --algorithm', () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ customer_id: `c${i}`, a: i % 2 ? 100 + i : i, b: i })).join('\n');
    const r = cli(['segment', '-', '--features', 'a', '--algorithm', 'hierarchical', '-k', '2'], lines);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.meta.algorithm).toBe('hierarchical');
    // a splits the customers into the evens (0..38) and the odds (100+): two segments of 20.
    expect(out.segments.map((s: { size: number }) => s.size)).toEqual([20, 20]);
    const file = join(dir, 'c.ndjson');
    writeFileSync(file, lines);
    const ok = cli(['segment', file, '--features', 'a', '--algorithm', 'hierarchical', '-k', '2']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).meta.features).toEqual(['a']);
  });

  it('exit 1 with the code for data that cannot be segmented, 2 for bad usage', () => {
    const file = join(dir, 'dup.json');
    writeFileSync(
      file,
      JSON.stringify([
        { customer_id: 1, x: 1 },
        { customer_id: 1, x: 2 },
      ]),
    );
    const dup = cli(['segment', file]);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/DUPLICATE_ID/);
    expect(cli(['segment']).status).toBe(2);
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli(['segment', 'examples/customers.csv', '--format', 'xml']).status).toBe(2);
    expect(cli(['segment', 'examples/customers.csv', '-k', 'abc']).status).toBe(2);
    expect(cli(['segment', 'examples/customers.csv', '--seed', '1.5']).status).toBe(2);
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'customer_id,x\n1,2\n2,3,4\n');
    const bad = cli(['segment', ragged]);
    // A file that does not read is the data's fault: exit 1, with the line.
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/line 3 has 3 fields but the header has 2/);
    const nul = join(dir, 'null.json');
    writeFileSync(nul, 'null');
    expect(cli(['segment', nul, '-a', 'kmeans']).status).toBe(1);
  });
});

describe('segmint usage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segmint-usage-'));

  it('--help on every command exits 0 with examples and exit codes', () => {
    for (const args of [['--help'], ['segment', '--help'], ['segment', '-h'], ['help', 'segment'], ['bench', '--help']]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Examples:/);
      expect(r.stdout).toMatch(/Exit codes:/);
    }
    expect(cli(['segment', '--help']).stdout).toMatch(/--k-range MIN,MAX[\s\S]*--covariance[\s\S]*--delimiter/);
  });

  it('usage errors exit 2 naming the flag as typed, in one short message', () => {
    const cases: [string[], RegExp][] = [
      [['segment', 'examples/customers.csv', '-a', 'foo'], /^segmint: -a must be one of kmeans, hierarchical, dbscan, gmm, hdbscan, auto; got 'foo'$/m],
      [['segment', 'examples/customers.csv', '--algorithm', 'foo'], /^segmint: --algorithm must be one of/m],
      [['segment', 'examples/customers.csv', '-k', '0'], /^segmint: -k must be at least 1; got 0$/m],
      [['segment', 'examples/customers.csv', '--k-range', '5,3'], /--k-range maximum \(3\) is below the minimum \(5\)/],
      [['segment', 'examples/customers.csv', '--eps', '0'], /--eps must be a positive number/],
      [['segment', 'examples/customers.csv', '--roles', 'spend=money'], /--roles role of 'spend' must be one of monetary/],
      [['segment', 'examples/customers.csv', '--delimiter', ':'], /--delimiter must be one of/],
      [['segment', 'examples/customers.csv', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['segment', 'examples/customers.csv', '--features', 'nope'], /UNKNOWN_FEATURE.*\[--features\]/],
      [['segment', 'examples/customers.csv', '--probabilities', '--format', 'csv'], /--probabilities needs -a gmm/],
      [['segment'], /segment needs a FILE/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(pattern);
      // Short: the message and where to find help, not the usage.
      expect(r.stderr.trim().split('\n').length, r.stderr).toBeLessThanOrEqual(2);
    }
  });

  it('reads a European export with a Customer ID header; warns per parsed column', () => {
    const rows = ['Customer ID;Gasto;Visitas;Tasa'];
    for (let i = 0; i < 30; i++) rows.push(`c${i};"€ ${i < 15 ? '1.0' : '9.9'}${i % 10}0,50";${i < 15 ? 2 : 30};${i}%`);
    const file = join(dir, 'export.csv');
    writeFileSync(file, `\ufeff${rows.join('\r\n')}\r\n`);
    const r = cli(['segment', file, '-k', '2', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.meta.features).toEqual(['Gasto', 'Visitas', 'Tasa']);
    expect(out.segments.map((s: { size: number }) => s.size)).toEqual([15, 15]);
    expect(r.stderr).toMatch(/warning: 'Gasto' read as numbers: decimal comma/);
    expect(r.stderr).toMatch(/warning: 'Tasa' read as numbers: percentages as fractions/);
    const pt = cli(['segment', file, '-k', '2', '--format', 'json', '-l', 'pt']);
    expect(pt.stderr).toMatch(/warning: 'Gasto' lida como números: vírgula decimal, separadores de milhar \('\.' ou espaço\), símbolo de moeda € removido/);
    expect(JSON.parse(pt.stdout).meta.warnings[0]).toEqual({ code: 'read_id_field', message: "'Customer ID' é o identificador do cliente" });
  });

  it('without an id column, exits 1 listing the columns and naming --id-field', () => {
    const file = join(dir, 'noid.csv');
    writeFileSync(file, 'nombre,gasto\nAna,1\nBea,2\n');
    const r = cli(['segment', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/its columns are: nombre, gasto\. Name the id column with --id-field NAME/);
  });

  it('segments an Arrow IPC file', () => {
    const n = 300;
    const table = tableFromArrays({
      customer_id: Array.from({ length: n }, (_, i) => `c${i}`),
      total_purchases: Float64Array.from({ length: n }, (_, i) => (i % 3) * 1000 + (i % 7)),
      frequency: Float64Array.from({ length: n }, (_, i) => (i % 3) * 10 + (i % 5)),
    });
    const file = join(dir, 'customers.arrow');
    writeFileSync(file, tableToIPC(table, { format: 'file' })!);
    const r = cli(['segment', file, '-k', '3']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.meta.customers).toBe(n);
    expect(out.segments.flatMap((s: { customers: string[] }) => s.customers).sort()).toEqual(Array.from({ length: n }, (_, i) => `c${i}`).sort());
  });

  it('refuses a binary file in one line', () => {
    const file = join(dir, 'blob.bin');
    writeFileSync(file, Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256)));
    const r = cli(['segment', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`segmint: ${file} is a binary file, not CSV, JSON, NDJSON, Parquet, Arrow or Excel .xlsx\n`);
  });

  it('writes the assignments as CSV in file order with -o, and GMM probabilities that sum to 1', () => {
    const lines = ['id,a'];
    // a: ten customers near 0 and ten near 100; ids interleaved so file order is not segment order.
    for (let i = 0; i < 20; i++) lines.push(`"c,${i}",${i % 2 ? 100 + (i % 3) : i % 3}`);
    const file = join(dir, 'two.csv');
    writeFileSync(file, lines.join('\n'));
    const out = join(dir, 'assign.csv');
    const r = cli(['segment', file, '-k', '2', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('customer_id,segment_id,label');
    expect(csv).toHaveLength(21);
    expect(csv[1]).toMatch(/^"c,0",[01],/);
    const seg = csv.slice(1).map((l) => l.split(',')[2]);
    // Evens together, odds together.
    for (let i = 2; i < 20; i++) expect(seg[i]).toBe(seg[i % 2]);
    expect(seg[0]).not.toBe(seg[1]);
    const g = cli(['segment', file, '-a', 'gmm', '-k', '2', '--format', 'csv', '--probabilities']);
    expect(g.status, g.stderr).toBe(0);
    const rows = g.stdout.trim().split('\n');
    expect(rows[0]).toBe('customer_id,segment_id,label,p_segment_0,p_segment_1');
    for (const row of rows.slice(1)) {
      const cells = row.split(',');
      const p0 = Number(cells.at(-2));
      const p1 = Number(cells.at(-1));
      expect(p0 + p1).toBeCloseTo(1, 5);
      // The most likely segment is the assigned one.
      expect(p0 > p1 ? '0' : '1').toBe(cells.at(-4));
    }
  });

  it('prints Markdown with the metrics and how to read them', () => {
    const r = cli(['segment', 'examples/customers.csv', '-k', '3', '--format', 'markdown']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^# Customer segments/);
    expect(r.stdout).toMatch(/above 0\.5 the segments are well separated/);
    expect(r.stdout).toMatch(/\| # \| Segment \| Customers \| Share \|/);
    expect(r.stdout).toMatch(/^ {2}- rule: .+ \(covers \d+% of it, \d+% precise\)$/m);
  });

  it('prints Markdown in Portuguese, numbers and explanations included', () => {
    const r = cli(['segment', 'examples/customers.csv', '-k', '3', '--format', 'markdown', '-l', 'pt']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^# Segmentos de clientes\n\n5\.000 clientes em 3 segmentos/);
    expect(r.stdout).toMatch(/^- \*\*Silhueta\*\* 0,\d{3} /m);
    expect(r.stdout).toMatch(/^ {2}- regra: .+ \(cobre \d+% do segmento, \d+% de precisão\)$/m);
    expect(r.stdout).toMatch(/^ {2}- estabilidade: [01],\d\d \(/m);
    expect(r.stdout).not.toMatch(/\d,\d{3}\.\d|rule:|covers|stability:/);
  });
});
