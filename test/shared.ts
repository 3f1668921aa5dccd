/** Small helpers shared by the test files. */
import { expect } from 'vitest';
import { InvalidParameterError } from '../src/errors';
import { sampleCustomerMatrix } from '../src/sample';
import { init } from '../src/wasm/index';

/** fn must throw an InvalidParameterError naming `parameter`, with a message matching `message`. */
export function expectParameterError(fn: () => unknown, parameter: string, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidParameterError);
    expect((err as InvalidParameterError).parameter).toBe(parameter);
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected an InvalidParameterError');
}

/** The sample customers with every feature z-scored (population std). */
export function zScoredCustomers(n: number, seed: number): { data: Float64Array; rows: number; cols: number } {
  const m = sampleCustomerMatrix(n, seed);
  const { data, rows, cols } = m;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * cols + j];
    mean /= rows;
    let v = 0;
    for (let i = 0; i < rows; i++) v += (data[i * cols + j] - mean) ** 2;
    const sd = Math.sqrt(v / rows) || 1;
    for (let i = 0; i < rows; i++) data[i * cols + j] = (data[i * cols + j] - mean) / sd;
  }
  return m;
}

/** Runs check once per thread count with init({ threads }) started, then goes back to one thread. */
export async function withEachThreadCount(counts: number[], check: (threads: number) => void): Promise<void> {
  try {
    for (const threads of counts) {
      expect((await init({ threads })).threads).toBe(threads);
      check(threads);
    }
  } finally {
    await init({ threads: 1 });
  }
}
