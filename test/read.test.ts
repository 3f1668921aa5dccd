// readCustomers(): dialects, number formats, id columns, formats and refusals. Expected
// values are worked out by hand from the cells written in each test.
import { readFileSync } from 'node:fs';
import { tableFromArrays, tableToIPC } from '@uwdata/flechette';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { findIdField, readCustomers, ReadError, segment } from '../src/index';
import { tokenizeCsv } from '../src/prep/readCsv';
import { readCsvColumns } from '../src/prep/readCsvColumns';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const col = (r: { data: Record<string, ArrayLike<unknown>> }, name: string): unknown[] => Array.from(r.data[name]);

describe('readCustomers: CSV dialects', () => {
  it('reads a European Excel export: ; delimiter, decimal commas, CRLF, BOM', async () => {
    const text = '\ufeffcustomer_id;gasto;visitas\r\nC1;1.234,50;3\r\nC2;12,5;4\r\nC3;;5\r\n';
    const r = await readCustomers(enc(text), { name: 'export.csv' });
    expect(r.delimiter).toBe(';');
    expect(r.format).toBe('csv');
    expect(r.idField).toBe('customer_id');
    expect(col(r, 'gasto')).toEqual([1234.5, 12.5, NaN]);
    expect(col(r, 'visitas')).toEqual([3, 4, 5]);
    expect(r.data.gasto).toBeInstanceOf(Float64Array);
    const w = r.warnings.filter((x) => x.column === 'gasto');
    expect(w).toHaveLength(1);
    expect(w[0].message).toMatch(/decimal comma/);
  });
  it('reads integer-only ; files (which once failed with MISSING_ID)', async () => {
    const r = await readCustomers('id;a;b\n1;10;20\n2;30;40\n');
    expect(r.idField).toBe('id');
    expect(col(r, 'b')).toEqual([20, 40]);
  });
  it('reads tab and pipe delimited files and quoted fields with delimiters and quotes inside', async () => {
    const tsv = await readCustomers('customer_id\tnote\tx\nA\t"a\tb ""q"""\t1\n');
    expect(tsv.delimiter).toBe('\t');
    expect(col(tsv, 'note')).toEqual(['a\tb "q"']);
    const pipe = await readCustomers('customer_id|x|y\nA|1|2\nB|3|4\n');
    expect(pipe.delimiter).toBe('|');
    expect(col(pipe, 'y')).toEqual([2, 4]);
  });
  it('decodes UTF-16 LE and BE by their byte-order mark', async () => {
    const text = 'customer_id,spend\nÁ1,3.5\n';
    const le = new Uint8Array(2 + text.length * 2);
    const be = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    be.set([0xfe, 0xff]);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      le[2 + 2 * i] = c & 0xff;
      le[3 + 2 * i] = c >> 8;
      be[2 + 2 * i] = c >> 8;
      be[3 + 2 * i] = c & 0xff;
    }
    for (const bytes of [le, be]) {
      const r = await readCustomers(bytes);
      expect(col(r, 'customer_id')).toEqual(['Á1']);
      expect(col(r, 'spend')).toEqual([3.5]);
    }
  });
  it('takes an explicit delimiter and decimal, and refuses bad ones naming the option', async () => {
    const r = await readCustomers('customer_id;x\nA;1.234\nB;2.000\n', { delimiter: ';', decimal: ',' });
    expect(col(r, 'x')).toEqual([1234, 2000]);
    await expect(readCustomers('a', { delimiter: ':' as ',' })).rejects.toThrow(/delimiter must be/);
    await expect(readCustomers('a', { decimal: ';' as ',' })).rejects.toThrow(/decimal must be/);
  });
  it('names the line whose field count differs from the header', async () => {
    await expect(readCustomers('customer_id,a\nA,1\nB,2,3\n')).rejects.toThrow(/line 3 has 3 fields but the header has 2/);
  });
});

