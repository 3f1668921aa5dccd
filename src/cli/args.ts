/**
 * Flags: parsing with node:util parseArgs, and errors that name the flag as the user typed
 * it (`-k`, not `n_clusters`), so a usage error can be fixed from its one line.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad usage: exit 2, one line, no usage dump. `help` names the command whose --help to point at. */
export class UsageError extends Error {
  readonly help?: string;
  constructor(message: string, help?: string) {
    super(message);
    this.name = 'UsageError';
    this.help = help;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags, and for each the spelling the user typed (for messages). */
export interface ParsedFlags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  typed: (name: string) => string;
}

/** parseArgs with its errors turned into UsageErrors naming the command. */
export function parseFlags(argv: string[], options: Options, command: string): ParsedFlags {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's messages are clear ("Unknown option '--foo'"); drop its hint about '--' and positionals.
    const message = (err as Error).message.split('. To specify')[0].replace(/\.$/, '');
    throw new UsageError(message, command);
  }
  const typed = (name: string): string => {
    const short = options[name]?.short;
    for (let i = argv.length - 1; i >= 0; i--) {
      const a = argv[i];
      if (a === `--${name}` || a.startsWith(`--${name}=`)) return `--${name}`;
      if (short && a.startsWith(`-${short}`) && !a.startsWith('--')) return `-${short}`;
    }
    return `--${name}`;
  };
  return { values: parsed.values as ParsedFlags['values'], positionals: parsed.positionals, typed };
}

/** Reads typed values out of flags, throwing UsageErrors in the flag's own spelling. */
export class FlagReader {
  constructor(
    private readonly flags: ParsedFlags,
    private readonly command: string,
  ) {}

  private fail(name: string, message: string): never {
    throw new UsageError(`${this.flags.typed(name)} ${message}`, this.command);
  }

  string(name: string): string | undefined {
    const v = this.flags.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], aliases: Record<string, T> = {}): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const key = v.toLowerCase();
    if (Object.hasOwn(aliases, key)) return aliases[key];
    if ((allowed as readonly string[]).includes(key)) return key as T;
    return this.fail(name, `must be one of ${allowed.join(', ')}; got '${v}'`);
  }

  integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim())) this.fail(name, `must be a whole number; got '${v}'`);
    const n = Number(v);
    if (n < min) this.fail(name, `must be at least ${min}; got ${n}`);
    if (n > max) this.fail(name, `must be at most ${max}; got ${n}`);
    return n;
  }

  positiveNumber(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) this.fail(name, `must be a positive number; got '${v}'`);
    return n;
  }

  list(name: string): string[] | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) this.fail(name, 'needs at least one name');
    const dup = items.find((f, i) => items.indexOf(f) !== i);
    if (dup !== undefined) this.fail(name, `names '${dup}' twice`);
    return items;
  }

  /** "2,8", "2-8" or "2..8". */
  range(name: string): [number, number] | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const m = /^\s*(\d+)\s*(?:,|-|\.\.)\s*(\d+)\s*$/.exec(v);
    if (!m) this.fail(name, `must be MIN,MAX (for example 2,8); got '${v}'`);
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (lo < 2) this.fail(name, `minimum must be at least 2; got ${lo}`);
    if (hi < lo) this.fail(name, `maximum (${hi}) is below the minimum (${lo})`);
    return [lo, hi];
  }

  /** "feature=role,feature=role". */
  pairs(name: string, allowedValues: readonly string[]): Record<string, string> | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const part of v.split(',')) {
      const m = /^\s*([^=]+?)\s*=\s*(\S+)\s*$/.exec(part);
      if (!m) this.fail(name, `must be FEATURE=ROLE pairs separated by commas; got '${part}'`);
      if (!allowedValues.includes(m[2])) this.fail(name, `role of '${m[1]}' must be one of ${allowedValues.join(', ')}; got '${m[2]}'`);
      out[m[1]] = m[2];
    }
    return out;
  }

  bool(name: string): boolean {
    return this.flags.values[name] === true;
  }
}
