/** Option-object helpers shared by the public functions: fail on typos, name the parameter. */
import { InvalidParameterError } from './errors';

/** Rejects keys that are not in `allowed` (a typo would otherwise be ignored silently). */
export function rejectUnknownOptions(options: object | undefined, allowed: readonly string[], fn: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') throw new InvalidParameterError('options', `${fn}() options must be an object`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidParameterError(key, `is not an option of ${fn}(); known options: ${allowed.join(', ')}`);
    }
  }
}

/** An integer option within [min, max], or an error naming it. */
export function integerOption(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidParameterError(name, `must be an integer, got ${typeof value === 'number' ? value : JSON.stringify(value)}`);
  }
  if (value < min || value > max) {
    throw new InvalidParameterError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** A finite number option passing `check` (described by `expected`), or an error naming it. */
export function numberOption(name: string, value: unknown, check: (v: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new InvalidParameterError(name, `must be ${expected}, got ${typeof value === 'number' ? value : JSON.stringify(value)}`);
  }
  return value;
}

/** One of the allowed strings, or an error naming the option and listing them. */
export function enumOption<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidParameterError(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/**
 * Defaults overlaid with the options the caller set. An option passed as `undefined`
 * counts as not given (callers often spread optional settings), not as a bad value.
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O | undefined): D & O {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  if (options) for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as D & O;
}