describe('readCustomers: number formats', () => {
  it('reads currency, thousands separators, percentages as fractions and parenthesised negatives', async () => {
    const text = ['customer_id,usd,brl,eur,rate,balance', 'A,"$1,234.50","R$ 1.234,56",EUR 10,12.3%,(45.00)', 'B,$7.25,"R$ 0,99",5 EUR,50%,"1,000.00"'].join(
      '\n',
    );
    const r = await readCustomers(text);
    expect(col(r, 'usd')).toEqual([1234.5, 7.25]);
    expect(col(r, 'brl')).toEqual([1234.56, 0.99]);
    expect(col(r, 'eur')).toEqual([10, 5]);
    expect(col(r, 'rate')).toEqual([0.123, 0.5]);
    expect(col(r, 'balance')).toEqual([-45, 1000]);
    const byColumn = Object.fromEntries(r.warnings.filter((w) => w.key === 'column_parsed').map((w) => [w.column, w.message]));
    expect(byColumn.usd).toMatch(/currency sign \$.*|thousands/);
    expect(byColumn.brl).toMatch(/decimal comma/);
    expect(byColumn.rate).toMatch(/percentages as fractions/);
    expect(byColumn.balance).toMatch(/negatives/);
  });
  it('lets other columns decide an ambiguous 1.234 (here: decimal commas elsewhere in the file)', async () => {
    const r = await readCustomers('customer_id;a;b\nA;1.234;2,5\nB;2.000;3,5\n');
    expect(col(r, 'a')).toEqual([1234, 2000]);
    const dot = await readCustomers('customer_id,a,b\nA,"1,234",2.5\nB,"2,000",3.5\n');
    expect(col(dot, 'a')).toEqual([1234, 2000]);
  });
  it('names a numeric-looking column with unreadable cells instead of dropping it silently', async () => {
    const r = await readCustomers('customer_id,spend,city\nA,10,Lima\nB,12..5,Quito\nC,13,Cusco\n');
    expect(col(r, 'spend')).toEqual(['10', '12..5', '13']);
    const w = r.warnings.find((x) => x.column === 'spend');
    expect(w?.key).toBe('unreadable_numbers');
    expect(w?.message).toContain("'12..5'");
    expect(r.warnings.find((x) => x.column === 'city')).toBeUndefined();
  });
  it('feeds segment(): currency columns are features, not ignored', async () => {
    const rows = ['Customer ID;Gasto;Visitas'];
    for (let i = 0; i < 40; i++) rows.push(`c${i};"€ ${i < 20 ? 10 + (i % 3) : 900 + (i % 5)},${i % 10}0";${i < 20 ? 2 : 30}`);
    const r = await readCustomers(rows.join('\n'));
    const res = await segment({ data: r.data, id_field: r.idField, n_clusters: 2 });
    expect(res.meta.features).toEqual(['Gasto', 'Visitas']);
    expect(res.segments.map((s) => s.size).sort()).toEqual([20, 20]);
  });
});

describe('readCustomers: id column', () => {
  it('finds the id among common names in any case or spacing', () => {
    expect(findIdField(['Customer ID', 'spend'])).toBe('Customer ID');
    expect(findIdField(['gasto', 'ID_Cliente'])).toBe('ID_Cliente');
    expect(findIdField(['Código Cliente', 'x'])).toBe('Código Cliente');
    expect(findIdField(['x', 'E-mail'])).toBe('E-mail');
    expect(findIdField(['user-id', 'id'])).toBe('user-id');
    expect(findIdField(['spend', 'visits'])).toBeUndefined();
  });
  it('lists the columns and names id_field when none is found', async () => {
    const err = await readCustomers('nombre,gasto\nAna,1\n').catch((e) => e);
    expect(err).toBeInstanceOf(ReadError);
    expect(err.code).toBe('NO_ID_FIELD');
    expect(err.message).toContain('nombre, gasto');
    expect(err.message).toContain('id_field');
    await expect(readCustomers('a,b\n1,2\n', { idField: 'cid' })).rejects.toThrow(/no column 'cid'; its columns are: a, b/);
  });
});

