// Parquet through both decoders: hyparquet (browsers, and Node without the optional
// parquet-wasm) and parquet-wasm (Node). Files come from two independent writers,
// hyparquet-writer and arrow-rs (parquet-wasm's writeParquet), and the expected columns
// are the values written, so each decoder is checked against the data, not the other.
import { tableFromArrays, tableToIPC } from '@uwdata/flechette';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useParquetWasm } from '../src/prep/parquetNode';
import { parquetReaderName, readCustomers, setParquetReader } from '../src/prep/read';
import { readParquet } from '../src/prep/readParquet';
import { readParquetWasm } from '../src/prep/readParquetWasm';

const col = (r: { data: Record<string, ArrayLike<unknown>> }, name: string): unknown[] => Array.from(r.data[name]);

/** A file written by arrow-rs, from columns built by flechette (nulls where a value is null). */
function arrowRsParquet(columns: Record<string, unknown[] | ArrayLike<unknown>>): Uint8Array {
  const ipc = tableToIPC(tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]), { format: 'stream' })!;
  return writeParquet(WasmTable.fromIPCStream(ipc));
}

const readers = [
  ['hyparquet', () => setParquetReader(undefined)],
  ['parquet-wasm', () => useParquetWasm()],
] as const;

afterEach(() => setParquetReader(undefined));

describe.each(readers)('Parquet through %s', (name, use) => {
  it('is the decoder readCustomers() uses', () => {
    use();
    expect(parquetReaderName()).toBe(name);
  });

  it('reads a file by hyparquet-writer: nullable doubles, 64-bit integers, text with nulls, many row groups', async () => {
    use();
    const n = 2500;
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    const spend = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i * 0.5));
    const orders = Array.from({ length: n }, (_, i) => BigInt(i * 3));
    const city = Array.from({ length: n }, (_, i) => ['Lima', 'São Paulo', null][i % 3]);
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'customer_id', data: ids, type: 'STRING' },
        { name: 'spend', data: spend, type: 'DOUBLE' },
        { name: 'orders', data: orders, type: 'INT64' },
        { name: 'city', data: city, type: 'STRING' },
      ],
      rowGroupSize: 300,
    });
    const r = await readCustomers(new Uint8Array(buf), { name: 'groups.parquet' });
    expect(r.format).toBe('parquet');
    expect(r.rows).toBe(n);
    expect(r.columns).toEqual(['customer_id', 'spend', 'orders', 'city']);
    expect(r.data.spend).toBeInstanceOf(Float64Array);
    expect(r.data.orders).toBeInstanceOf(Float64Array);
    expect(col(r, 'spend')).toEqual(spend.map((v) => (v === null ? NaN : v)));
    expect(col(r, 'orders')).toEqual(orders.map(Number));
    expect(col(r, 'customer_id')).toEqual(ids);
    expect(col(r, 'city')).toEqual(city);
  });

  it('reads a file by arrow-rs: float32, int32, int64, nulls, non-ASCII ids, booleans', async () => {
    use();
    const bytes = arrowRsParquet({
      customer_id: ['ñandú', 'b', 'çà', 'd'],
      spend: new Float64Array([1.5, 2.25, 3, 4]),
      score: new Float32Array([0.5, 0.25, 1, 2]),
      visits: new Int32Array([1, 2, 3, 4]),
      big: [1n, null, 3n, 2n ** 40n],
      rate: [0.1, null, null, 0.4],
      vip: [true, false, null, true],
    });
    const r = await readCustomers(bytes, { name: 'rs.parquet' });
    expect(r.rows).toBe(4);
    expect(col(r, 'customer_id')).toEqual(['ñandú', 'b', 'çà', 'd']);
    expect(col(r, 'spend')).toEqual([1.5, 2.25, 3, 4]);
    expect(col(r, 'score')).toEqual([0.5, 0.25, 1, 2]);
    expect(col(r, 'visits')).toEqual([1, 2, 3, 4]);
    expect(col(r, 'big')).toEqual([1, NaN, 3, 2 ** 40]);
    expect(col(r, 'rate')).toEqual([0.1, NaN, NaN, 0.4]);
    expect(col(r, 'vip')).toEqual([1, 0, NaN, 1]);
    for (const c of ['spend', 'score', 'visits', 'big', 'rate', 'vip']) expect(r.data[c]).toBeInstanceOf(Float64Array);
  });

  it('names a file it cannot read', async () => {
    use();
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1, 2, 3], type: 'DOUBLE' }] }));
    // Keep both magic numbers and the footer length, break the metadata in between.
    const broken = bytes.slice();
    broken.fill(0xff, 4, broken.length - 8);
    await expect(readCustomers(broken, { name: 'bad.parquet' })).rejects.toThrow(/bad.parquet: not a readable Parquet file/);
  });
});

describe('parquet-wasm in slices', () => {
  it('joins slices in row order, equal to the values written, whatever the slice and row-group sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (n, rowGroupSize, slice, seed) => {
          let s = seed;
          const next = () => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return s / 2 ** 32;
          };
          const x = Array.from({ length: n }, () => (next() < 0.2 ? null : Math.round(next() * 1e6) / 100));
          const t = Array.from({ length: n }, (_, i) => (next() < 0.1 ? null : `é${i}`));
          const bytes = new Uint8Array(
            parquetWriteBuffer({
              columnData: [
                { name: 'x', data: x, type: 'DOUBLE' },
                { name: 't', data: t, type: 'STRING' },
              ],
              rowGroupSize,
            }),
          );
          const viaWasm = (await readParquetWasm(bytes, 'p.parquet', slice))!;
          expect(viaWasm.n).toBe(n);
          expect(Array.from(viaWasm.cells.get('x')!)).toEqual(x.map((v) => (v === null ? NaN : v)));
          expect(Array.from(viaWasm.cells.get('t')!)).toEqual(t);
          const viaJs = await readParquet(bytes, 'p.parquet');
          expect(Array.from(viaJs.cells.get('t')!)).toEqual(t);
        },
      ),
      { seed: 11, numRuns: 40 },
    );
  });
});

describe('without the optional parquet-wasm', () => {
  it('readParquetWasm says so (undefined) and readCustomers() reads the file through hyparquet', async () => {
    vi.resetModules();
    vi.doMock('parquet-wasm/node', () => {
      throw new Error("Cannot find module 'parquet-wasm/node'");
    });
    try {
      const fresh = await import('../src/prep/readParquetWasm');
      const read = await import('../src/prep/read');
      const { useParquetWasm: use } = await import('../src/prep/parquetNode');
      const bytes = new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'customer_id', data: ['a', 'b'], type: 'STRING' },
            { name: 'spend', data: [1.5, null], type: 'DOUBLE' },
          ],
        }),
      );
      expect(await fresh.readParquetWasm(bytes, 'x.parquet')).toBeUndefined();
      use();
      expect(read.parquetReaderName()).toBe('parquet-wasm');
      const r = await read.readCustomers(bytes, { name: 'x.parquet' });
      expect(Array.from(r.data.spend)).toEqual([1.5, NaN]);
      expect(Array.from(r.data.customer_id)).toEqual(['a', 'b']);
    } finally {
      vi.doUnmock('parquet-wasm/node');
      vi.resetModules();
    }
  });
});
