// The packed tarball, as users get it: publint and arethetypeswrong pass on it, and it
// installs into a fresh project where ESM, CommonJS, segmint/http and the bin all work.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

describe('the npm package', () => {
  let dir: string;
  let tarball: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'segmint-pack-'));
    // --ignore-scripts: packs the dist/ that npm ci built, without rebuilding it under the other tests.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, stdio: 'pipe' });
    tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
  }, 120_000);

  it('passes publint (strict)', () => {
    const r = spawnSync(bin('publint'), ['--strict', root], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/All good/);
    expect(r.status).toBe(0);
  }, 120_000);

  it('passes @arethetypeswrong/cli for every entry and resolution mode', () => {
    const r = spawnSync(bin('attw'), [tarball, '--format', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(r.stdout);
    expect(report.analysis.problems ?? []).toEqual([]);
    expect(r.status).toBe(0);
  }, 120_000);

  it('installs into a fresh project: ESM, CommonJS, segmint/http and the bin work', () => {
    const project = join(dir, 'app');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, stdio: 'pipe' });
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
        import { kmeans, segment, createSegmentationHandler } from 'segmint';
        import { createSegmentationHandler as fromHttp } from 'segmint/http';
        const m = kmeans([[0], [0.5], [10], [10.5]], { k: 2 });
        const r = await segment({ data: [{ customer_id: 'a', x: 1 }, { customer_id: 'b', x: 2 }, { customer_id: 'c', x: 9 }], n_clusters: 2 });
        console.log(JSON.stringify({ inertia: m.inertia, sizes: r.segments.map((s) => s.size), handler: typeof createSegmentationHandler, http: typeof fromHttp }));
      `,
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(JSON.parse(esm)).toEqual({ inertia: 0.25, sizes: [2, 1], handler: 'function', http: 'function' });
    const cjs = execFileSync(process.execPath, ['-e', `const s = require('segmint'); console.log(s.kmeans([[1], [2], [10]], { k: 2 }).labels.join(','))`], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(cjs.trim().split(',')).toHaveLength(3);
    const version = execFileSync(join(project, 'node_modules', '.bin', 'segmint'), ['--version'], { encoding: 'utf8' });
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 180_000);
});