describe('readCustomers: JSON, NDJSON, Parquet, streams, binary', () => {
  it('reads a JSON array with a BOM, and a request body keeping its other fields', async () => {
    const r = await readCustomers(enc('\ufeff[{"customer_id":1,"spend":"1.234,5"},{"customer_id":2,"spend":"2,5"}]'));
    expect(r.format).toBe('json');
    expect(col(r, 'spend')).toEqual([1234.5, 2.5]);
    const body = await readCustomers('{"data":[{"cid":1,"x":2}],"n_clusters":3,"id_field":"cid"}');
    expect(body.request).toEqual({ n_clusters: 3, id_field: 'cid' });
    expect(body.idField).toBe('cid');
  });
  it('reads NDJSON and names a bad line', async () => {
    const r = await readCustomers('{"customer_id":1,"x":1}\n\n{"customer_id":2,"x":3}\n');
    expect(r.format).toBe('ndjson');
    expect(col(r, 'x')).toEqual([1, 3]);
    await expect(readCustomers('{"customer_id":1}\n{oops\n', { name: 'a.ndjson' })).rejects.toThrow(/a.ndjson: line 2 is not valid JSON/);
  });
  it('reads Parquet, numeric columns as Float64Array', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'customer_id', data: ['a', 'b', 'c'], type: 'STRING' },
        { name: 'spend', data: [1.5, 2.5, null], type: 'DOUBLE' },
        { name: 'orders', data: [1n, 2n, 3n], type: 'INT64' },
      ],
    });
    const r = await readCustomers(new Uint8Array(buf));
    expect(r.format).toBe('parquet');
    expect(r.data.spend).toBeInstanceOf(Float64Array);
    expect(col(r, 'spend')).toEqual([1.5, 2.5, NaN]);
    expect(col(r, 'orders')).toEqual([1, 2, 3]);
  });
  it('reads Parquet column chunks of many row groups in row order, with a text column kept as text', async () => {
    const n = 2500;
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    const spend = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i * 0.5));
    const city = Array.from({ length: n }, (_, i) => ['Lima', 'Quito', null][i % 3]);
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'customer_id', data: ids, type: 'STRING' },
        { name: 'spend', data: spend, type: 'DOUBLE' },
        { name: 'city', data: city, type: 'STRING' },
      ],
      rowGroupSize: 300,
    });
    const r = await readCustomers(new Uint8Array(buf), { name: 'groups.parquet' });
    expect(r.rows).toBe(n);
    expect(r.columns).toEqual(['customer_id', 'spend', 'city']);
    expect(r.data.spend).toBeInstanceOf(Float64Array);
    expect(col(r, 'spend')).toEqual(spend.map((v) => (v === null ? NaN : v)));
    expect(col(r, 'customer_id')).toEqual(ids);
    expect(col(r, 'city')).toEqual(city);
  });
  it('reads Arrow IPC, file and stream formats, by content or by name', async () => {
    const table = tableFromArrays({
      customer_id: ['a', 'b', 'c'],
      spend: new Float64Array([1.5, 2.5, 4]),
      orders: new Int32Array([1, 2, 3]),
    });
    for (const format of ['file', 'stream'] as const) {
      const bytes = tableToIPC(table, { format })!;
      const r = await readCustomers(bytes);
      expect(r.format).toBe('arrow');
      expect(r.idField).toBe('customer_id');
      expect(r.data.spend).toBeInstanceOf(Float64Array);
      expect(col(r, 'spend')).toEqual([1.5, 2.5, 4]);
      expect(col(r, 'orders')).toEqual([1, 2, 3]);
      expect(col(r, 'customer_id')).toEqual(['a', 'b', 'c']);
    }
    expect((await readCustomers(tableToIPC(table, { format: 'file' })!, { name: 'x.arrow', format: 'arrow' })).rows).toBe(3);
    // Columns with nulls are read from the batch buffers: NaN for a null number, null text.
    const withNulls = tableFromArrays({
      customer_id: ['ñ', 'b', 'ç'],
      spend: [1.5, null, 4],
      orders: [2n, null, 2n ** 40n],
      vip: [true, null, false],
      city: ['Lima', null, 'São Paulo'],
    });
    const r = await readCustomers(tableToIPC(withNulls, { format: 'stream' })!);
    expect(r.data.spend).toBeInstanceOf(Float64Array);
    expect(col(r, 'spend')).toEqual([1.5, NaN, 4]);
    expect(col(r, 'orders')).toEqual([2, NaN, 2 ** 40]);
    expect(col(r, 'vip')).toEqual([1, NaN, 0]);
    expect(col(r, 'city')).toEqual(['Lima', null, 'São Paulo']);
    expect(col(r, 'customer_id')).toEqual(['ñ', 'b', 'ç']);
    // Small integer types come out as numbers too (uint16 shares Float16's Uint16Array).
    const small = tableFromArrays({ id: ['a', 'b'], u16: new Uint16Array([7, 65535]), i8: new Int8Array([-3, 4]) });
    const rs = await readCustomers(tableToIPC(small, { format: 'stream' })!);
    expect(rs.data.u16).toBeInstanceOf(Float64Array);
    expect(col(rs, 'u16')).toEqual([7, 65535]);
    expect(col(rs, 'i8')).toEqual([-3, 4]);
    await expect(readCustomers(new Uint8Array([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31, 0, 0, 1, 2]), { name: 'bad.arrow' })).rejects.toThrow(
      /bad.arrow: not a readable Arrow IPC file/,
    );
  });
  it('reads a ReadableStream and an async iterable of chunks split mid-character', async () => {
    const bytes = enc('customer_id,x\nñ,1\n');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 15));
        c.enqueue(bytes.subarray(15));
        c.close();
      },
    });
    expect(col(await readCustomers(stream), 'customer_id')).toEqual(['ñ']);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 15);
      yield bytes.subarray(15);
    }
    expect(col(await readCustomers(chunks()), 'x')).toEqual([1]);
  });
  it('refuses binary input in one line, saying what it looks like', async () => {
    const bin = new Uint8Array(1024).map((_, i) => (i * 7) % 256);
    const err = await readCustomers(bin, { name: 'x.bin' }).catch((e) => e);
    expect(err.message).toBe('x.bin is a binary file, not CSV, JSON, NDJSON, Parquet, Arrow or Excel .xlsx');
    await expect(readCustomers(new Uint8Array([0x50, 0x4b, 3, 4, 0]), { name: 'a.xlsx' })).rejects.toThrow(
      /not a readable Excel .xlsx workbook.*save it as CSV/,
    );
  });
  it('reads the first sheet of an Excel .xlsx workbook (written by openpyxl), by content and by name', async () => {
    // test/fixtures/files/customers.xlsx: written with Python's openpyxl (an independent writer); the values below
    // are what was written there.
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/files/customers.xlsx', import.meta.url)));
    for (const options of [{}, { name: 'export.xlsx' }, { format: 'xlsx' as const }]) {
      const r = await readCustomers(bytes, options);
      expect(r.format).toBe('xlsx');
      expect(r.idField).toBe('Customer ID');
      expect(r.rows).toBe(6);
      expect(col(r, 'Customer ID')).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
      expect(Array.from(col(r, 'total_purchases') as ArrayLike<number>).map((v) => (Number.isNaN(v) ? null : v))).toEqual([1200.5, 80, null, 3000, 15.75, 640]);
      expect(Array.from(col(r, 'frequency') as ArrayLike<number>)).toEqual([12, 2, 7, 30, 1, 9]);
      // Text cells go through the CSV number rules: currency and thousands separators, with a warning.
      expect(Array.from(col(r, 'Spend') as ArrayLike<number>)).toEqual([1234.5, 80, 410.25, 2999.99, 15.75, 640]);
      expect(r.warnings.some((w) => JSON.stringify(w).includes('Spend'))).toBe(true);
    }
    // A ZIP that is not a workbook is refused by name.
    await expect(readCustomers(bytes.slice(0, 200), { name: 'broken.xlsx' })).rejects.toThrow(/broken.xlsx: not a readable Excel .xlsx workbook/);
  });
  it('reads Windows-1252 text that is not UTF-8, with a warning', async () => {
    const bytes = new Uint8Array([...enc('customer_id,x\n'), 0x4a, 0x6f, 0x73, 0xe9, ...enc(',1\n')]);
    const r = await readCustomers(bytes);
    expect(col(r, 'customer_id')).toEqual(['José']);
    expect(r.warnings.some((w) => w.key === 'encoding')).toBe(true);
  });
});

