/**
 * Robustness on a real server: 1,000 malformed bodies and headers (fast-check) each get a
 * 4xx with a code while /healthz stays up; 200 segmentations of 2,000 customers at
 * concurrency 20 all succeed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, customers, post, testServer } from './helpers/http';

const printable = (max: number) => fc.stringMatching(new RegExp(`^[ -~]{0,${max}}$`));
const validRecords = customers(30, 8);
const validBody = JSON.stringify({ data: validRecords, n_clusters: 3 });

/** Values that are not a positive integer (or 'auto') for n_clusters, and so on. */
const notAnInteger = fc.oneof(
  fc.constant(0),
  fc.constant(-1),
  fc.double({ noInteger: true }),
  printable(10).filter((s) => s !== 'auto'),
  fc.constant({}),
  fc.boolean(),
);

const malformedBody: fc.Arbitrary<string> = fc.oneof(
  // Not JSON at all, or JSON cut short.
  printable(200).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc.integer({ min: 1, max: validBody.length - 1 }).map((cut) => validBody.slice(0, cut)),
  fc
    .tuple(fc.integer({ min: 0, max: validBody.length - 1 }), fc.constantFrom('}', ']', ',', '"', ':', '\\', '\u0000'))
    .map(([at, ch]) => validBody.slice(0, at) + ch + validBody.slice(at + 1))
    .filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
  // JSON that is not a request object.
  fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer())).map((v) => JSON.stringify(v)),
  // data of the wrong shape.
  fc
    .oneof(
      fc.integer(),
      fc.string(),
      fc.constant(null),
      fc.dictionary(fc.string(), fc.integer()),
      fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer())), { minLength: 1 }),
    )
    .map((data) => JSON.stringify({ data })),
  // A valid data array with one bad option.
  fc
    .oneof(
      notAnInteger.map((n_clusters) => ({ n_clusters })),
      printable(20)
        .filter((a) => !['kmeans', 'hierarchical', 'dbscan', 'gmm', 'auto'].includes(a))
        .map((algorithm) => ({ algorithm })),
      fc
        .oneof(
          fc.integer(),
          fc.string(),
          fc.array(
            fc.string({ minLength: 1 }).map((f) => `missing_${f}`),
            { minLength: 1 },
          ),
        )
        .map((features) => ({ features })),
    )
    .map((option) => JSON.stringify({ data: validRecords, ...option })),
);

type Case = { body: string; headers: Record<string, string> };

const malformedHeaders: fc.Arbitrary<Case> = fc
  .oneof(
    printable(80).map((v) => ({ Authorization: v })),
    printable(80).map((v) => ({ Authorization: `Bearer ${v}` })),
    printable(60).map((v) => ({ 'X-Customer-Api-Id': v })),
    printable(90)
      .filter((v) => v.length !== 64)
      .map((v) => ({ 'X-Secret': v })),
    printable(60)
      .filter((v) => !/^\s*application\/json\s*(;\s*charset=utf-?8\s*)?$/i.test(v))
      .map((v) => ({ 'Content-Type': v })),
    fc.constantFrom('gzip', 'br', 'deflate').map((v) => ({ 'Content-Encoding': v })),
  )
  .chain((bad) => fc.record({ lang: printable(40) }).map(({ lang }) => ({ body: validBody, headers: authHeaders({ ...bad, 'Accept-Language': lang }) })));

const anyCase: fc.Arbitrary<Case> = fc.oneof(
  malformedBody.chain((body) => printable(40).map((lang) => ({ body, headers: authHeaders({ 'Accept-Language': lang }) }))),
  malformedHeaders,
);

describe('fuzz: malformed bodies and headers', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  beforeAll(async () => {
    server = await testServer({ rateLimit: 0 });
  });
  afterAll(() => server.close());

  it('answers 1,000 malformed requests with a 4xx and a code, /healthz up throughout', async () => {
    const statuses = new Map<number, number>();
    let count = 0;
    await fc.assert(
      fc.asyncProperty(anyCase, async ({ body, headers }) => {
        const r = await post(server.endpoint, body, headers);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(r.status, `${r.status} for ${JSON.stringify(headers)} ${body.slice(0, 200)}: ${r.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(typeof r.json?.code).toBe('string');
        expect(typeof r.json?.message).toBe('string');
        if (++count % 100 === 0) expect((await fetch(server.url + '/healthz')).status).toBe(200);
      }),
      { numRuns: 1000, seed: 20240607 },
    );
    expect(count).toBeGreaterThanOrEqual(1000);
    expect((await fetch(server.url + '/healthz')).status).toBe(200);
    // The cases reached every layer: parser, validation, authentication, media type.
    for (const status of [400, 401, 415, 422]) expect(statuses.get(status) ?? 0, `no ${status} among ${[...statuses]}`).toBeGreaterThan(0);
  });
});

describe('load', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  beforeAll(async () => {
    server = await testServer({ rateLimit: 0 });
  });
  afterAll(() => server.close());

  it('serves 100 requests of 2,000 customers at concurrency 20 without an error', async () => {
    const bodies = [1, 2, 3, 4].map((seed) => JSON.stringify({ data: customers(2000, seed) }));
    const statuses: number[] = [];
    const sizes = new Set<number>();
    let next = 0;
    const client = async () => {
      while (next < 100) {
        const i = next++;
        const r = await post(server.endpoint, bodies[i % bodies.length]);
        statuses.push(r.status);
        if (r.status === 200) sizes.add(r.json.segments.reduce((a: number, s: { size: number }) => a + s.size, 0));
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    expect(statuses).toHaveLength(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect([...sizes]).toEqual([2000]);
    // The default request now selects k by resampling and explains each segment: bounded
    // here, the full soak is in the bench (npm run bench -- http).
  }, 180_000);
});
