// The command line: file formats, output formats, exit codes, against the real process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCustomers } from '../src/cli';

const root = join(import.meta.dirname, '..');

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), ...args], { cwd: root, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('readCustomers', () => {
  it('reads CSV with a header, keeping values as text for segment() to parse', () => {
    expect(readCustomers('customer_id,spend\n1,10.5\n2,\n', 'a.csv')).toEqual({
      data: [
        { customer_id: '1', spend: '10.5' },
        { customer_id: '2', spend: '' },
      ],
    });
  });
  it('reads a plain JSON array or the reference request body', () => {
    expect(readCustomers('[{"customer_id":1}]', 'a.json')).toEqual({ data: [{ customer_id: 1 }] });
    expect(readCustomers('{"data":[{"customer_id":1}],"n_clusters":3}', 'a.json')).toEqual({ data: [{ customer_id: 1 }], n_clusters: 3 });
  });
  it('reads NDJSON, naming the bad line', () => {
    expect(readCustomers('{"customer_id":1}\n\n{"customer_id":2}\n', 'a.ndjson')).toEqual({ data: [{ customer_id: 1 }, { customer_id: 2 }] });
    expect(() => readCustomers('{"customer_id":1}\n{oops\n', 'a.ndjson')).toThrow(/line 2 is not valid JSON/);
  });
});

describe('segmint segment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segmint-cli-'));

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
    expect(r.stdout).toMatch(/5,000 customers, 4 segments \(kmeans\)/);
    expect(r.stdout).toMatch(/Alto Valor/);
    expect(r.stdout).toMatch(/avg_total_purchases/);
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
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/not valid CSV/);
    const nul = join(dir, 'null.json');
    writeFileSync(nul, 'null');
    expect(cli(['segment', nul, '-a', 'kmeans']).status).toBe(2);
  });
});