describe('readCustomers: idField null', () => {
  it('numbers the customers by row when the file has no id column', async () => {
    const r = await readCustomers('spend,visits\n1,2\n3,4\n', { idField: null });
    expect(r.idField).toBe('_row');
    expect(col(r, '_row')).toEqual([1, 2]);
    expect(col(r, 'spend')).toEqual([1, 3]);
  });
});

describe('readCustomers: signs, currency and percent in any order', () => {
  it('reads the README example, and a percent in one cell does not scale the next', async () => {
    const text = 'Customer ID;Gasto;Visitas;Descuento\nC001;1.500,00 €;12;12,5%\nC002;"3.000,50 €";24;(3,0)%\nC003;;2;0%\n';
    const r = await readCustomers(text);
    expect(r.idField).toBe('Customer ID');
    expect(col(r, 'Gasto')).toEqual([1500, 3000.5, NaN]);
    expect(col(r, 'Descuento')).toEqual([0.125, -0.03, 0]);
    const mixed = await readCustomers('id,x,y\na,"$(45.00)",5%\nb,-R$ 5,7\nc,USD -5,"1,000"\n');
    expect(col(mixed, 'x')).toEqual([-45, -5, -5]);
    // Only the cell with a percent sign is a percentage.
    expect(col(mixed, 'y')).toEqual([0.05, 7, 1000]);
  });
});

describe('readCustomers: CSV tokenizer', () => {
  it('reads quoted fields spanning lines, "" escapes, spaces around fields, CR-only line ends and a last line without newline', async () => {
    const r = await readCustomers('customer_id,note,x\r"a","line 1\nline 2",1\r b , "say ""hi""" , 2 \r"c",,3');
    expect(col(r, 'customer_id')).toEqual(['a', 'b', 'c']);
    expect(col(r, 'note')).toEqual(['line 1\nline 2', 'say "hi"', '']);
    expect(col(r, 'x')).toEqual([1, 2, 3]);
    const lf = await readCustomers('customer_id,x\n a ,1\n\nb,2');
    expect(col(lf, 'customer_id')).toEqual(['a', 'b']);
  });
  it('reads columns as the row tokenizer splits rows, on random dialect input', () => {
    // The column reader (one pass, numbers straight from the text) against tokenizeCsv, an
    // independent row-at-a-time splitter: same strings for text columns, Number() of the same
    // strings for numeric ones, and a column turns to text at its first non-number (here late).
    let seed = 11;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pool = ['1', '12.5', '-3', '0.10', '', ' 7 ', '"8"', 'x', '"a,b"', '"l1\nl2"', 'N/A', '"q""r"', '-0', '123456789012.5', '0.1234567890123'];
    for (let t = 0; t < 300; t++) {
      const d = [',', ';', '\t', '|'][t % 4];
      const eol = ['\n', '\r\n', '\r'][Math.floor(rnd() * 3)];
      const width = 1 + Math.floor(rnd() * 4);
      const pools = Array.from({ length: width }, () => Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => pool[Math.floor(rnd() * pool.length)]));
      const lines = [Array.from({ length: width }, (_, c) => `h${c}`).join(d)];
      const rows = 1 + Math.floor(rnd() * 30);
      for (let r = 0; r < rows; r++) lines.push(pools.map((p) => p[Math.floor(rnd() * p.length)]).join(d));
      const text = lines.join(eol) + (rnd() < 0.5 ? eol : '');
      const expected = tokenizeCsv(text, d).rows;
      const header = expected[0];
      const got = readCsvColumns(text, d, 'test', () => new Set(['h0']));
      expect(got.header).toEqual(header);
      expect(got.n).toBe(expected.length - 1);
      for (let c = 0; c < header.length; c++) {
        const cells = expected.slice(1).map((row) => row[c]);
        const column = got.columns[c];
        const numeric = cells.every((s) => s.trim() === '' || s === 'N/A' || /^-?\d+(\.\d+)?$/.test(s.trim()));
        if (c === 0 || !numeric) {
          expect(column.kind, `${JSON.stringify(text)} column ${c}`).toBe('text');
          expect(column.kind === 'text' && column.strings).toEqual(cells);
        } else {
          expect(column.kind, `${JSON.stringify(text)} column ${c}`).toBe('numeric');
          const values = column.kind === 'numeric' ? Array.from(column.values) : [];
          expect(values).toEqual(cells.map((s) => (s.trim() === '' || s === 'N/A' ? NaN : Number(s))));
          expect(column.kind === 'numeric' && column.strings()).toEqual(cells);
        }
      }
    }
  });
});
